# Writes fixtures/formats/escapes.xlsx by hand (the zip and its XML, as Excel writes them) with
# OOXML escapes in cell text: ECMA-376 Part 1, 22.9.2.19 ST_Xstring - a character XML cannot
# hold (or any character) is written _xHHHH_ (four hex digits of its UTF-16 code unit), and a
# literal "_xHHHH_" in the text is written with its underscore escaped, _x005F_xHHHH_.
# The escapes are in shared strings (plain and rich text runs), an inline string, a formula's
# cached string result and a header cell.
#
# The expected text of each cell is what R readxl (test/reference/xlsx-escapes.R, run after
# this script) reads: an independent reader that decodes ST_Xstring. openpyxl 3.0.9 is read
# too, for the record only: it removes "x005F_" and decodes nothing else, so it is not the
# reference here (docs/formats.md says so).
# Run from the repository root:
#   /usr/bin/python3 -P test/reference/xlsx-escapes.py && Rscript test/reference/xlsx-escapes.R
import json, zipfile
import openpyxl

OUT = 'fixtures/formats/escapes.xlsx'
NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'

shared = [
    'client_id',  # 0
    'session',  # 1
    'srs',  # 2
    'note_x0020_text',  # 3  header: "note text"
    'C_x00E9_1',  # 4  "Cé1"
    'line one_x000D__x000A_line two',  # 5  CR LF
    'literal _x005F_x000D_ kept',  # 6  "_x000D_" as text
    'tab_x0009_end',  # 7
    'lower _x000d_ hex',  # 8  lower-case hex digits
    'short _x00D_ and _x00ZZ_ stay',  # 9  not escapes
    'euro _x20AC_ sign',  # 10 beyond Latin-1
    'C2',  # 11
    'bell _x0007_ rings',  # 12 a control character
    '__x0041__',  # 13 underscores around an escape
]
# Shared string 14 is rich text whose escape lies inside one run: "bold_x000A_ and plain".
sst = ''.join(f'<si><t xml:space="preserve">{s}</t></si>' for s in shared)
sst += '<si><r><rPr><b/></rPr><t>bold_x000A_</t></r><r><t xml:space="preserve"> and plain</t></r></si>'
n_shared = len(shared) + 1


def s(ref, i):
    return f'<c r="{ref}" t="s"><v>{i}</v></c>'


def n(ref, v):
    return f'<c r="{ref}"><v>{v}</v></c>'


rows = [
    [s('A1', 0), s('B1', 1), s('C1', 2), s('D1', 3)],
    [s('A2', 4), n('B2', 1), n('C2', 30), s('D2', 5)],
    [s('A3', 4), n('B3', 2), n('C3', 31), s('D3', 6)],
    [s('A4', 4), n('B4', 3), n('C4', 32), s('D4', 7)],
    [s('A5', 11), n('B5', 1), n('C5', 28), s('D5', 8)],
    [s('A6', 11), n('B6', 2), n('C6', 29), s('D6', 9)],
    [s('A7', 11), n('B7', 3), n('C7', 33), s('D7', 10)],
    [s('A8', 11), n('B8', 4), n('C8', 34), '<c r="D8" t="inlineStr"><is><t>inline_x000A_string</t></is></c>'],
    [s('A9', 11), n('B9', 5), n('C9', 35), '<c r="D9" t="str"><f>"cached"&amp;CHAR(13)</f><v>cached_x000D_</v></c>'],
    [s('A10', 11), n('B10', 6), n('C10', 36), s('D10', 12)],
    [s('A11', 11), n('B11', 7), n('C11', 36), s('D11', 13)],
    [s('A12', 11), n('B12', 8), n('C12', 36), s('D12', 14)],
]
sheet_data = ''.join(f'<row r="{i + 1}">{"".join(r)}</row>' for i, r in enumerate(rows))

parts = {
    '[Content_Types].xml': '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '</Types>',
    '_rels/.rels': '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    '</Relationships>',
    'xl/workbook.xml': f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<workbook xmlns="{NS}" xmlns:r="{REL}"><sheets><sheet name="Sessions" sheetId="1" r:id="rId1"/></sheets></workbook>',
    'xl/_rels/workbook.xml.rels': '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    f'<Relationship Id="rId3" Type="{REL}/styles" Target="styles.xml"/>'
    '</Relationships>',
    'xl/styles.xml': f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<styleSheet xmlns="{NS}"><fonts count="1"><font/></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0"/></cellXfs></styleSheet>',
    'xl/sharedStrings.xml': f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<sst xmlns="{NS}" count="{n_shared}" uniqueCount="{n_shared}">{sst}</sst>',
    'xl/worksheets/sheet1.xml': f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<worksheet xmlns="{NS}" xmlns:r="{REL}"><sheetData>{sheet_data}</sheetData></worksheet>',
}
with zipfile.ZipFile(OUT, 'w', compression=zipfile.ZIP_DEFLATED) as z:
    for name, text in parts.items():
        info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, text.encode('utf-8'))

# For the record: what openpyxl reads (see the note above).
ws = openpyxl.load_workbook(OUT)['Sessions']
print(json.dumps([[c.value for c in r] for r in ws.iter_rows(min_col=4, max_col=4)], ensure_ascii=True))
