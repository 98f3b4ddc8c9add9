/** Covariate columns of `alliance model --covariate`, read from the raw records. */
import type { Dataset, SessionRow } from '../../dataset/types.js';
import { UserError, headerLocation } from '../../errors.js';

/** Tokens read as missing in a covariate cell (besides the empty cell). */
const COVARIATE_MISSING = new Set(['NA', 'N/A', 'na', 'n/a', '.', '-', 'NaN', 'null', 'NULL', 'missing']);

/**
 * Reads covariate columns (which the dataset does not map) from the raw records: the
 * dataset calls `onRaw` for a record just before delivering its row, so the values are
 * matched by (file, line). Rows whose raw record was not seen (joined exports deliver
 * merged rows) get NaN and are counted in `unmatched`.
 */
export function rawCovariates(dataset: Dataset, names: string[]) {
  const index: number[][] = dataset.files.map((f) =>
    names.map((name) => {
      const i = f.header.findIndex((h) => h.trim() === name);
      if (i < 0) {
        throw new UserError(`covariate column "${name}" is not in the header`, {
          location: headerLocation(f),
          hint: `Columns are: ${f.header.join(', ')}`,
        });
      }
      return i;
    }),
  );
  const counts = { unmatched: 0, unusable: names.map(() => 0) };
  // The dataset's cell rules (missing markers, --missing codes, instrument ranges), as for every other column.
  const cells = dataset.columnCells ? names.map((name) => dataset.columnCells!(name)) : null;
  let lastFile = -1;
  let lastLine = -1;
  const values = new Float64Array(names.length);
  const nan = new Float64Array(names.length).fill(NaN);
  return {
    counts,
    onRaw(fields: string[], line: number, file: number): void {
      lastFile = file;
      lastLine = line;
      const decimalComma = dataset.files[file]?.decimal === ',';
      index[file].forEach((fi, j) => {
        if (cells) {
          values[j] = cells[j].read(fields[fi] ?? '', file);
          if (cells[j].last === 'unusable') counts.unusable[j]++;
          return;
        }
        let s = (fields[fi] ?? '').trim();
        if (s === '' || COVARIATE_MISSING.has(s)) {
          values[j] = NaN;
          return;
        }
        if (decimalComma) s = s.replace(',', '.');
        const v = Number(s);
        if (!Number.isFinite(v)) counts.unusable[j]++;
        values[j] = Number.isFinite(v) ? v : NaN;
      });
    },
    reader(row: SessionRow): ArrayLike<number> {
      if (row.file === lastFile && row.line === lastLine) return values;
      counts.unmatched++;
      return nan;
    },
  };
}
