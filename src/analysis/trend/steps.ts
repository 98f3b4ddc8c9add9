/**
 * The change so far of each session after a client's intake, gathered while the client's
 * rows end in the scan (runs.ts, pass A of trend.ts), so that passes B and D need not read
 * the session store again: per session with an outcome after the intake, its sessions since
 * intake and its outcome minus the intake in code steps of the store's outcome column
 * (store.ts: an integer tier holds every value as code / scale, and Math.round(value * scale)
 * gives the code back): exactly the two numbers the histogram path of etr.ts and the
 * not-on-track test compute from the store. One Int32 per entry (step * 1024 + sessions
 * since intake), at most MAX_ENTRIES of them.
 *
 * The steps hold only while they can stand for the store's values: clients in order (else
 * every pass reads the store), the outcome column in an integer tier from the first run to
 * the last (when a wider integer tier comes, the steps so far are scaled to it: the codes
 * of a value exactly held at both scales differ by the ratio of the scales; Float64 ends
 * them), every session since intake a whole number below 1024 (SMALL_OFFSET, the cells'
 * fast lookup), every step within +-2^21, and at most MAX_ENTRIES entries while the store
 * keeps the sessions too (once it stops, runs.ts streamed, the steps are all there is and
 * are not capped). Past any of these the steps are dropped and the passes read the store as
 * before (test/analysis/trend-runs.test.ts compares both ways).
 */
import { grow } from '../../dataset/intern.js';
import { SMALL_OFFSET, STEP_OFF_BITS, STEP_OFF_MASK, type Codes, type StepSource } from './etr.js';
import { decodeTable, INTEGER_SCALES, type ClientSessions } from './store.js';

const MAX_STEP = (1 << (31 - STEP_OFF_BITS)) - 1;
/** The most entries kept (16 MB): past them the passes read the store (at 10M rows its memory matters more than the time). */
const MAX_ENTRIES = 1 << 22;

/**
 * The narrowest of the store's integer code scales (store.ts INTEGER_SCALES) wider than
 * `scale` of which `v` is a code (v === round(v * s) / s), 0 when none.
 */
function widerScale(scale: number, v: number): number {
  for (const s of INTEGER_SCALES) if (s > scale && Math.round(v * s) / s === v) return s;
  return 0;
}

export class ChangeSteps implements StepSource {
  entries = new Int32Array(1 << 16);
  private n = 0;
  /** Per client: its entries are [start, end). */
  private start = new Int32Array(1024);
  private end = new Int32Array(1024);
  /** The code scale of every step so far (0: none yet): every value counted is code / scale. */
  private scale = 0;
  private valid = true;
  /** The most sessions since intake of any entry (0: none). */
  maxOffset = 0;
  /** The largest |step| of any entry. */
  private maxStep = 0;
  /** The values of the codes of `tableScale` (store.ts decodeTable; 0: none yet, made when first read). */
  private table: Float64Array = new Float64Array(0);
  private tableScale = 0;

  /**
   * `on`: whether there are steps (outcomes held in integer codes, memoised tests);
   * `capped`: whether the store keeps the sessions too (the steps are then dropped past
   * MAX_ENTRIES; else they are all there is).
   */
  constructor(
    on: boolean,
    private readonly capped: boolean,
  ) {
    if (!on) this.valid = false;
  }

  /** Gives up the steps (the passes read the store). */
  drop(): void {
    this.valid = false;
    this.entries = new Int32Array(0);
  }

