/**
 * OOXML escapes in cell text (ECMA-376 Part 1, 22.9.2.19 ST_Xstring: `_xHHHH_` is the UTF-16
 * code unit HHHH, `_x005F_` the underscore of a literal `_xHHHH_`) in a workbook written as
 * Excel writes them (test/reference/xlsx-escapes.py), against what R readxl reads from it
 * (test/reference/xlsx-escapes.R): shared strings, rich text, an inline string and a header.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeXstring } from '../../src/io/xlsx-parts.js';
import { openSniffed } from '../../src/io/table.js';

const ref = JSON.parse(readFileSync('test/reference/xlsx-escapes.json', 'utf8')) as {
  header: string[];
  records: { line: number; fields: string[] }[];
};

describe('xlsx _xHHHH_ escapes', () => {
  it('decodes them in the header and every cell as readxl does', async () => {
    const input = await openSniffed('fixtures/formats/escapes.xlsx', { looksLikeHeader: (c) => c.includes('client_id') });
    expect(input.header).toEqual(ref.header);
    const got: { line: number; fields: string[] }[] = [];
    await input.read((fields, line) => got.push({ line, fields: fields.slice() }));
    expect(got).toHaveLength(ref.records.length);
    got.forEach((r, i) => {
      const want = ref.records[i];
      expect(r.line).toBe(want.line);
      // readxl leaves a formula's cached string (<v> of a t="str" cell) as written; ECMA-376
      // types <v> as ST_Xstring like <t>, so we decode it (docs/formats.md).
      const fields = want.fields[3] === 'cached_x000D_' ? [...want.fields.slice(0, 3), 'cached\r'] : want.fields;
      expect(r.fields, `line ${r.line}`).toEqual(fields);
    });
    expect(got.some((r) => r.fields[3] === 'cached\r')).toBe(true);
  });

  it('decodes left to right, either case, and leaves what is not an escape', () => {
    expect(decodeXstring('a_x005F_x000D_b')).toBe('a_x000D_b');
    expect(decodeXstring('_x000a__x000A_')).toBe('\n\n');
    expect(decodeXstring('_x00D_ _x00G0_ x000D_ _X000D_')).toBe('_x00D_ _x00G0_ x000D_ _X000D_');
    expect(decodeXstring('_xD83D__xDE00_')).toBe('\u{1F600}');
    expect(decodeXstring('plain')).toBe('plain');
  });
});
