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

  constructor(p: number) {
    this.p = p;
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
    for (let i = 0; i < p; i++) {
      const xi = x[i];
      const row = base + i * k;
      for (let j = 0; j <= i; j++) c[row + j] += xi * x[j];
      c[base + p * k + i] += y * xi;
    }
    c[base + p * k + p] += y * y;
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
    return { p: this.p, groups: m, nobs: this.nobs, counts: this.counts.slice(0, m), cross, groupIds: this.ids.slice() };
  }
}
