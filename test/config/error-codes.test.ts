/**
 * Errors that code reacts to carry a stable code (and the flag or key, and the column):
 * callers match on these, never on the message text.
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { checkKey } from '../../src/config/keys.js';
import { mapFile, unknownColumnError } from '../../src/dataset/mapping.js';
import { runInProcess } from '../helpers/cli.js';

function thrown(f: () => unknown): UserError {
  try {
    f();
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a UserError');
}

describe('UserError codes', () => {
  it("defaults to 'usage'", () => {
    expect(new UserError('x').code).toBe('usage');
    expect(new UserError('x').key).toBeUndefined();
  });

  it("an unknown column: 'unknown-column' with the flag and the column", () => {
    const e = unknownColumnError('sitex', '--group', ['client', 'site'], 'a.csv');
    expect(e).toMatchObject({ code: 'unknown-column', key: '--group', column: 'sitex' });
  });

  it("no client column: 'no-client-column'", () => {
    const e = thrown(() => mapFile(['foo', 'bar'], {}, 'a.csv'));
    expect(e.code).toBe('no-client-column');
  });

  it("an unknown config key: 'unknown-key' with section.key", () => {
    const e = thrown(() => checkKey('bogus', { section: 'trend', known: ['by'], at: null }));
    expect(e).toMatchObject({ code: 'unknown-key', key: 'trend.bogus' });
  });
});

describe('callers match the code', () => {
  const FIX = 'fixtures/correlate/therapists.csv';
  it('a --by column in no header is named as --by, but as --group when the user also named it with --group', async () => {
    const byOnly = await runInProcess(['correlate', FIX, '--by', 'sitex']);
    expect(byOnly.code).toBe(2);
    expect(byOnly.stderr).toMatch(/column 'sitex' \(from --by\) is not in the header/);
    const both = await runInProcess(['correlate', FIX, '--by', 'sitex', '--group', 'sitex']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/column 'sitex' \(from --group\) is not in the header/);
  });
});
