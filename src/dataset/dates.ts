/**
 * Date formats, decided per file from the data unless --date-format is given: the date
 * column alone is read until a slash date proves day-first (a first component > 12) or
 * month-first (a second component > 12); without slash dates DATE_SAMPLE_ROWS rows decide
 * (ISO, or DD.MM.YYYY); slash dates that never decide are a UserError asking for
 * --date-format. Cells a format stores as dates are not looked at. A later date
 * contradicting the decision is a UserError naming both lines (`dateRejecter`).
 */
import { UserError } from '../errors.js';
import type { Part } from './plan.js';
import type { TypedCells } from './source.js';
import type { DateFormat, FileInfo } from './types.js';
import { DateFormatDetector, DateShape, dateParts, scanDate } from './values.js';
import { fieldText } from '../io/scanner.js';

/** Rows looked at to decide the date format when no slash date shows up. */
export const DATE_SAMPLE_ROWS = 10_000;

class StopRead extends Error {}

/** Sets part.dateFormat (and part.detector) for every part; adds a note when slash dates decided. */
export async function detectDateFormats(parts: Part[], files: FileInfo[], forced: DateFormat | undefined, notes: string[]): Promise<void> {
  for (const part of parts) {
    if (part.date < 0 || forced) continue;
    const det = new DateFormatDetector();
    let rows = 0;
    const di = part.date;
    const feed = (s: string, line: number): void => {
      det.feed(s, line);
      rows++;
      if (det.format !== null) throw new StopRead();
      if (rows >= DATE_SAMPLE_ROWS && !det.sawSlash) throw new StopRead();
    };
    try {
      // A CSV's byte-range reader when it has one, on this thread alone: the scanner the
      // command's own read then uses (warmed here instead of the text reader's, which would
      // decode a whole chunk to text for these first rows), the same records and lines.
      const ranges = part.input.readRanges;
      if (ranges)
        await ranges(
          (rec, line) => {
            if (di < rec.count) feed(fieldText(rec, di), line);
          },
          { serial: true },
        );
      else
        await part.input.read(
          (fields, line, typed?: TypedCells) => {
            const s = fields[di];
            if (s === undefined) return;
            if (typed !== undefined && typed.dates[di] === typed.dates[di]) return; // stored as a date: nothing to decide
            feed(s, line);
          },
          { fields: [di] },
        );
    } catch (e) {
      if (!(e instanceof StopRead)) throw e;
    }
    const fmt = det.resolve();
    if (fmt === null) {
      throw new UserError(`ambiguous dates in column '${part.fm.date!.name}': every day and month is 12 or less, so DD/MM/YYYY and MM/DD/YYYY both fit`, {
        location: { file: files[part.file].display, line: part.input.headerLine, column: part.fm.date!.name },
        hint: 'Pass --date-format dmy (day first) or mdy (month first)',
      });
    }
    part.dateFormat = fmt;
    part.detector = det.sawSlash ? det : null;
    if (det.sawSlash) {
      notes.push(
        `dates in ${files[part.file].display} read as ${fmt === 'dmy' ? 'DD/MM/YYYY' : 'MM/DD/YYYY'} (decided by '${det.decidedBy}' on line ${det.decidedAt})`,
      );
    }
  }
}

/**
 * What to do with a date cell of `part` that is neither a date nor a missing marker: a
 * contradiction of the day/month order decided from the data is a UserError; anything else
 * is reported as 'date.invalid' (the row keeps no date).
 */
export function dateRejecter(part: Part, files: FileInfo[], issue: (code: string, line: number, field: number, value: string) => void) {
  const { detector, dateFormat: fmt } = part;
  return (s: string, line: number, field: number): void => {
    if (detector !== null && contradicts(s, fmt)) {
      // In the input's own terms: line and column for text, 'Sheet!C12' in a workbook.
      const here = part.input.locate(line, field);
      const decided = part.input.locate(detector.decidedAt, field).cell ?? `line ${detector.decidedAt}`;
      throw new UserError(
        `date '${s.trim()}' contradicts the date format ${fmt === 'dmy' ? 'DD/MM/YYYY' : 'MM/DD/YYYY'} decided by '${detector.decidedBy}' on ${decided}`,
        {
          location:
            here.cell !== undefined
              ? { file: files[part.file].display, cell: here.cell }
              : { file: files[part.file].display, line, column: part.fm.date!.name },
          hint: 'The column mixes day-first and month-first dates; fix the export or pass --date-format dmy or mdy (other dates are then reported as invalid)',
        },
      );
    }
    issue('date.invalid', line, field, s);
  };
}

/** True when a slash date that failed under `fmt` would be valid under the other order. */
function contradicts(s: string, fmt: DateFormat): boolean {
  const shape = scanDate(s);
  if (shape !== DateShape.Slash && shape !== DateShape.Dash) return false;
  const { a, b } = dateParts;
  if (fmt === 'dmy') return b > 12 && a <= 12;
  if (fmt === 'mdy') return a > 12 && b <= 12;
  return false;
}
