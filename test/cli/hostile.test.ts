/**
 * Adversarial inputs for every command. The product rule: bad input never ends in a stack
 * trace or an internal error (exit 70); a usage error is one line on stderr starting with
 * 'alliance: ' (exit 2), a data problem is a finding (validate, exit 1), and table output
 * never shows NaN, undefined or Infinity.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runInProcess, type CliResult } from '../helpers/cli.js';
import { ROOT } from '../helpers/spawn.js';

let tmp: string;

/** Rows for clients C0..C5 x sessions 1..4; `cell(c, s)` may override the alliance cell. */
function grid(header: string, row: (c: number, s: number) => string): string {
  const lines = [header];
  for (let c = 0; c < 6; c++) for (let s = 1; s <= 4; s++) lines.push(row(c, s));
  return lines.join('\n') + '\n';
}
const plain = (odd: string) => grid('client_id,session,a,o', (c, s) => `C${c},${s},${c === 1 && s === 2 ? odd : 20 + c + s * 1.5},${15 + s + c * (s % 2)}`);
const srs = (odd: string) => grid('client_id,session,srs,ors', (c, s) => `C${c},${s},${c === 1 && s === 2 ? odd : 25 + s + (c % 3)},${15 + s * 2 - (c % 2)}`);
const sessions = (vals: string[]) => {
  const lines = ['client_id,session,srs,ors'];
  for (let c = 0; c < 6; c++) vals.forEach((v, i) => lines.push(`C${c},${v},${25 + i + (c % 3)},${15 + i * 2 - (c % 2)}`));
  return lines.join('\n') + '\n';
};
const dates = (ds: string[]) => {
  const lines = ['client_id,session,date,srs,ors'];
  for (let c = 0; c < 6; c++) ds.forEach((d, i) => lines.push(`C${c},${i + 1},${d},${25 + i + (c % 3)},${15 + i * 2 - (c % 2)}`));
  return lines.join('\n') + '\n';
};
const unicodeRows = ['client_id,session,srs,ors'];
for (const c of ['😀', 'עברית', '客户', 'e\u0301']) for (let s = 1; s <= 3; s++) unicodeRows.push(`${c},${s},${25 + s},${15 + s * 2}`);

