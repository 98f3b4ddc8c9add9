/**
 * Terminal escape and multi-line injection (issue 16): every value echoed to a terminal,
 * a CI log or a one-line message shows control characters escaped, through one helper.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runInProcess } from '../helpers/cli.js';
import { jsonSafe, printable } from '../../src/io/text-safety.js';
import { jsonChunks } from '../../src/report/stream.js';

const ESC = '\x1b';
/** Any raw control character other than the line ends and the table's own layout. */
// eslint-disable-next-line no-control-regex -- the test looks for raw control characters
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

let tmp: string;
const f = (name: string, text: string) => {
  const p = path.join(tmp, name);
  writeFileSync(p, text);
  return p;
};

function escExport(): string {
  // Few enough control characters that the file still counts as text (checkTextSample).
  const lines = ['client_id,session,therapist_id,srs,ors'];
  for (let c = 0; c < 6; c++) {
    const id = c === 1 ? `C1${ESC}[31mRED\u202e` : `C${c}`;
    for (let s = 1; s <= 4; s++) {
      const t = `T${c % 2}${c === 2 && s === 1 ? `${ESC}[2J` : ''}`;
      lines.push(`"${id}",${s},"${t}",${25 + s + (c % 3)},${15 + s * 2 - (c % 2) + (s === 3 ? c : 0)}`);
    }
  }
  lines.push(`"dup${ESC}[1m",1,T0,30,20`, `"dup${ESC}[1m",1,T0,30,20`);
  return lines.join('\n') + '\n';
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'alliance-printable-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('printable', () => {
  it('escapes control characters, bidi controls and line separators', () => {
    expect(printable('a\nb')).toBe('a\\nb');
    expect(printable('x\x1b[31my')).toBe('x\\x1b[31my');
    expect(printable('\r\t\x00\x7f\x9b')).toBe('\\r\\t\\x00\\x7f\\x9b');
    expect(printable('a\u202eb\u2028c')).toBe('a\\u202eb\\u2028c');
    // every character of Unicode's Bidi_Control property, the Arabic letter mark U+061C too
    for (const c of ['\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'])
      expect(printable(`x${c}y`), c.codePointAt(0)!.toString(16)).toBe(`x\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}y`);
    // the two noncharacters XML cannot hold (a Word document with one does not open)
    expect(printable('a\ufffeb\uffff')).toBe('a\\ufffeb\\uffff');
  });
  it('leaves ordinary text (accents, CJK, emoji, backslashes) unchanged', () => {
    for (const s of ['Zoë', '客户', '😀', 'C:\\data', 'e\u0301']) expect(printable(s)).toBe(s);
  });
});

