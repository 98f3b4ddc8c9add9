/**
 * The pass that decides a CSV's date format (src/dataset/dates.ts) reads a UTF-8 CSV with
 * the byte-range scanner and any other input with the text reader. Differential: the same
 * rows as UTF-8 (byte ranges) and as UTF-16 with a BOM (text reader) give the same decision,
 * the same note naming the deciding date and its line, and the same error, whatever the
 * mix of ISO, slash, dot, quoted, invalid and missing dates, ragged rows, blank lines and
 * line endings.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alliance-datesample-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const dateArb = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 28 }).map((d) => `2024-03-${String(d).padStart(2, '0')}`), weight: 6 },
  { arbitrary: fc.tuple(fc.integer({ min: 1, max: 28 }), fc.integer({ min: 1, max: 12 })).map(([d, m]) => `${d}/${m}/2024`), weight: 3 },
  { arbitrary: fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 })).map(([m, d]) => `${m}/${d}/2024`), weight: 3 },
  { arbitrary: fc.constantFrom('', 'NA', 'soon', '"05/03/2024"', '"2024-03-07"', '05.03.2024', ' 13/02/2024 ', '03-04-2024'), weight: 2 },
);

const rowArb = fc.record({
  client: fc.constantFrom('C1', 'C2', 'C3'),
  date: dateArb,
  ragged: fc.constantFrom(false, false, false, false, false, false, false, true),
  blankBefore: fc.constantFrom(false, false, false, false, false, false, false, true),
});

const fileArb = fc.record({ rows: fc.array(rowArb, { minLength: 1, maxLength: 40 }), crlf: fc.boolean() });

/** What the run says of its dates: the notes about them, or its error (the file's name taken out). */
async function dateVerdict(file: string): Promise<string> {
  const r = await runInProcess(['describe', file, '--format', 'json']);
  if (r.code !== 0) return `exit ${r.code}: ${r.stderr.split(path.basename(file)).join('FILE')}`;
  const notes: string[] = JSON.parse(r.stdout).mapping.notes;
  return notes
    .filter((n) => n.startsWith('dates in '))
    .map((n) => n.split(file).join('FILE'))
    .join('\n');
}

let n = 0;

describe('date sample: byte ranges and text reader agree', () => {
  it('same decision, note and error for UTF-8 and UTF-16 copies of the same rows', async () => {
    await fc.assert(
      fc.asyncProperty(fileArb, async ({ rows, crlf }) => {
        const nl = crlf ? '\r\n' : '\n';
        const lines = ['client_id,session,date,srs,ors'];
        rows.forEach((r, i) => {
          if (r.blankBefore) lines.push('');
          lines.push(r.ragged ? `${r.client},${i + 1}` : `${r.client},${i + 1},${r.date},30,20`);
        });
        const text = lines.join(nl) + nl;
        const k = n++;
        const utf8 = path.join(dir, `d${k}.csv`);
        const utf16 = path.join(dir, `d${k}-16.csv`);
        fs.writeFileSync(utf8, text);
        fs.writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
        const [a, b] = [await dateVerdict(utf8), await dateVerdict(utf16)];
        expect(a.split('d' + k + '-16.csv').join('FILE')).toBe(b.split('d' + k + '-16.csv').join('FILE'));
      }),
      { numRuns: 60 },
    );
  });

  it('a slash date decides on its line in both readers', async () => {
    const text = 'client_id,session,date,srs,ors\nA,1,2024-01-02,30,20\n\nA,2,"13/02/2024",31,22\n';
    const utf8 = path.join(dir, 'decide.csv');
    const utf16 = path.join(dir, 'decide-16.csv');
    fs.writeFileSync(utf8, text);
    fs.writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const a = await dateVerdict(utf8);
    expect(a).toBe("dates in FILE read as DD/MM/YYYY (decided by '13/02/2024' on line 4)");
    expect(await dateVerdict(utf16)).toBe(a);
  });
});