/** name -> file contents. */
const FILES: Record<string, string | Buffer> = {
  'empty.csv': '',
  'bom.csv': Buffer.from([0xef, 0xbb, 0xbf]),
  'newlines.csv': '\n\n\n',
  'onecol.csv': 'client_id\nA\nB\n',
  'header-only.csv': 'client_id,session,srs,ors\n',
  'dupclient.csv': 'client_id,client_id,session,srs,ors\nA,A,1,30,20\n',
  'emptyclient.csv': 'client_id,session,srs,ors\n,1,30,20\n,2,31,22\n',
  'allmissing.csv': 'client_id,session,srs,ors\nA,1,,\nA,2,,\nB,1,,\n',
  'oneclient.csv': 'client_id,session,srs,ors\nA,1,30,20\nA,2,31,22\nA,3,33,25\n',
  'twoclients.csv': 'client_id,session,srs,ors\nA,1,30,20\nA,2,31,22\nA,3,33,25\nB,1,20,10\nB,2,25,12\nB,3,28,20\n',
  'zerovar.csv': grid('client_id,session,date,srs,ors', (c, s) => `C${c},${s},2024-01-0${s},30,20`),
  'huge.csv': plain('1e308'),
  'neghuge.csv': plain('-1e308'),
  'e400.csv': plain('1e400'),
  'negzero.csv': plain('-0'),
  'infinity.csv': plain('Infinity'),
  'nan.csv': plain('NaN'),
  'thousands.csv': plain('"1,234"'),
  'spaces.csv': plain(' 3 0 '),
  'srs-huge.csv': srs('1e308'),
  'srs-e400.csv': srs('1e400'),
  'sess0.csv': sessions(['0', '1', '2', '3']),
  'sessneg.csv': sessions(['-1', '1', '2', '3']),
  'sessfrac.csv': sessions(['1', '1.5', '2', '3']),
  'sesshuge.csv': sessions(['1', '2', '3', '1e12']),
  'feb30.csv': dates(['2025-01-01', '2025-02-30', '2025-03-01']),
  'year0.csv': dates(['0000-01-01', '0000-01-08', '0000-01-15']),
  'year9999.csv': dates(['9999-12-01', '9999-12-15', '9999-12-31']),
  'mixeddates.csv': dates(['2025-01-01', '02/01/2025', '2025.01.03']),
  'longfield.csv': 'client_id,session,srs,ors\nA,1,' + 'x'.repeat(1_000_000) + ',20\nA,2,30,20\n',
  'wide.csv': 'client_id,session,srs,ors\nA,1,30,20,' + Array(10_000).fill('1').join(',') + '\nA,2,30,20\n',
  'unicode.csv': unicodeRows.join('\n') + '\n',
  'cr.csv': unicodeRows.join('\r') + '\r',
  'openquote.csv': unicodeRows.join('\n') + '\n"A,1,30,20\n',
  'nul.csv': Buffer.concat([Buffer.from(unicodeRows.slice(0, 4).join('\n') + '\nX'), Buffer.from([0]), Buffer.from('Y,1,2,3\n')]),
  'nodates.csv': 'client_id,session,srs,ors\nA,1,30,20\nA,2,31,22\nB,1,20,10\nB,2,25,12\n',
  'list.yaml': '- a\n- b\n',
  'number.yaml': '42\n',
  'empty.yaml': '',
  'anchors.yaml': 'alliance: &a srs\noutcome: ors\n',
  'dupkeys.yaml': 'client: client_id\nclient: session\n',
  'deep.yaml': 'a:\n' + Array.from({ length: 2000 }, (_, i) => '  '.repeat(i + 1) + 'b:\n').join(''),
};

