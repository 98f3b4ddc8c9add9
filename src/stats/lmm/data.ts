/**
 * Per-group sufficient statistics for a linear mixed model whose random effects live on
 * one grouping factor (clients), optionally nested in a second (therapists).
 *
 * With y = X b + Z u + e and Z built from columns of X within each group, every quantity
 * in the profiled likelihood is a function of the per-group cross-products of [X, y]
 * (X_i'X_i, X_i'y_i, y_i'y_i), so after one pass over the rows each likelihood
 * evaluation costs O(groups * p^2) whatever the number of rows.
 */

export interface GroupedCrossProducts {
  /** Number of fixed-effect columns (column 0 must be the intercept: all ones). */
  p: number;
  /** Number of groups with at least one row. */
  groups: number;
  /** Total rows. */
  nobs: number;
  /** Rows per group. */
  counts: Int32Array;
  /** Per group the (p+1) x (p+1) cross-product of [X, y], row-major, groups concatenated. */
  cross: Float64Array;
  /** External id of each group (as passed to `add`), in order of first appearance. */
  groupIds: number[];
  /**
   * Constants subtracted from the columns (shift[0] = 0: the intercept is never shifted) and
   * from y before accumulating. The fit works in the shifted design X_s = X - 1 shift' and
   * maps back (see betaFromShifted): the deviance is unchanged, but the cross-products lose
   * far fewer digits to cancellation (y'V^-1y - c'c in the penalised RSS).
   */
  shift: Float64Array;
  yShift: number;
}

/** Coefficients of the original design from those of the shifted one. */
export function betaFromShifted(d: GroupedCrossProducts, bs: ArrayLike<number>): number[] {
  const b = Array.from(bs);
  let s = d.yShift;
  for (let j = 1; j < d.p; j++) s -= d.shift[j] * bs[j];
  b[0] = bs[0] + s;
  return b;
}

/** Coefficients of the shifted design from those of the original one. */
export function betaToShifted(d: GroupedCrossProducts, b: ArrayLike<number>): number[] {
  const bs = Array.from(b);
  let s = -d.yShift;
  for (let j = 1; j < d.p; j++) s += d.shift[j] * b[j];
  bs[0] = b[0] + s;
  return bs;
}

/** M V M' with M = I except M[0][j] = -shift[j]: Var(beta) of the original design (in place). */
export function vcovFromShifted(d: GroupedCrossProducts, v: Float64Array): Float64Array {
  const p = d.p;
  const c = d.shift;
  let any = false;
  for (let j = 1; j < p; j++) if (c[j] !== 0) any = true;
  if (!any) return v;
  // rows: row0 <- row0 - sum_j c_j row_j
  for (let k = 0; k < p; k++) {
    let s = 0;
    for (let j = 1; j < p; j++) s += c[j] * v[j * p + k];
    v[k] -= s;
  }
  // columns: col0 <- col0 - sum_j c_j col_j
  for (let k = 0; k < p; k++) {
    let s = 0;
    for (let j = 1; j < p; j++) s += c[j] * v[k * p + j];
    v[k * p] -= s;
  }
  return v;
}

/** Accumulates the per-group cross-products one row at a time (one pass, any row order). */
export class CrossProductAccumulator {
  readonly p: number;
  private readonly k: number;
  private cross: Float64Array;
  private counts: Int32Array;
  private readonly index = new Map<number, number>();
  private readonly ids: number[] = [];
  private nobs = 0;

  private readonly shift: Float64Array;
  private readonly yShift: number;

  /**
   * `shift` (length p, entry 0 ignored) and `yShift` are subtracted from each row before it
   * is accumulated: pass column means (any typical values) for numerical accuracy, and 0
   * for columns that carry a random effect (shifting those would change the model).
   */
  constructor(p: number, opts: { shift?: ArrayLike<number>; yShift?: number } = {}) {
    this.p = p;
    this.shift = new Float64Array(p);
    if (opts.shift) for (let j = 1; j < p; j++) this.shift[j] = opts.shift[j];
    this.yShift = opts.yShift ?? 0;
    this.k = p + 1;
    this.cross = new Float64Array(64 * this.k * this.k);
    this.counts = new Int32Array(64);
  }

