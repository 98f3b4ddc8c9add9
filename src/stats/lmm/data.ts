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
  groupIds: Int32Array;
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

/**
 * The slots of groups in the order they first appear, from non-negative integer ids (the
 * dataset's interned client or therapist numbers, dense from 0): one Int32Array from id to
 * slot and one of the ids by slot, grown by doubling; no per-group objects.
 */
export class GroupSlots {
  private slotOf: Int32Array;
  private ids: Int32Array;
  /** Groups seen so far (the next slot). */
  count = 0;

  constructor(capacity = 1024) {
    this.slotOf = new Int32Array(Math.max(1, capacity)).fill(-1);
    this.ids = new Int32Array(Math.max(1, capacity));
  }

  /** The slot of `id`, assigning the next one when the id is new. */
  slot(id: number): number {
    if (id >= this.slotOf.length) this.growIds(id);
    const s = this.slotOf[id];
    if (s >= 0) return s;
    if (!(id >= 0 && id === Math.floor(id))) throw new Error(`GroupSlots: group id ${id} is not a non-negative integer`);
    const g = this.count++;
    if (g === this.ids.length) {
      const ids = new Int32Array(g * 2);
      ids.set(this.ids);
      this.ids = ids;
    }
    this.ids[g] = id;
    this.slotOf[id] = g;
    return g;
  }

  /** The slot of `id`, -1 when it has none. */
  of(id: number): number {
    return id < this.slotOf.length ? this.slotOf[id] : -1;
  }

  /** The id of each slot, in slot order (a copy of exactly `count` entries). */
  groupIds(): Int32Array {
    return this.ids.slice(0, this.count);
  }

  private growIds(id: number): void {
    const next = new Int32Array(Math.max(id + 1, this.slotOf.length * 2)).fill(-1);
    next.set(this.slotOf);
    this.slotOf = next;
  }
}

/**
 * Accumulates the per-group cross-products one row at a time (one pass, any row order).
 *
 * Two ways to use it. `new CrossProductAccumulator(p)` then `add(id, x, y)` with group ids
 * (non-negative integers): slots are assigned in order of first appearance and the arrays
 * grow by doubling. Or, when the groups are known before the pass (the model's design
 * assigns them once for its accumulators), `{ counts }` gives the rows per slot: the arrays
 * are allocated once at their final size, `addAt(slot, x, y)` adds a row, and `finish(ids)`
 * hands the arrays over without copying (the accumulator is spent after `finish`).
 */
export class CrossProductAccumulator {
  readonly p: number;
  private readonly k: number;
  private cross: Float64Array;
  private counts: Int32Array;
  /** Slots of the group ids given to `add`; null when the caller assigns slots (`addAt`). */
  private readonly slots: GroupSlots | null;
  private nobs = 0;

  private readonly shift: Float64Array;
  private readonly yShift: number;

  /**
   * `shift` (length p, entry 0 ignored) and `yShift` are subtracted from each row before it
   * is accumulated: pass column means (any typical values) for numerical accuracy, and 0
   * for columns that carry a random effect (shifting those would change the model).
   * `counts`: the rows of each group, when the caller assigns the slots (see the class).
   */
  constructor(p: number, opts: { shift?: ArrayLike<number>; yShift?: number; counts?: Int32Array } = {}) {
    this.p = p;
    this.shift = new Float64Array(p);
    if (opts.shift) for (let j = 1; j < p; j++) this.shift[j] = opts.shift[j];
    this.yShift = opts.yShift ?? 0;
    this.k = p + 1;
    if (opts.counts) {
      this.slots = null;
      this.counts = opts.counts;
      this.cross = new Float64Array(opts.counts.length * this.k * this.k);
      for (let g = 0; g < opts.counts.length; g++) this.nobs += opts.counts[g];
    } else {
      this.slots = new GroupSlots(64);
      this.cross = new Float64Array(64 * this.k * this.k);
      this.counts = new Int32Array(64);
    }
  }

  /** Adds one row of group `group` (an id): `x` holds the p fixed-effect values (x[0] = 1), `y` the response. */
  add(group: number, x: ArrayLike<number>, y: number): void {
    const slots = this.slots;
    if (slots === null) throw new Error('CrossProductAccumulator: slots are assigned by the caller; use addAt');
    const g = slots.slot(group);
    if (g >= this.counts.length) {
      const counts = new Int32Array(this.counts.length * 2);
      counts.set(this.counts);
      this.counts = counts;
      const cross = new Float64Array(this.cross.length * 2);
      cross.set(this.cross);
      this.cross = cross;
    }
    this.counts[g]++;
    this.nobs++;
    this.accumulate(g, x, y);
  }

  /** Adds one row of the group in slot `slot` (with `{ counts }`: the rows are counted already). */
  addAt(slot: number, x: ArrayLike<number>, y: number): void {
    this.accumulate(slot, x, y);
  }

  private accumulate(g: number, x: ArrayLike<number>, y: number): void {
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
  }

  /** The cross-products; `groupIds`: the id of each slot when the caller assigned them. */
  finish(groupIds?: Int32Array): GroupedCrossProducts {
    const k = this.k;
    const m = this.slots === null ? this.counts.length : this.slots.count;
    const ids = this.slots === null ? groupIds : this.slots.groupIds();
    if (!ids || ids.length !== m) throw new Error('CrossProductAccumulator.finish: one group id per slot is needed');
    const cross = this.slots === null ? this.cross : this.cross.slice(0, m * k * k);
    // fill the upper triangle
    for (let g = 0; g < m; g++) {
      const base = g * k * k;
      for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) cross[base + j * k + i] = cross[base + i * k + j];
    }
    return {
      p: this.p,
      groups: m,
      nobs: this.nobs,
      counts: this.slots === null ? this.counts : this.counts.slice(0, m),
      cross,
      groupIds: ids,
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
  return { ...d, p: cols.length, cross, shift: Float64Array.from(cols.map((c) => d.shift[c])) };
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
 * `inPlace`: written over d's cross-products (the same numbers, no second array per group;
 * d is spent: its cross-products no longer match its shift).
 */
export function standardizeColumns(d: GroupedCrossProducts, opts: { inPlace?: boolean } = {}): GroupedCrossProducts {
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
  const cross = opts.inPlace ? d.cross : new Float64Array(d.cross.length);
  const tmp = new Float64Array(k * k);
  for (let g = 0; g < d.groups; g++) {
    const base = g * k * k;
    // tmp = A C ; out = tmp A' (the group's block is read in full before it is written)
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
  return { ...d, cross, shift: new Float64Array(d.p), yShift: 0 };
}