const DATA = Object.keys(FILES).filter((f) => f.endsWith('.csv'));
const CONFIGS = Object.keys(FILES).filter((f) => f.endsWith('.yaml'));

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'alliance-hostile-'));
  for (const [name, body] of Object.entries(FILES)) writeFileSync(path.join(tmp, name), body);
  mkdirSync(path.join(tmp, 'dir with space', 'ünï'), { recursive: true });
  copyFileSync(path.join(ROOT, 'fixtures/demo.csv'), path.join(tmp, 'dir with space', 'ünï', 'd é.csv'));
  copyFileSync(path.join(ROOT, 'fixtures/demo.csv'), path.join(tmp, 'demo.csv'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = (argv: string[], stdin?: string) => runInProcess(argv, { cwd: tmp, stdin });

/** The product rule, for any command and input. */
function expectClean(r: CliResult, argv: string[]): void {
  const what = `${argv.join(' ')}\n--- stderr\n${r.stderr.slice(0, 2000)}`;
  expect([0, 1, 2], what).toContain(r.code);
  expect(r.stderr, what).not.toMatch(/internal error/i);
  expect(r.stderr, what).not.toMatch(/^\s+at /m);
  if (r.code === 2) {
    const lines = r.stderr.replace(/\n$/, '').split('\n');
    expect(lines, what).toHaveLength(1);
    expect(lines[0], what).toMatch(/^alliance: \S/);
  }
  const table = argv.includes('--format') ? argv[argv.indexOf('--format') + 1] === 'table' : true;
  // validate echoes the offending cell ('Infinity', 'NaN') in its findings: that is data, not a computed value.
  if (table && argv[0] !== 'validate') expect(r.stdout, what).not.toMatch(/NaN|undefined|Infinity/);
}

const ANALYSES = ['validate', 'describe', 'correlate', 'trend', 'model', 'ruptures'];

describe('hostile data files: every analysing command', () => {
  const cases = DATA.flatMap((f) => ANALYSES.map((c) => [c, f] as const));
  it.each(cases)('%s %s', async (cmd, file) => {
    const plainCols = ['huge.csv', 'neghuge.csv', 'e400.csv', 'negzero.csv', 'infinity.csv', 'nan.csv', 'thousands.csv', 'spaces.csv'].includes(file);
    const argv = [cmd, file, ...(plainCols ? ['--alliance', 'a', '--outcome', 'o'] : cmd === 'model' ? ['--outcome', 'ors'] : [])];
    expectClean(await run(argv), argv);
  });
});

describe('hostile configs', () => {
  const cases = CONFIGS.flatMap((f) => ANALYSES.map((c) => [c, f] as const));
  it.each(cases)('%s demo.csv --config %s', async (cmd, cfg) => {
    const argv = [cmd, 'demo.csv', '--outcome', 'ors', '--config', cfg];
    expectClean(await run(argv), argv);
  });
  it.each(CONFIGS)('report --config %s', async (cfg) => {
    const argv = ['report', '--config', cfg, '--out', 'out-' + cfg];
    const r = await run(argv);
    expectClean(r, argv);
    expect(r.code).toBe(2);
    expect(existsSync(path.join(tmp, 'out-' + cfg))).toBe(false);
  });
});

describe('absurd option values', () => {
  const D = ['demo.csv', '--alliance', 'srs', '--outcome', 'ors'];
  const cases: string[][] = [
    ['correlate', ...D, '--ci', '1'],
    ['correlate', ...D, '--ci', '0'],
    ['correlate', ...D, '--ci', '1e400'],
    ['correlate', ...D, '--bootstrap', '1'],
    ['correlate', ...D, '--bootstrap', '-5'],
    ['correlate', ...D, '--early-session', '1000'],
    ['correlate', ...D, '--early-window', '1000'],
    ['correlate', ...D, '--min-clients', '0'],
    ['correlate', ...D, '--by', 'therapist_id', '--min-clients', '100000'],
    ['correlate', ...D, '--by', 'nosuch'],
    ['correlate', ...D, '--analyses', 'pooled,pooled'],
    ['correlate', ...D, '--seed', '1e400'],
    ['trend', ...D, '--pre', '5', '--post', '2'],
    ['trend', ...D, '--pre', '0', '--post', '1000'],
    ['trend', ...D, '--reliability', '0'],
    ['trend', ...D, '--reliability', '1'],
    ['trend', ...D, '--ntp-bands', '1000'],
    ['trend', ...D, '--alliance-cutoff', '1e400'],
    ['trend', 'nodates.csv', '--period', 'month'],
    ['trend', ...D, '--by', 'site', '--min-clients', '1000'],
    ['model', ...D, '--covariate', 'nosuch'],
    ['model', 'oneclient.csv', '--outcome', 'ors'],
    ['ruptures', ...D, '--rupture-drop', '0'],
    ['ruptures', ...D, '--rupture-drop', '1e400'],
    ['ruptures', ...D, '--rupture-sd', '-1'],
    ['ruptures', ...D, '--repair-window', '2.5'],
    ['ruptures', ...D, '--by', 'nosuch'],
    ['ruptures', ...D, '--by', 'therapist_id', '--min-clients', '100000'],
    ['ruptures', 'oneclient.csv', '--outcome', 'ors'],
    ['simulate', '--rupture-rate', '0.1', '--rupture-depth', '1000'],
    ['simulate', '--therapist-alliance', '-1'],
    ['validate', 'demo.csv', '--today', '2025-02-30'],
    ['validate', 'demo.csv', '--max-findings', '-1'],
    ['simulate', '--clients', '0'],
    ['simulate', '--sessions', '5-2'],
    ['simulate', '--start', '2025-02-30'],
    ['simulate', '--out', 'nosuchdir/x.csv'],
    ['simulate', '--out', '.'],
    ['instruments', 'NOPE'],
    ['describe', 'demo.csv', '--instrument', 'srs'],
    ['correlate', 'demo.csv', '--instrument', '=SRS'],
    ['validate', 'demo.csv', '--instrument', 'srs=SRS,ors'],
    ['trend', 'demo.csv', '--instrument', ''],
    ['describe', 'demo.csv', '--delimiter', 'x'],
    ['describe', 'demo.csv', '--therapist', 'client_id'],
    ['describe', 'demo.csv', '--alliance', 'srs,srs'],
  ];
  for (const c of ['validate', 'describe', 'correlate', 'trend', 'model', 'ruptures', 'instruments'])
    for (const f of ['table', 'json', 'csv', 'md', 'github', 'xml']) cases.push(c === 'instruments' ? [c, '--format', f] : [c, ...D, '--format', f]);
  it.each(cases.map((a) => [a.join(' '), a] as const))('%s', async (_name, argv) => {
    expectClean(await run(argv), argv);
  });
});

describe('paths and streams', () => {
  it.each(ANALYSES)('%s on a path with spaces and non-ASCII characters', async (cmd) => {
    const argv = [cmd, path.join('dir with space', 'ünï', 'd é.csv'), '--outcome', 'ors'];
    const r = await run(argv);
    expectClean(r, argv);
    expect(r.code).toBeLessThan(2);
  });
  it.each(ANALYSES)('%s - with empty stdin', async (cmd) => {
    const r = await run([cmd, '-', '--outcome', 'ors'], '');
    expectClean(r, [cmd, '-']);
    expect(r.code).toBe(2);
  });
});

describe('report --out never replaces what the report reads', () => {
  it.each([
    ['the folder holding the config and inputs', '.'],
    ['the input folder', 'in'],
    ['an input file', 'in/demo.csv'],
    ['the config file', 'r.yaml'],
    ['an ancestor folder', '..'],
  ])('--out %s with --force is refused and deletes nothing', async (_name, out) => {
    const dir = mkdtempSync(path.join(tmp, 'guard-'));
    mkdirSync(path.join(dir, 'in'));
    copyFileSync(path.join(ROOT, 'fixtures/demo.csv'), path.join(dir, 'in', 'demo.csv'));
    const cfg = readFileSync(path.join(ROOT, 'fixtures/report.yaml'), 'utf8').replace('files: [demo.csv]', 'files: [in/demo.csv]');
    expect(cfg).toContain('files: [in/demo.csv]');
    writeFileSync(path.join(dir, 'r.yaml'), cfg);
    const argv = ['report', '--config', 'r.yaml', '--out', out, '--force'];
    const r = await runInProcess(argv, { cwd: dir });
    expectClean(r, argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the output folder (is|holds) '(in\/demo\.csv|r\.yaml)', a file this report reads/);
    expect(readFileSync(path.join(dir, 'in', 'demo.csv'))).toEqual(readFileSync(path.join(ROOT, 'fixtures/demo.csv')));
    expect(readFileSync(path.join(dir, 'r.yaml'), 'utf8')).toBe(cfg);
  });
  it('an output folder beside the inputs is fine', async () => {
    const dir = mkdtempSync(path.join(tmp, 'guard-'));
    copyFileSync(path.join(ROOT, 'fixtures/demo.csv'), path.join(dir, 'demo.csv'));
    copyFileSync(path.join(ROOT, 'fixtures/report.yaml'), path.join(dir, 'r.yaml'));
    const r = await runInProcess(['report', '--config', 'r.yaml', '--out', 'out', '--force'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(path.join(dir, 'out', 'report.html'))).toBe(true);
  });
});

describe('model --covariate repeating a column the model already uses', () => {
  it.each([
    ['ors', 'covariate "ors" is the outcome'],
    ['srs', 'covariate "srs" is the alliance measure'],
    ['client_id', 'covariate "client_id" is the client id'],
    ['session', 'covariate "session" is the session number (use --time for it)'],
    ['site,site', 'covariate "site" is named twice'],
  ])('--covariate %s is a usage error, not a degenerate fit', async (cov, msg) => {
    const argv = ['model', 'demo.csv', '--outcome', 'ors', '--alliance', 'srs', '--covariate', cov];
    const r = await run(argv);
    expectClean(r, argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`alliance: demo.csv:1: ${msg}`);
  });
  it('a covariate in the report config is named at its line', async () => {
    const dir = mkdtempSync(path.join(tmp, 'cov-'));
    copyFileSync(path.join(ROOT, 'fixtures/demo.csv'), path.join(dir, 'demo.csv'));
    const cfg = readFileSync(path.join(ROOT, 'fixtures/report.yaml'), 'utf8').replace(
      /sections: \[validate, describe, correlate, trend\]/,
      'sections: [model]',
    );
    expect(cfg).toContain('sections: [model]');
    writeFileSync(path.join(dir, 'r.yaml'), cfg + '\nmodel:\n  outcome: ors\n  covariate: [ors]\n');
    const r = await runInProcess(['report', '--config', 'r.yaml', '--out', 'out'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^alliance: r\.yaml:\d+: covariate "ors" is the outcome\. Give model\.covariate other columns/);
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
  });
});

describe('option value parsers', () => {
  it.each(['srs', '=SRS', 'srs=', 'srs=SRS,ors', ''])('--instrument %j is a usage error (exit 2), not an internal error', async (v) => {
    const argv = ['describe', 'demo.csv', '--instrument', v];
    const r = await run(argv);
    expectClean(r, argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^alliance: --instrument expects COLUMN=INSTRUMENT, got "[^"]*"\. For example --instrument score=PHQ-9/);
  });
});

describe('report config errors found in the data', () => {
  it('a filter value that never occurs is the only line on stderr (no progress line before it), and nothing is written', async () => {
    const dir = mkdtempSync(path.join(tmp, 'filter-'));
    copyFileSync(path.join(ROOT, 'fixtures/demo.csv'), path.join(dir, 'demo.csv'));
    const cfg = readFileSync(path.join(ROOT, 'fixtures/report.yaml'), 'utf8').replace('values: [S1, S2, S3]', 'values: [NOPE]');
    expect(cfg).toContain('values: [NOPE]');
    writeFileSync(path.join(dir, 'r.yaml'), cfg);
    const argv = ['report', '--config', 'r.yaml', '--out', 'out'];
    const r = await runInProcess(argv, { cwd: dir });
    expectClean(r, argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^alliance: r\.yaml:\d+: report\.filters\.values: 'NOPE' never occurs in column 'site'\. Values found: S1, S2, S3\.\n$/);
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
  });
});

describe('trend: errors about the data name the file and its header line', () => {
  it.each([
    [['trend', 'onecol.csv'], 'onecol.csv:1: no alliance or outcome column found. Name them with --alliance COL and/or --outcome COL.'],
    [['trend', 'nodates.csv', '--period', 'month'], 'nodates.csv:1: --period needs session dates, and no date column was found. Name it with --date COL.'],
  ])('%j', async (argv, line) => {
    const r = await run(argv);
    expectClean(r, argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`alliance: ${line}\n`);
  });
});

describe('correlate: values whose squares overflow are named, not reported as "no variation"', () => {
  it.each(['huge.csv', 'neghuge.csv'])('%s', async (file) => {
    const argv = ['correlate', file, '--alliance', 'a', '--outcome', 'o', '--format', 'json'];
    const r = await run(argv);
    expectClean(r, argv);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('alliance values too large to compute with (squares beyond the floating-point range)');
    expect(r.stdout).not.toContain('no variation in alliance');
    expect(r.stdout).not.toContain('no within-client variation in alliance');
  });
});
