# Writes fixtures/formats/cells.xlsx with openpyxl (the 1904 date system, a sheet name and
# strings with XML special characters, non-ASCII text, date and date-time cells, booleans, a
# cell past the header), then reads it back with openpyxl and writes the text each cell should
# read as to test/reference/xlsx-cells.json (dates as yyyy-mm-dd, date-times as yyyy-mm-ddTHH:MM:SS, booleans TRUE/FALSE; numbers as
# JSON numbers, which the test requires the cell's text to read back as).
# Run from the repository root (-P: test/reference/random.py would shadow the module):
#   /usr/bin/python3 -P test/reference/xlsx-cells.py
import datetime, json
import openpyxl

out = 'fixtures/formats/cells.xlsx'
wb = openpyxl.Workbook()
wb.properties.created = datetime.datetime(2024, 1, 1)
wb.properties.modified = datetime.datetime(2024, 1, 1)
wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
ws = wb.active
ws.title = 'Visits & notes'
ws.append(['Export <2024> "clinic" & co'])
ws.append(['client_id', 'session', 'date', 'srs', 'note', 'flag'])
rows = [
    ['Zoë', 1, datetime.date(2024, 3, 1), 35.25, 'first line\nsecond line', True],
    ['A&B', 2, datetime.datetime(2024, 3, 8, 14, 30), 0.1 + 0.2, 'ünïcode — “quotes”', False],
    ['C3', 3, datetime.date(1904, 1, 2), 1e-7, None, None],
    ['D4', 4, None, 123456789012345.0, '  padded  ', True],
]
for r in rows:
    ws.append(r)
ws['C3'].number_format = 'yyyy-mm-dd'
ws['C4'].number_format = 'yyyy-mm-dd hh:mm'
ws['C5'].number_format = 'dd/mm/yyyy'
ws['H6'] = 'past the header'
wb.save(out)

def text(v):
    if v is None:
        return ''
    if isinstance(v, bool):
        return 'TRUE' if v else 'FALSE'
    if isinstance(v, datetime.datetime):
        return v.strftime('%Y-%m-%d') if v.time() == datetime.time(0) else v.strftime('%Y-%m-%dT%H:%M:%S')
    if isinstance(v, datetime.date):
        return v.strftime('%Y-%m-%d')
    if isinstance(v, (int, float)):
        return float(v)  # a number: the test checks the text reads back as this double
    return str(v)


back = openpyxl.load_workbook(out)
s = back['Visits & notes']
records = []
for row in s.iter_rows(min_row=3):
    cells = [text(c.value) for c in row]
    while len(cells) > 6 and cells[-1] == '':
        cells.pop()
    records.append({'line': row[0].row, 'fields': cells})
json.dump(
    {'sheet': s.title, 'headerLine': 2, 'header': [c.value for c in s[2]][:6], 'records': records},
    open('test/reference/xlsx-cells.json', 'w'),
    ensure_ascii=False,
    indent=1,
)
