/**
 * One client's sessions as trend's passes read them, and their session order (the store's
 * reader and the scan's runs: store.ts, runs.ts).
 */

/** The sessions of one client, sorted by session number (ties keep file order). */
export interface ClientSessions {
  n: number;
  session: Float64Array;
  date: Float64Array;
  alliance: Float64Array;
  outcome: Float64Array;
  group: Int32Array;
}

/** Which per-session values to keep (the session number is always kept). */
export interface StoreColumns {
  date: boolean;
  alliance: boolean;
  outcome: boolean;
  group: boolean;
}

/**
 * Puts a client's sessions in session order: a stable insertion sort by session number
 * (sessions per client are few). NaN compares false with `>`, so it stays where it is
 * relative to what precedes it. `cols` names the columns moved besides the session.
 */
export class SessionSorter {
  private order: Int32Array;
  private tmp: Float64Array;
  private tmpInt: Int32Array;
  constructor(cap: number) {
    this.order = new Int32Array(cap);
    this.tmp = new Float64Array(cap);
    this.tmpInt = new Int32Array(cap);
  }

  sort(out: ClientSessions, n: number, cols: StoreColumns): void {
    if (n > this.order.length) {
      this.order = new Int32Array(n);
      this.tmp = new Float64Array(n);
      this.tmpInt = new Int32Array(n);
    }
    const order = this.order;
    for (let k = 0; k < n; k++) order[k] = k;
    const s = out.session;
    for (let i = 1; i < n; i++) {
      const o = order[i];
      const v = s[o];
      let j = i - 1;
      while (j >= 0 && s[order[j]] > v) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = o;
    }
    this.permute(out.session, n);
    if (cols.date) this.permute(out.date, n);
    if (cols.alliance) this.permute(out.alliance, n);
    if (cols.outcome) this.permute(out.outcome, n);
    if (cols.group) {
      const tmpInt = this.tmpInt;
      for (let k = 0; k < n; k++) tmpInt[k] = out.group[order[k]];
      out.group.set(tmpInt.subarray(0, n));
    }
  }

  private permute(col: Float64Array, n: number): void {
    const tmp = this.tmp;
    const order = this.order;
    for (let k = 0; k < n; k++) tmp[k] = col[order[k]];
    col.set(tmp.subarray(0, n));
  }
}
