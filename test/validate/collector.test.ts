import { describe, expect, it } from 'vitest';
import { FindingCollector } from '../../src/validate/findings.js';
import { validateDataset } from '../../src/validate/validate.js';
import { cappedFindings } from '../../src/sections/validate/document.js';
import { renderGithub } from '../../src/sections/validate/github.js';
import { renderJunit } from '../../src/sections/validate/junit.js';
import { countSummary } from '../../src/validate/sessions.js';
import { openDataset } from '../../src/dataset/open.js';
import { daysFromCivil } from '../../src/dataset/values.js';
import { runInProcess } from '../helpers/cli.js';
import { TODAY, tmpFile } from './helpers.js';
import { Readable } from 'node:stream';

const at = (fileIndex: number, line: number | null, colIndex: number) => ({
  file: `f${fileIndex}.csv`,
  fileIndex,
  line,
  column: colIndex >= 0 ? `c${colIndex}` : null,
  colIndex,
});

describe('FindingCollector', () => {
  it('sorts by file, line (file-level first), column, code', () => {
    const c = new FindingCollector();
    c.add('value.out-of-range', at(1, 2, 0), '1', 'm');
    c.add('value.non-numeric', at(0, 5, 3), 'x', 'm');
    c.add('session.duplicate', at(0, 5, 1), '1', 'm');
    c.add('structure.ragged-row', at(0, 5, -1), '3 fields', 'm');
    c.add('privacy.identifier-column', at(0, null, 2), 'email', 'm');
    c.add('session.future-date', at(0, 5, 1), 'x', 'm');
    expect(c.sorted().map((f) => `${f.file}:${f.line}:${f.column}:${f.code}`)).toEqual([
      'f0.csv:null:c2:privacy.identifier-column',
      'f0.csv:5:null:structure.ragged-row',
      'f0.csv:5:c1:session.duplicate',
      'f0.csv:5:c1:session.future-date',
      'f0.csv:5:c3:value.non-numeric',
      'f1.csv:2:c0:value.out-of-range',
    ]);
  });

  it('keeps at most `cap` row-level findings but counts all, and builds no message past the cap', () => {
    const c = new FindingCollector(3);
    let built = 0;
    for (let i = 0; i < 10; i++) c.add('value.out-of-range', at(0, i + 2, 1), String(i), () => `m${++built}`);
    c.add('value.likely-variant', at(0, null, 1), '0..9', 'column-level findings are always kept');
    expect(c.count('value.out-of-range')).toBe(10);
    expect(c.dropped).toBe(7);
    expect(c.full).toBe(true);
    expect(built).toBe(3);
    expect(c.sorted().map((f) => f.line)).toEqual([null, 2, 3, 4]);
    expect(c.totals()).toEqual({ fatal: 0, errors: 10, warnings: 1 });
  });

  it('rejects unknown codes (every code must be in the catalogue)', () => {
    expect(() => new FindingCollector().add('value.nope', at(0, 1, 1), null, 'm')).toThrow(/unknown finding code/);
  });
});

describe('countSummary', () => {
  it('min / median / max as R median', () => {
    expect(countSummary(Int32Array.from([3, 1, 2]))).toEqual({ min: 1, median: 2, max: 3 });
    expect(countSummary(Int32Array.from([4, 1, 2, 3]))).toEqual({ min: 1, median: 2.5, max: 4 });
    expect(countSummary(new Int32Array(0))).toBeNull();
  });
});

describe('truncation', () => {
  it('says so in the summary, the table, github and junit, with exact counts', async () => {
    const lines = ['client_id,session,srs'];
    for (let i = 1; i <= 12; i++) lines.push(`C${i},1,${40 + i}`);
    const file = tmpFile(lines.join('\n') + '\n');
    const io = {
      stdout: { write: () => true },
      stderr: { write: () => true },
      stdin: Readable.from([]),
      env: {},
      cwd: process.cwd(),
      stdoutIsTTY: false,
      stderrIsTTY: false,
    };
    const ds = await openDataset([file], {}, io);
    const result = await validateDataset(ds, { today: daysFromCivil(2025, 1, 1), missing: [], keep: 5 });
    expect(result.summary.findings.truncated).toBe(true);
    expect(result.summary.findings.listed).toBe(5);
    expect(result.summary.findings.errors).toBe(12);
    expect(result.findings).toHaveLength(5);
    const table = cappedFindings(result, 20);
    expect(table.rows).toHaveLength(5);
    expect(table.notes).toContain('... and 7 more value.out-of-range findings');
    expect(table.notes!.join(' ')).toMatch(/only the first 5 findings are kept/);
    expect(renderGithub(result, false)).toMatch(/title=alliance validate::FAILED: 12 errors.*value\.out-of-range 12 \(5 shown\).* of the 5 listed/);
    expect(renderJunit(result, false)).toMatch(/only the first 5 findings are listed/);
  });
});

describe('progress', () => {
  const lines = ['client_id,session,srs'];
  for (let i = 0; i < 270_000; i++) lines.push(`C${i % 9000},${Math.floor(i / 9000) + 1},30`);
  const csv = lines.join('\n') + '\n';
  it('is shown on a terminal and not in CI', async () => {
    const file = tmpFile(csv);
    const tty = await runInProcess(['validate', file, '--format', 'json', '--today', TODAY], { tty: true });
    expect(tty.code).toBe(0);
    expect(tty.stderr).toContain('\r\x1b[Kalliance validate [########################] 100%');
    expect(tty.stderr.endsWith('\r\x1b[K')).toBe(true);
    const ci = await runInProcess(['validate', file, '--format', 'json', '--today', TODAY], { tty: true, env: { CI: 'true' } });
    expect(ci.stderr).toBe('');
  });
});
