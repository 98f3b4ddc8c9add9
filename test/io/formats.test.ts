/**
 * Every input format and layout gives the same results as the long CSV it was made from
 * (fixtures/formats: long.csv, and the files fixtures/formats/make_* wrote from it with
 * gzip, zip, openpyxl, exceljs, R haven, hyparquet-writer, and as wide and REDCap exports).
 * Each command's JSON is compared with long.csv's after removing what names the input
 * (paths, mapping notes, format, cell locations) - every number must be identical.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';

const DIR = path.resolve('fixtures/formats');
const COMMANDS = ['describe', 'correlate', 'trend', 'ruptures', 'model', 'validate'] as const;
const COMMON = ['--outcome', 'ors', '--format', 'json'];
const EXTRA: Record<string, string[]> = { validate: ['--today', '2025-06-30'] };

/** Keys that name the input rather than the data. */
const INPUT_KEYS = new Set(['files', 'notes', 'path', 'file', 'cell', 'line', 'format', 'layout', 'delimiter', 'missingness']);

function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (!INPUT_KEYS.has(k)) out[k] = strip(x);
    return out;
  }
  // A wide file names its measures by their stem as written (SRS), a REDCap export its client record_id.
  if (typeof v === 'string') return v.toLowerCase().replace(/record_id/g, 'client_id');
  return v;
}

async function run(cmd: string, file: string, extra: string[] = [], stdin?: Buffer) {
  const r = await runInProcess([cmd, stdin ? '-' : file, ...COMMON, ...(EXTRA[cmd] ?? []), ...extra], { cwd: DIR, stdin });
  return r;
}

const cases: [string, string[]][] = [
  ['long.csv.gz', []],
  ['long.zip', []],
  ['long.xlsx', []],
  ['long_formulas.xlsx', []],
  ['long.sav', []],
  ['long_uncompressed.sav', []],
  ['long.zsav', []],
  ['long.parquet', []],
  ['wide_srs_1.csv', []],
  ['wide_SRS_s1.csv', []],
  ['wide_ors.t2.csv', []],
  ['wide_phq9_w3.csv', []],
  ['wide_session_words.csv', []],
  ['wide_forced.csv', ['--wide', 'T{session}-{measure}']],
  ['redcap.csv', []],
  ['redcap_repeating.csv', []],
];

describe('every format gives the long CSV results', () => {
  const reference = new Map<string, { code: number; json: unknown }>();
  const ref = async (cmd: string) => {
    if (!reference.has(cmd)) {
      const r = await run(cmd, 'long.csv');
      expect(r.stderr).toBe('');
      reference.set(cmd, { code: r.code, json: strip(JSON.parse(r.stdout)) });
    }
    return reference.get(cmd)!;
  };
  for (const [file, extra] of cases) {
    for (const cmd of COMMANDS) {
      it(`${cmd} ${file}${extra.length ? ' ' + extra.join(' ') : ''}`, async () => {
        const want = await ref(cmd);
        const got = await run(cmd, file, extra);
        expect(got.stderr).toBe('');
        expect(got.code).toBe(want.code);
        expect(strip(JSON.parse(got.stdout))).toEqual(want.json);
      });
    }
  }
  for (const file of ['long.csv.gz', 'long.zip', 'long.xlsx', 'long.sav', 'long.parquet']) {
    it(`correlate reads ${file} from standard input (sniffed from its magic bytes)`, async () => {
      const want = await ref('correlate');
      const got = await run('correlate', file, [], readFileSync(path.join(DIR, file)));
      expect(got.stderr).toBe('');
      expect(strip(JSON.parse(got.stdout))).toEqual(want.json);
    });
  }
});
