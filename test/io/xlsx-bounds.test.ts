/**
 * The workbook reader's memory bounds (docs/safety.md, "Devices, pipes and size limits"):
 * one shared string, inline string or cell text holds at most 16 Mi characters (as a CSV
 * record 16 MiB), refused while it accumulates, before it is held whole; and a workbook of
 * many strings ends in the heap guard's one line (exit 71), not in V8's abort (exit 134).
 * Before these bounds a 278 KB workbook of one 256 MiB shared string peaked at 1.13 GB.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';
import { xlsxBook } from '../helpers/xlsx-book.js';
import { BIN, ROOT } from '../helpers/spawn.js';
import { MAX_TEXT, readWorkbook, streamRows } from '../../src/io/xlsx-parts.js';

/** A workbook of one sheet 'Sessions': `rows` is the inner XML of <sheetData>, `sst` that of <sst> (raw, so a part may be cut short). */
function book(name: string, rows: string, sst = '', sstEnd = '</sst>', level: 0 | 1 | 6 = 6): string {
  return xlsxBook(name, { rows, sst, sstEnd, level });
}

const si = (t: string) => `<si><t>${t}</t></si>`;
const HEADER = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>srs</t></is></c></row>';
const SHEET = `${HEADER}<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2"><v>30</v></c></row>`;

/** Where the error of a read lands (null: none). */
async function failure(p: Promise<unknown>): Promise<{ message: string; location: unknown; exitCode: number } | null> {
  try {
    await p;
    return null;
  } catch (e) {
    return e as { message: string; location: unknown; exitCode: number };
  }
}