  /** Adds client c's sessions `s` (in session order; intake at index `first`, -1: none). */
  add(c: number, s: ClientSessions, first: number): void {
    if (!this.valid) return;
    if (c >= this.start.length) {
      this.start = grow(this.start, c + 1);
      this.end = grow(this.end, c + 1);
    }
    let n = this.n;
    this.start[c] = n;
    if (first >= 0) {
      if (n + s.n > MAX_ENTRIES && this.capped) return this.drop();
      if (n + s.n > this.entries.length) this.entries = grow(this.entries, n + s.n);
      const entries = this.entries;
      const { session, outcome } = s;
      const s0 = session[first];
      const i0 = outcome[first];
      let scale = this.scale === 0 ? 1 : this.scale;
      // The steps in codes of `scale`; a value that is no code of it widens the scale (the
      // steps so far are scaled to it) and the client's steps are made again.
      for (;;) {
        const c0 = Math.round(i0 * scale);
        // The first value that is no code of `scale` (NaN: none).
        let bad = c0 / scale === i0 ? NaN : i0;
        // co / scale read off the table of the codes below 2^15 in magnitude (store.ts),
        // made only once a scale holds an intake (not for a scale the first intake widens).
        if (bad !== bad && scale !== this.tableScale) this.table = decodeTable((this.tableScale = scale));
        const table = this.table;
        let m = n;
        let maxOff = this.maxOffset;
        let maxStep = this.maxStep;
        for (let k = first + 1; k < s.n && bad !== bad; k++) {
          const o = outcome[k];
          const off = session[k] - s0;
          if (o !== o || !(off > 0)) continue;
          const co = Math.round(o * scale);
          if ((co < 32768 && co > -32768 ? table[co + 32768] : co / scale) !== o) {
            bad = o;
            break;
          }
          const step = co - c0;
          if (!(off < SMALL_OFFSET && (off | 0) === off && step <= MAX_STEP && step >= -MAX_STEP)) return this.drop();
          entries[m++] = step * (STEP_OFF_MASK + 1) + off;
          if (off > maxOff) maxOff = off;
          if (step > maxStep) maxStep = step;
          else if (-step > maxStep) maxStep = -step;
        }
        if (bad !== bad) {
          n = m;
          this.maxOffset = maxOff;
          this.maxStep = maxStep;
          break;
        }
        const wider = widerScale(scale, bad);
        if (wider === 0) return this.drop();
        // (rescale drops the steps when they no longer fit.)
        if (!this.rescale(wider)) return;
        scale = wider;
      }
      this.scale = scale;
    }
    this.end[c] = n;
    this.n = n;
  }

  /**
   * The steps so far in codes of a wider scale (`scale`, a multiple of the current one);
   * false (and dropped) when one no longer fits.
   */
  private rescale(scale: number): boolean {
    if (this.scale === 0) {
      this.scale = scale;
      return true;
    }
    const factor = scale / this.scale;
    if (!Number.isInteger(factor) || factor < 1) {
      this.drop();
      return false;
    }
    const entries = this.entries;
    const limit = Math.floor(MAX_STEP / factor);
    for (let e = 0; e < this.n; e++) {
      const step = entries[e] >> STEP_OFF_BITS;
      if (step > limit || step < -limit) {
        this.drop();
        return false;
      }
      entries[e] = step * factor * (STEP_OFF_MASK + 1) + (entries[e] & STEP_OFF_MASK);
    }
    this.scale = scale;
    this.maxStep *= factor;
    return true;
  }

  /**
   * Whether the steps stand for outcomes held in codes of `codeScale` (the store's at the
   * end of the scan; null: Float64), scaled to it when it is wider.
   */
  usable(codeScale: number | null): boolean {
    if (!this.valid || codeScale === null) return false;
    return this.scale === 0 || this.scale === codeScale || this.rescale(codeScale);
  }

  /** How the steps hold the outcomes, for the cells' histograms (etr.ts Codes): every step is within +-maxStep. */
  codes(): Codes {
    return this.valid ? { scale: this.scale === 0 ? 1 : this.scale, lo: 0, hi: this.maxStep } : null;
  }

  first(c: number): number {
    return c < this.start.length ? this.start[c] : 0;
  }

  last(c: number): number {
    return c < this.end.length ? this.end[c] : 0;
  }
}
