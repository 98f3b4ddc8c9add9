/**
 * Second-scan repair of clients whose rows are not contiguous (see accumulate.ts).
 */
import type { Accumulator } from './accumulate.js';
import { GrowableF64 } from './growable.js';

/** Per scattered client in the repair scan: its rows in arrival order and the length of its first run. */
interface ScatterState {
  client: number;
  rows: GrowableF64;
  count: number;
  firstLen: number;
  firstEnded: boolean;
}

/**
 * Second-scan repair for scattered clients of one accumulator: identifies their first run
 * exactly as the first pass did (same row order, same run boundaries), removes it and merges
 * all their rows. Clients are keyed by id text, so the repair does not depend on the
 * dataset assigning the same indices in both scans.
 */
export class ScatterRepair {
  private readonly states = new Map<string, ScatterState>();
  private last: string | null = null;
  constructor(
    private readonly acc: Accumulator,
    /** Client id text -> client index of the first scan, for the scattered clients. */
    scattered: Map<string, number>,
  ) {
    for (const [id, c] of scattered) {
      this.states.set(id, { client: c, rows: new GrowableF64(64), count: 0, firstLen: 0, firstEnded: false });
    }
  }

  add(id: string, session: number, values: Float64Array): void {
    if (id !== this.last) {
      if (this.last !== null) {
        const prev = this.states.get(this.last);
        if (prev) prev.firstEnded = true;
      }
      this.last = id;
    }
    const st = this.states.get(id);
    if (!st) return;
    const M = this.acc.M;
    st.rows.push(session);
    for (let m = 0; m < M; m++) st.rows.push(values[m]);
    st.count++;
    if (!st.firstEnded) st.firstLen++;
  }

  finish(): void {
    const list = [...this.states.values()].sort((a, b) => a.client - b.client);
    for (const st of list) {
      if (st.firstLen === 0) continue;
      const first = this.acc.runOf(st.rows.data, st.firstLen);
      this.acc.merge(first, -1, st.client);
      const all = this.acc.runOf(st.rows.data, st.count);
      this.acc.disorderedCount += (all.disordered ? 1 : 0) - (first.disordered ? 1 : 0);
      this.acc.merge(all, 1, st.client);
    }
  }
}
