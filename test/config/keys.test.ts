import { describe, expect, test } from 'vitest';
import { camel, checkKey, checkKeys, configPlace, type KeyCheck } from '../../src/config/keys.js';
import { UserError } from '../../src/errors.js';

const config = { path: 'c.yaml', lines: { correlate: 1, 'correlate.by': 2, 'correlate.minClinets': 3 } };

/** The one line the user sees for the error checkKeys throws, or null when it passes. */
function shown(section: Record<string, unknown>, check: KeyCheck): string | null {
  try {
    checkKeys(section, check);
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as UserError).format();
  }
}

describe('checkKeys', () => {
  test('known keys pass; an empty section passes', () => {
    expect(shown({ by: 'site', minClients: 3 }, { section: 'correlate', known: ['by', 'minClients'], at: configPlace(config) })).toBeNull();
    expect(shown({}, { section: 'correlate', known: [], at: null })).toBeNull();
  });

  test('one wording: the full key path, its line, the known keys (no suggestion when none is close)', () => {
    expect(shown({ by: 'site', bogus: 1 }, { section: 'correlate', known: ['by'], at: { file: 'c.yaml', line: () => 7 } })).toBe(
      "c.yaml:7: unknown key 'correlate.bogus'. The correlate section accepts by.",
    );
  });

  test('style and suggest no longer change the wording', () => {
    const at = { file: 'c.yaml', line: () => 7 };
    const base: KeyCheck = { section: 'correlate', known: ['by', 'minClients'], at };
    const want = "c.yaml:7: unknown key 'correlate.minClinets' (did you mean 'minClients'?). The correlate section accepts by, minClients.";
    for (const extra of [{}, { style: 'command' as const }, { style: 'dotted' as const }, { style: 'dotted' as const, suggest: false }, { suggest: true }]) {
      expect(shown({ minClinets: 3 }, { ...base, ...extra })).toBe(want);
    }
  });

  test('without camelCase a kebab-case key is unknown; with it, accepted', () => {
    const check: KeyCheck = { section: 'correlate', known: ['minClients'], at: configPlace(config) };
    expect(shown({ 'min-clients': 3 }, check)).toBe(
      "c.yaml: unknown key 'correlate.min-clients' (did you mean 'minClients'?). The correlate section accepts minClients.",
    );
    expect(shown({ 'min-clients': 3 }, { ...check, camelCase: true })).toBeNull();
  });

  test('no place: no location; `within` names the section in the hint', () => {
    expect(shown({ reliabilty: 0.8 }, { section: 'trend', known: ['reliability'], at: null, camelCase: true, within: 'the trend section of t.yaml' })).toBe(
      "unknown key 'trend.reliabilty' (did you mean 'reliability'?). The trend section of t.yaml accepts reliability.",
    );
  });

  test('section.key as written, the camelCased key line, a suggestion', () => {
    const check: KeyCheck = { section: 'correlate', known: ['by', 'minClients'], at: configPlace(config), camelCase: true, style: 'dotted', suggest: true };
    expect(shown({ by: 'x', 'min-clinets': 3 }, check)).toBe(
      "c.yaml:3: unknown key 'correlate.min-clinets' (did you mean 'minClients'?). The correlate section accepts by, minClients.",
    );
  });

  test('a hint given replaces the default', () => {
    expect(() => checkKey('strikt', { section: 'validate', known: ['strict'], at: null, style: 'dotted', hint: 'validate accepts strict' })).toThrow(
      expect.objectContaining({ message: "unknown key 'validate.strikt' (did you mean 'strict'?)", hint: 'validate accepts strict' }),
    );
  });

  test('the first unknown key in the order written is the one named', () => {
    expect(shown({ a: 1, b: 2 }, { section: 's', known: [], at: null })).toBe("unknown key 's.a'. The s section accepts no keys.");
  });
});

test('camel turns kebab-case into camelCase and leaves camelCase alone', () => {
  expect(camel('min-clients')).toBe('minClients');
  expect(camel('ntp-min-clients')).toBe('ntpMinClients');
  expect(camel('minClients')).toBe('minClients');
});