describe('jsonSafe', () => {
  const raw = ['\x7f', '\x85', '\x9b', '\u2028', '\u2029', '\u061c', '\u200e', '\u200f', '\u202a', '\u202e', '\u2066', '\u2069', '\ufffe', '\uffff'];
  it('writes what JSON.stringify leaves raw as \\u escapes: the same value, no raw character', () => {
    const value = { [`k${raw.join('')}`]: [raw.join('|'), `C1${ESC}[31m`, 'Zoë 客户 😀', 1.5, null] };
    const text = jsonSafe(JSON.stringify(value, null, 2));
    expect(text).not.toMatch(RAW_CONTROL);
    for (const c of raw) expect(text.includes(c), c.codePointAt(0)!.toString(16)).toBe(false);
    expect(JSON.parse(text)).toEqual(value);
    expect(text).toContain('\\u009b');
    // Text without such characters is unchanged.
    expect(jsonSafe('{"a": "Zoë \\u001b"}')).toBe('{"a": "Zoë \\u001b"}');
  });
  it('jsonChunks gives the same text, also for a long array split into pieces', () => {
    const value = { rows: Array.from({ length: 5000 }, (_, i) => ({ id: `C${i}${raw[i % raw.length]}`, v: i })) };
    const text = [...jsonChunks(value)].join('');
    expect(text).toBe(jsonSafe(JSON.stringify(value, null, 2)) + '\n');
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('no raw control character reaches the terminal', () => {
  it('--format json: C1 controls and bidi controls as \\u escapes, the value unchanged', async () => {
    const lines = ['client_id,session,site,srs,ors'];
    for (let c = 0; c < 4; c++)
      for (let s = 1; s <= 3; s++) lines.push(`C${c},${s},${c % 2 ? 'plain' : 'a\x9b2Jb\u202eX\u2028'},${25 + s + c},${15 + 2 * s - (c % 2)}`);
    const r = await runInProcess(['correlate', f('c1.csv', lines.join('\n') + '\n'), '--by', 'site', '--min-clients', '1', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout).not.toContain('\u2028');
    expect(r.stdout).toContain('a\\u009b2Jb\\u202eX\\u2028');
    const groups = (JSON.parse(r.stdout) as { groups: { group: string }[] }).groups.map((g) => g.group);
    expect(groups).toContain('a\x9b2Jb\u202eX\u2028');
  });

  it('trend --clients table (cells)', async () => {
    const r = await runInProcess(['trend', f('esc.csv', escExport()), '--clients']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toContain('\\x1b[31mRED');
  });

  it('trend --by therapist, table and Markdown', async () => {
    for (const fmt of ['table', 'md']) {
      const r = await runInProcess(['trend', f('esc2.csv', escExport()), '--by', 'therapist', '--min-clients', '1', '--clients', '--format', fmt]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).not.toMatch(RAW_CONTROL);
    }
  });

  it('validate: table, GitHub annotations and Markdown', async () => {
    const p = f('esc3.csv', escExport());
    for (const fmt of ['table', 'github', 'md']) {
      const r = await runInProcess(['validate', p, '--format', fmt], { env: {} });
      expect(r.stderr).toBe('');
      expect([0, 1]).toContain(r.code);
      expect(r.stdout, fmt).not.toMatch(RAW_CONTROL);
      expect(r.stdout, fmt).toContain('dup\\x1b[1m');
    }
  });

  it("the report's HTML: charts, warnings, headers and the title show control characters escaped", async () => {
    f('esc4.csv', escExport());
    const cfg = f(
      'esc4.yaml',
      [
        'files: [esc4.csv]',
        'report:',
        '  title: "Clinic \\x1b]0;owned\\x07 \\u202eevil"',
        '  sections: [describe, correlate, trend]',
        '  formats: [html, md]',
        '  minClients: 1',
        '  clientTables: true',
        'correlate: { by: therapist }',
        'trend: { by: therapist }',
        '',
      ].join('\n'),
    );
    const out = path.join(tmp, 'esc4-report');
    const r = await runInProcess(['report', '--config', cfg, '--out', out], { env: {} });
    expect(r.code, r.stderr).toBe(0);
    for (const name of readdirSync(out).filter((n) => /\.(html|md)$/.test(n))) {
      const text = readFileSync(path.join(out, name), 'utf8');
      expect(text, name).not.toMatch(RAW_CONTROL);
      expect(text, name).toContain('T0\\x1b[2J');
      expect(text, name).toContain('Clinic \\x1b]0;owned\\x07 \\u202eevil');
    }
  });

  it('a header with ESC and a newline, echoed by an error message, stays one printable line', async () => {
    const p = f('hdr.csv', `client_id,session,"x${ESC}[2J\ny",srs\nA,1,2,30\n`);
    const r = await runInProcess(['correlate', p, '--client', 'nosuch']);
    expect(r.code).toBe(2);
    expect(r.stderr.endsWith('\n')).toBe(true);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).toContain('x\\x1b[2J\\ny');
  });

  it('a flag value with a newline: one line on stderr', async () => {
    const r = await runInProcess(['correlate', f('ok.csv', escExport()), '--session', 'a\nb']);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('a\\nb');
  });

  it('an unknown option with control characters (commander message): one printable line', async () => {
    const r = await runInProcess(['correlate', '--no-such\x1b[2J\nx']);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
  });
});
