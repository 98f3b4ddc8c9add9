/**
 * SOURCE_DATE_EPOCH (reproducible-builds.org: whole seconds since 1970-01-01 UTC) fixes the
 * reference day of `validate` and of the report's validate section and periods. A malformed
 * value is a one-line usage error (exit 2), as the specification asks, never a fall-back to
 * the clock or an internal error: `SOURCE_DATE_EPOCH=abc alliance report` without `today:` in
 * the config ended in exit 70 "internal error: Invalid time value".
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sourceDateEpochDay } from '../../src/io/process.js';
import { runInProcess } from '../helpers/cli.js';
import { ROOT } from '../helpers/spawn.js';

const dir = mkdtempSync(path.join(tmpdir(), 'alliance-sde-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sourceDateEpochDay', () => {
  it('is the UTC day of the seconds given, unset or empty when there are none', () => {
    expect(sourceDateEpochDay({ SOURCE_DATE_EPOCH: '1578787200' })).toBe(Date.UTC(2020, 0, 12) / 86_400_000);
    expect(sourceDateEpochDay({ SOURCE_DATE_EPOCH: ' 1578873599 ' })).toBe(Date.UTC(2020, 0, 12) / 86_400_000); // 23:59:59 the same day
    expect(sourceDateEpochDay({ SOURCE_DATE_EPOCH: '0' })).toBe(0);
    expect(sourceDateEpochDay({})).toBeUndefined();
    expect(sourceDateEpochDay({ SOURCE_DATE_EPOCH: '' })).toBeUndefined();
  });
  it.each(['abc', '-1', '1.5', '1e9', '0x10'])('refuses %s with a message naming the variable', (v) => {
    expect(() => sourceDateEpochDay({ SOURCE_DATE_EPOCH: v })).toThrow(/SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01 UTC/);
  });
});

describe('a malformed SOURCE_DATE_EPOCH', () => {
  it('validate: one line, exit 2', async () => {
    const r = await runInProcess(['validate', path.join(ROOT, 'fixtures/demo.csv')], { env: { SOURCE_DATE_EPOCH: 'abc' } });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^alliance: SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01 UTC \(got 'abc'\)/);
  });

  it('report without today: in the config: one line, exit 2, no output folder', async () => {
    const cfg = path.join(dir, 'no-today.yaml');
    const text = readFileSync(path.join(ROOT, 'fixtures/report.yaml'), 'utf8')
      .replace(/^today:.*$/m, '')
      .replace('files: [demo.csv]', `files: [${JSON.stringify(path.join(ROOT, 'fixtures/demo.csv'))}]`);
    expect(text).not.toMatch(/^today:/m);
    writeFileSync(cfg, text);
    const out = path.join(dir, 'out');
    const r = await runInProcess(['report', '--config', cfg, '--out', out], { env: { SOURCE_DATE_EPOCH: 'abc' } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01 UTC \(got 'abc'\)/);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(() => readFileSync(path.join(out, 'manifest.json'))).toThrow();
    // A well-formed value runs.
    const ok = await runInProcess(['report', '--config', cfg, '--out', out], { env: { SOURCE_DATE_EPOCH: '1767225600' } }); // 2026-01-01: after the demo's last session
    expect(ok.code, ok.stderr).toBe(0);
  });
});