describe('xlsx: one text holds at most 16 Mi characters', () => {
  it('takes a shared string of exactly the limit, refuses one over it, naming its index', async () => {
    const limits = { maxText: 100, display: 'shown.xlsx' };
    const ok = await readWorkbook(book('ok.xlsx', SHEET, si('client_id') + si('a'.repeat(100))), limits);
    expect(ok.sharedStrings.get(1)).toHaveLength(100);
    const e = await failure(readWorkbook(book('long.xlsx', SHEET, si('client_id') + si('a'.repeat(101))), limits));
    expect(e?.message).toBe('shared string 1 (0-based, as cells refer to it) runs on for more than 100 characters');
    expect(e?.location).toEqual({ file: 'shown.xlsx' });
    expect(e?.exitCode).toBe(2);
  });

  it("counts a rich text string's runs together, and escapes as the characters they stand for", async () => {
    const runs = (n: number) => `<si>${Array.from({ length: n }, () => `<r><t>${'b'.repeat(40)}</t></r>`).join('')}</si>`;
    expect((await readWorkbook(book('two.xlsx', SHEET, si('client_id') + runs(2)), { maxText: 100 })).sharedStrings.get(1)).toHaveLength(80);
    const e = await failure(readWorkbook(book('three.xlsx', SHEET, si('client_id') + runs(3)), { maxText: 100 }));
    expect(e?.message).toMatch(/^shared string 1 \(0-based/);
    // `&amp;` is one character of the string (saxes hands on the text decoded).
    expect((await readWorkbook(book('amp.xlsx', SHEET, si('&amp;'.repeat(100))), { maxText: 100 })).sharedStrings.get(0)).toBe('&'.repeat(100));
  });

  it('refuses a string while it still arrives: one that never ends is refused, not read to the end of the part', async () => {
    // 3 MiB of one text node with no closing tag: saxes hands a text node on only at the next
    // tag, so only the check on what it holds between chunks can see it (before: "unclosed tag").
    const e = await failure(readWorkbook(book('open.xlsx', SHEET, `<si><t>${'c'.repeat(3 << 20)}`, ''), { maxText: 1 << 20 }));
    expect(e?.message).toMatch(/^shared string 0 \(0-based, as cells refer to it\) runs on for more than 1 M characters$/);
  });

  it('refuses any other text node of a part past the limit (a comment, an attribute value, a phonetic run)', async () => {
    const e = await failure(readWorkbook(book('phonetic.xlsx', SHEET, `<si><t>x</t><rPh><t>${'d'.repeat(3 << 20)}</t></rPh></si>`), { maxText: 1 << 20 }));
    expect(e?.message).toMatch(/^a text in xl\/sharedStrings\.xml runs on for more than 1 M characters$/);
  });

  it("refuses a cell's inline string or <v> past the limit, naming the sheet and cell", async () => {
    const limits = { maxText: 100, display: 'shown.xlsx', sheet: 'Sessions' };
    const read = (rows: string) => streamRows(book('cells.xlsx', HEADER + rows), 'xl/worksheets/sheet1.xml', () => undefined, limits);
    expect(await read(`<row r="2"><c r="B2" t="inlineStr"><is><t>${'e'.repeat(100)}</t></is></c></row>`)).toBe(2);
    const runs = `<row r="2"><c r="C2" t="inlineStr"><is><r><t>${'e'.repeat(60)}</t></r><r><t>${'e'.repeat(60)}</t></r></is></c></row>`;
    const inline = await failure(read(runs));
    expect(inline?.message).toBe("the cell's text runs on for more than 100 characters");
    expect(inline?.location).toEqual({ file: 'shown.xlsx', cell: 'Sessions!C2' });
    const v = await failure(read(`<row r="7"><c r="D7" t="str"><f>A1</f><v>${'f'.repeat(101)}</v></c></row>`));
    expect(v?.location).toEqual({ file: 'shown.xlsx', cell: 'Sessions!D7' });
    // Still arriving: a <v> that never ends, 3 MiB against a 1 MiB limit.
    const open = await failure(
      streamRows(book('open-v.xlsx', `${HEADER}<row r="3"><c r="B3"><v>${'9'.repeat(3 << 20)}`), 'xl/worksheets/sheet1.xml', () => undefined, {
        maxText: 1 << 20,
        sheet: 'Sessions',
      }),
    );
    expect(open?.location).toMatchObject({ cell: 'Sessions!B3' });
  });

  it('at the real limit: a shared string of 16 Mi + 1 characters is one line, exit 2, naming the file', async () => {
    const f = book('huge.xlsx', SHEET, si('client_id') + si('g'.repeat(MAX_TEXT + 1)), '</sst>', 1);
    const r = await runInProcess(['describe', f]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^alliance: .*huge\.xlsx: shared string 1 \(0-based, as cells refer to it\) runs on for more than 16 M characters\. A cell of session data is far shorter/,
    );
  });
});

describe('xlsx: many shared strings end in the heap guard, not in V8 abort', () => {
  it('a workbook whose shared strings outgrow a 128 MB heap: exit 71, one line naming the file', () => {
    // 4M strings of 10 characters (108 MB of XML): more than a 128 MB heap holds. The heap is
    // 128 MB, as in test/cli/memory-bound.test.ts: the guard's margin (20%) must exceed a
    // semi-space (16 MB) of strings the young generation promotes at once.
    // Before the heap check per chunk: V8's "heap out of memory" abort, exit 134, native stack.
    const parts: string[] = [];
    for (let i = 0; i < 4_000_000; i++) parts.push(si(String(i).padStart(10, '0')));
    const f = book('many.xlsx', SHEET, si('client_id') + parts.join(''), '</sst>', 1);
    const r = spawnSync(process.execPath, ['--max-old-space-size=128', BIN, 'describe', f], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', TMPDIR: process.env.TMPDIR ?? '' },
      encoding: 'utf8',
    });
    expect([r.status, r.signal], r.stderr.slice(0, 2000)).toEqual([71, null]);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^alliance: .*many\.xlsx: ran out of memory: the data read so far fills the \d+ MB heap Node\.js allows\./);
  });
});
