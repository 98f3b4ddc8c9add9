/**
 * A minimal .xlsx written by hand (fflate), for tests of damaged or hand-made workbooks that
 * Excel or ExcelJS would not write: one sheet 'Sessions' whose <sheetData> is `rows`, a
 * shared-strings part whose inner XML is `sst` (raw, so a part may be cut short by
 * `sstEnd: ''`), and, with `numFmts`, a styles part whose cell formats have those numFmtIds
 * (14: a date).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { strToU8, zipSync } from 'fflate';

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

export interface BookParts {
  rows: string;
  sst?: string;
  sstEnd?: string;
  numFmts?: number[];
  /** Deflate level (0: stored, so a part's bytes are as large as its text). */
  level?: 0 | 1 | 6;
}

/** The workbook's path, in a new temporary folder. */
export function xlsxBook(name: string, { rows, sst = '', sstEnd = '</sst>', numFmts, level = 6 }: BookParts): string {
  const styles = numFmts !== undefined;
  const files: Record<string, Uint8Array> = {
    '[Content_Types].xml': strToU8(
      '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
    ),
    'xl/workbook.xml': strToU8(
      `<?xml version="1.0"?><workbook ${NS} xmlns:r="${REL}"><sheets><sheet name="Sessions" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ),
    'xl/_rels/workbook.xml.rels': strToU8(
      `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
        `<Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>` +
        (styles ? `<Relationship Id="rId2" Type="${REL}/styles" Target="styles.xml"/>` : '') +
        `<Relationship Id="rId3" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
    ),
    'xl/sharedStrings.xml': strToU8(`<?xml version="1.0"?><sst ${NS}>${sst}${sstEnd}`),
    'xl/worksheets/sheet1.xml': strToU8(`<?xml version="1.0"?><worksheet ${NS}><sheetData>${rows}</sheetData></worksheet>`),
  };
  if (styles)
    files['xl/styles.xml'] = strToU8(
      `<?xml version="1.0"?><styleSheet ${NS}><cellXfs>${numFmts.map((id) => `<xf numFmtId="${id}"/>`).join('')}</cellXfs></styleSheet>`,
    );
  const f = path.join(mkdtempSync(path.join(os.tmpdir(), 'alliance-xlsx-book-')), name);
  writeFileSync(f, zipSync(files, { level }));
  return f;
}
