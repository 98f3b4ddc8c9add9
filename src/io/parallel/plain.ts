/**
 * The scanner's range mode (../scanner.ts, RecordScanner.scanBytes) for a piece that holds
 * no quote byte, as one loop with no per-field checks but the delimiter and the line breaks
 * (issue 15: the workers' scan). Without a `"` no field is quoted, so the dialect reduces
 * to: a record ends at LF, CRLF or CR; empty lines are skipped; fields end at the
 * delimiter. Everything else (line counting, a CR at the end of a non-final piece that
 * may be the first half of a CRLF, an unfinished record at the end) is scanBytes's rule,
 * and the records, lines and bytes used are what scanBytes gives for the same bytes
 * (test/io/parallel-plain.test.ts checks it on random inputs). No error is possible: the
 * scanner's only errors are about quoted fields.
 */
import { growFields, type RangeRecord } from '../scanner.js';

const LF = 10;
const CR = 13;

/** The line after a plain scan (1 = the piece's first line), beside the bytes used it returns. */
export interface PlainScan {
  line: number;
}

/** Takes the records of a plain scan (a method, not a closure per piece: one call target for the compiler). */
export interface PlainSink {
  record(rec: RangeRecord, line: number): void;
}

/**
 * Scans s[0..len) (no byte is `"`): each complete record goes to `sink.record` with its
 * line, in `rec` (reused; rec.bytes must be `s`). Returns the bytes of complete records at
 * the start (all of them when `final`); the line after them is left in `state.line`.
 */
export function scanPlain(s: Uint8Array, len: number, final: boolean, delim: number, rec: RangeRecord, sink: PlainSink, state: PlainScan): number {
  /** Highest special byte: anything above it ends no field. */
  const top = delim > CR ? delim : CR;
  let starts = rec.start;
  let ends = rec.end;
  let line = 1;
  let i = 0;
  let c = 0;
  nextRecord: while (i < len) {
    const recStart = i;
    c = s[i];
    if (c === LF) {
      line++;
      i++;
      continue;
    }
    if (c === CR) {
      if (i + 1 >= len && !final) break;
      line++;
      i += i + 1 < len && s[i + 1] === LF ? 2 : 1;
      continue;
    }
    let nf = 0;
    for (;;) {
      let j = i;
      while (j < len) {
        c = s[j];
        if (c > top) {
          j++;
          continue;
        }
        if (c === delim || c === LF || c === CR) break;
        j++;
      }
      if (nf >= starts.length) {
        growFields(rec);
        starts = rec.start;
        ends = rec.end;
      }
      starts[nf] = i;
      ends[nf] = j;
      nf++;
      i = j;
      const recLine = line;
      if (i >= len) {
        if (!final) {
          i = recStart;
          break nextRecord;
        }
      } else {
        if (c === delim) {
          i++;
          continue;
        }
        if (c === CR) {
          if (i + 1 >= len && !final) {
            i = recStart;
            break nextRecord;
          }
          i += i + 1 < len && s[i + 1] === LF ? 2 : 1;
        } else i++;
        line++;
      }
      rec.count = nf;
      rec.at = recStart;
      rec.next = i;
      sink.record(rec, recLine);
      continue nextRecord;
    }
  }
  state.line = line;
  return i;
}
