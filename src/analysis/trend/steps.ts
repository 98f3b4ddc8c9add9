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
 * every pass reads the store), the outcome column in one integer tier from the first run to
 * the last (a wider tier later, or Float64, changes the codes), every session since intake
 * a whole number below 1024 (SMALL_OFFSET, the cells' fast lookup), every step within
 * +-2^21 and at most MAX_ENTRIES entries. Past any of these the steps are dropped and the passes read the store as before
 * (test/analysis/trend-runs.test.ts compares both ways).
 */
import { grow } from '../../dataset/intern.js';
import { SMALL_OFFSET, STEP_OFF_BITS, STEP_OFF_MASK, type StepSource } from './etr.js';
import type { ClientSessions, PagedColumn } from './store.js';

const MAX_STEP = (1 << (31 - STEP_OFF_BITS)) - 1;
/** The most entries kept (16 MB): past them the passes read the store (at 10M rows its memory matters more than the time). */
const MAX_ENTRIES = 1 << 22;

export class ChangeSteps implements StepSource {
  entries = new Int32Array(1 << 16);
  private n = 0;
  /** Per client: its entries are [start, end). */
  private start = new Int32Array(1024);
  private end = new Int32Array(1024);
  /** The code scale of every step so far (0: none yet). */
  private scale = 0;
  private valid = true;

  constructor(private readonly outcome: PagedColumn | null) {
    if (outcome === null) this.valid = false;
  }

  /** Gives up the steps (the passes read the store). */
  drop(): void {
    this.valid = false;
    this.entries = new Int32Array(0);
  }

  /** Adds client c's sessions `s` (in session order, already in the store; intake at index `first`, -1: none). */
  add(c: number, s: ClientSessions, first: number): void {
    if (!this.valid) return;
    const scale = this.outcome!.codeScale();
    if (scale === null || (this.scale !== 0 && scale !== this.scale)) return this.drop();
    this.scale = scale;
    if (c >= this.start.length) {
      this.start = grow(this.start, c + 1);
      this.end = grow(this.end, c + 1);
    }
    let n = this.n;
    this.start[c] = n;
    if (first >= 0) {
      if (n + s.n > MAX_ENTRIES) return this.drop();
      if (n + s.n > this.entries.length) this.entries = grow(this.entries, n + s.n);
      const entries = this.entries;
      const { session, outcome } = s;
      const s0 = session[first];
      const c0 = Math.round(outcome[first] * scale);
      for (let k = first + 1; k < s.n; k++) {
        const o = outcome[k];
        const off = session[k] - s0;
        if (o !== o || !(off > 0)) continue;
        const step = Math.round(o * scale) - c0;
        if (!(off < SMALL_OFFSET && (off | 0) === off && step <= MAX_STEP && step >= -MAX_STEP)) return this.drop();
        entries[n++] = step * (STEP_OFF_MASK + 1) + off;
      }
    }
    this.end[c] = n;
    this.n = n;
  }

  /** Whether the steps stand for the store's outcomes at the end of the scan (`codeScale`: the scale of its codes now). */
  usable(codeScale: number | null): boolean {
    return this.valid && codeScale !== null && (this.scale === 0 || this.scale === codeScale);
  }

  first(c: number): number {
    return c < this.start.length ? this.start[c] : 0;
  }

  last(c: number): number {
    return c < this.end.length ? this.end[c] : 0;
  }
}
