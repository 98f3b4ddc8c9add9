/**
 * Parquet files through hyparquet (pure JavaScript; snappy built in, gzip/zstd/brotli/lz4
 * through hyparquet-compressors), read one row group at a time so memory holds one row
 * group, never the file.
 *
 * Typed columns map directly: numbers (doubles, ints, decimals) as numbers, DATE and
 * TIMESTAMP columns as yyyy-mm-dd (with a time of day when there is one), strings as
 * text, nulls as missing, booleans as TRUE/FALSE, BigInt (INT64) as its decimal text.
 * Nested columns (lists, structs) are an error naming the column. `line` is the row
 * number (1-based); a cell is located as `row 12, column srs`; the header has no line.
 */
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { UserError } from '../errors.js';
import type { ReadOptions, ReadStats, RecordHandler } from './types.js';
import { binaryInput, isoDate, numberText, type TableInput } from './table-input.js';
import type { Source } from './source.js';
import { zstdPage } from './zstd.js';

/** hyparquet-compressors' ZSTD ignores the page's declared size (src/io/zstd.ts): ours bounds by it. */
const boundedCompressors = { ...compressors, ZSTD: zstdPage };

function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return numberText(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) return isoDate(v.getTime());
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

export async function openParquet(source: Source): Promise<TableInput> {
  const at = { file: source.display };
  const fail = (e: unknown) =>
    new UserError(`cannot read the Parquet file (${(e as Error).message})`, {
      location: at,
      hint: 'The file is damaged or uses an unsupported encoding; write it again, or export it as CSV',
    });
  let file: Awaited<ReturnType<typeof asyncBufferFromFile>>;
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    file = await asyncBufferFromFile(source.file);
    metadata = await parquetMetadataAsync(file);
  } catch (e) {
    throw fail(e);
  }
  const schema = parquetSchema(metadata);
  const header: string[] = [];
  for (const child of schema.children) {
    if (child.children.length > 0) {
      throw new UserError(`column '${child.element.name}' is nested (a list or struct); only flat columns can be read`, {
        location: { file: source.display, column: child.element.name },
        hint: 'Write the file with one plain column per variable (flatten or unnest it first)',
      });
    }
    header.push(child.element.name);
  }
  const groups = metadata.row_groups.map((g) => Number(g.num_rows));

  const read = async (onRecord: RecordHandler, opts?: ReadOptions): Promise<ReadStats> => {
    let start = 0;
    let line = 0;
    const fields = new Array<string>(header.length).fill('');
    const wanted = opts?.fields;
    const cols = wanted ? wanted.map((i) => header[i]) : header;
    for (const n of groups) {
      let rows: unknown[][] = [];
      try {
        await parquetRead({
          file,
          metadata,
          compressors: boundedCompressors,
          columns: cols,
          rowStart: start,
          rowEnd: start + n,
          onComplete: (r: unknown[][]) => {
            rows = r;
          },
        });
      } catch (e) {
        throw fail(e);
      }
      for (const r of rows) {
        line++;
        if (wanted) for (let k = 0; k < wanted.length; k++) fields[wanted[k]] = text(r[k]);
        else for (let k = 0; k < header.length; k++) fields[k] = text(r[k]);
        onRecord(fields, line);
      }
      start += n;
      opts?.onProgress?.(Math.round((source.bytes * start) / Math.max(1, Number(metadata.num_rows))));
    }
    return { records: line, bytes: source.bytes, lines: line };
  };

  return binaryInput(source, {
    header,
    headerLine: 0,
    read,
    kind: 'parquet',
    format: `Parquet (${groups.length} row group${groups.length === 1 ? '' : 's'})`,
    notes: [],
    locate: (line: number, field: number) => (field >= 0 ? `row ${line}, column ${header[field]}` : `row ${line}`),
  });
}