  /** Adds one row: `x` holds the p fixed-effect values (x[0] = 1), `y` the response. */
  add(group: number, x: ArrayLike<number>, y: number): void {
    let g = this.index.get(group);
    if (g === undefined) {
      g = this.ids.length;
      this.ids.push(group);
      this.index.set(group, g);
      if (g >= this.counts.length) {
        const counts = new Int32Array(this.counts.length * 2);
        counts.set(this.counts);
        this.counts = counts;
        const cross = new Float64Array(this.cross.length * 2);
        cross.set(this.cross);
        this.cross = cross;
      }
    }
    const k = this.k;
    const p = this.p;
    const base = g * k * k;
    const c = this.cross;
    const sh = this.shift;
    const ys = y - this.yShift;
    for (let i = 0; i < p; i++) {
      const xi = x[i] - sh[i];
      const row = base + i * k;
      for (let j = 0; j <= i; j++) c[row + j] += xi * (x[j] - sh[j]);
      c[base + p * k + i] += ys * xi;
    }
    c[base + p * k + p] += ys * ys;
    this.counts[g]++;
    this.nobs++;
  }

  finish(): GroupedCrossProducts {
    const k = this.k;
    const m = this.ids.length;
    const cross = this.cross.slice(0, m * k * k);
    // fill the upper triangle
    for (let g = 0; g < m; g++) {
      const base = g * k * k;
      for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) cross[base + j * k + i] = cross[base + i * k + j];
    }
    return {
      p: this.p,
      groups: m,
      nobs: this.nobs,
      counts: this.counts.slice(0, m),
      cross,
      groupIds: this.ids.slice(),
      shift: this.shift.slice(),
      yShift: this.yShift,
    };
  }
}

/**
 * The cross-products of a subset of the columns (`cols` must start with 0, the intercept),
 * for fitting a model with fewer fixed effects on the same rows (model comparison).
 */
export function selectColumns(d: GroupedCrossProducts, cols: number[]): GroupedCrossProducts {
  const k = d.p + 1;
  const idx = [...cols, d.p];
  const k2 = idx.length;
  const cross = new Float64Array(d.groups * k2 * k2);
  for (let g = 0; g < d.groups; g++) {
    for (let i = 0; i < k2; i++) for (let j = 0; j < k2; j++) cross[g * k2 * k2 + i * k2 + j] = d.cross[g * k * k + idx[i] * k + idx[j]];
  }
  return { ...d, p: cols.length, cross, shift: Float64Array.from(cols.map((c) => d.shift[c])), groupIds: d.groupIds.slice() };
}

/** Means and SDs (n - 1) of each column and of y over all rows, from the cross-products. */
export function columnMoments(d: GroupedCrossProducts): { mean: number[]; sd: number[] } {
  const k = d.p + 1;
  const tot = new Float64Array(k * k);
  for (let g = 0; g < d.groups; g++) for (let e = 0; e < k * k; e++) tot[e] += d.cross[g * k * k + e];
  const n = tot[0];
  const mean: number[] = [];
  const sd: number[] = [];
  for (let j = 0; j < k; j++) {
    const s = tot[j];
    const shift = j === d.p ? d.yShift : (d.shift[j] ?? 0);
    mean.push(j === 0 ? 1 : shift + s / n);
    sd.push(j === 0 ? 0 : Math.sqrt(Math.max(0, tot[j * k + j] - (s * s) / n) / (n - 1)));
  }
  return { mean, sd };
}

/**
 * The cross-products after z-scoring every column but the intercept and y over all rows:
 * x' = (x - mean) / sd (the data effectsize's "refit" standardisation fits). Exact linear
 * map of the augmented rows [1, x - shift, y - yShift], so no pass over the rows.
 */
export function standardizeColumns(d: GroupedCrossProducts): GroupedCrossProducts {
  const k = d.p + 1;
  const { mean, sd } = columnMoments(d);
  // A maps [1, x_1 - c_1, ..., y - c_y] to [1, z_1, ..., z_y]
  const A = new Float64Array(k * k);
  A[0] = 1;
  for (let j = 1; j < k; j++) {
    const shift = j === d.p ? d.yShift : d.shift[j];
    A[j * k + j] = 1 / sd[j];
    A[j * k] = (shift - mean[j]) / sd[j];
  }
  const cross = new Float64Array(d.cross.length);
  const tmp = new Float64Array(k * k);
  for (let g = 0; g < d.groups; g++) {
    const base = g * k * k;
    // tmp = A C ; out = tmp A'
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let u = 0; u < k; u++) s += A[i * k + u] * d.cross[base + u * k + j];
        tmp[i * k + j] = s;
      }
    }
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let u = 0; u < k; u++) s += tmp[i * k + u] * A[j * k + u];
        cross[base + i * k + j] = s;
      }
    }
  }
  return { ...d, cross, shift: new Float64Array(d.p), yShift: 0, groupIds: d.groupIds.slice() };
}
