/**
 * Config keys that name Object.prototype members (issue 16): `__proto__`, `constructor`,
 * `toString`, `hasOwnProperty` are unknown keys like any other (key and line), never an
 * internal error or a hidden setting; ordinary YAML aliases inside sections work, alias
 * bombs are still refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runInProcess } from '../helpers/cli.js';

let tmp: string;
let data: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'alliance-cfgkeys-'));
  const lines = ['client_id,session,therapist_id,site,srs,ors'];
  for (let c = 0; c < 8; c++)
    for (let s = 1; s <= 4; s++) lines.push(`C${c},${s},T${c % 2},S${c % 3},${25 + s + (c % 3)},${15 + s * 2 - (c % 2) + (s === 3 ? c : 0)}`);
  data = path.join(tmp, 'd.csv');
  writeFileSync(data, lines.join('\n') + '\n');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function withConfig(yaml: string, argv: string[]) {
  const cfg = path.join(tmp, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(cfg, yaml);
  return runInProcess([...argv, '--config', cfg]);
}

const PROTO_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];

describe('prototype-named keys are unknown keys', () => {
  for (const k of PROTO_KEYS) {
    it(`instrumentOverrides.${k} and a field named ${k}`, async () => {
      for (const yaml of [`instrumentOverrides:\n  ${k}: { cutoff: 1 }\n`, `instrumentOverrides:\n  SRS:\n    ${k}: 1\n`]) {
        const r = await withConfig(yaml, ['describe', data]);
        expect(r.code, yaml).toBe(2);
        expect(r.stderr).not.toMatch(/internal error|object Undefined|not a function/);
        expect(r.stderr).toContain(k);
        expect(r.stderr).toMatch(/\.yaml:\d+:/);
        expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      }
    });

    it(`${k} at the top level and inside a command section`, async () => {
      for (const [yaml, cmd] of [
        [`${k}: 1\n`, 'describe'],
        [`correlate:\n  ${k}:\n    by: site\n`, 'correlate'],
        [`trend:\n  ${k}:\n    by: site\n`, 'trend'],
        [`model:\n  ${k}: 1\n`, 'model'],
        [`validate:\n  ${k}: 1\n`, 'validate'],
      ] as const) {
        const r = await withConfig(yaml, [cmd, data]);
        expect(r.code, yaml).toBe(2);
        expect(r.stderr, yaml).toMatch(new RegExp(`unknown key '(\\w+\\.)?${k}'`));
        expect(r.stderr, yaml).toMatch(/\.yaml:\d+:/);
      }
    });

    it(`instruments: { ${k}: SRS } maps a column literally named ${k} (none here)`, async () => {
      const r = await withConfig(`instruments:\n  ${k}: SRS\n`, ['describe', data]);
      expect(r.stderr).not.toMatch(/internal error/);
      expect([0, 2]).toContain(r.code);
    });
  }

  it('a report config: __proto__ in the report section and in filters', async () => {
    for (const yaml of [
      `files: [d.csv]\nreport:\n  __proto__:\n    minClients: 1\n`,
      `files: [d.csv]\nreport:\n  filters:\n    __proto__: { column: site }\n`,
      `files: [d.csv]\nreport:\n  constructor: 1\n`,
    ]) {
      const r = await withConfig(yaml, ['report', '--out', path.join(tmp, 'out-' + Math.random().toString(36).slice(2))]);
      expect(r.code, yaml).toBe(2);
      expect(r.stderr, yaml).toMatch(/unknown key/);
      expect(r.stderr, yaml).not.toMatch(/internal error/);
    }
  });
});

describe('YAML aliases', () => {
  it('an ordinary alias inside a section is its value', async () => {
    const r = await withConfig(`groups: [site]\ncommon: &g site\ncorrelate:\n  by: *g\n  minClients: 1\n`, ['correlate', data]);
    // 'common' is not a key: the anchor must live on a known key
    expect(r.code).toBe(2);
    const ok = await withConfig(`groups: &g [site]\ntrend:\n  by: site\n  minClients: &m 1\ncorrelate:\n  minClients: *m\n  by: site\n`, [
      'correlate',
      data,
      '--format',
      'json',
    ]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
  });

  it('an alias as a top-level value, and as a list item, is its value (it was "must be a column name (text)")', async () => {
    // `missing` takes any text: the anchors' values (srs, ors) are harmless tokens here.
    for (const yaml of ['alliance: &a srs\noutcome: &o ors\nmissing: *o\n', 'alliance: &a srs\noutcome: &o ors\nmissing: [*a, NA]\n']) {
      const r = await withConfig(yaml, ['describe', data, '--format', 'json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    // Through the alias `therapist` names a column that is not there: the mapping's own error.
    const r = await withConfig('client: &c client_id\ntherapist: *c\nsession: &s nope\ndate: *s\n', ['describe', data]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/column 'nope' \(from --(session|date)\) is not in the header/);
  });

  it('an alias to a mapping inside a section', async () => {
    const r = await withConfig(`trend: &t\n  by: site\n  minClients: 1\n`, ['trend', data, '--format', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { groups?: unknown };
    expect(r.stdout).toContain('S1');
    expect(doc).toBeTruthy();
  });

  it('an alias bomb is still refused with one line', async () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]',
      'f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]',
    ];
    const r = await withConfig(`trend:\n${bomb.map((l) => '  ' + l).join('\n')}\n`, ['trend', data]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/internal error/);
  });
});
