/**
 * Session numbers over the final row stream (Mapping.sessionSource):
 *
 * - 'column' / 'column+date': the session column's numbers as read.
 * - 'date': 1..n by date within client; ties keep the order of appearance; rows without a
 *   valid date get no session number (NaN). One pre-pass (on the first scan, reading only
 *   client, session and date) checks whether each client's dates arrive in order; if not
 *   (the pass stops at the first date out of order), a second pre-pass computes the ranks
 *   (memory: about 20 bytes per row while ranking, 4 bytes per row kept; only in that case).
 * - 'file-order': 1..n in order of appearance within client.
 */
import { grow } from './intern.js';
import type { SessionRow, SessionSource } from './types.js';

/** Streams the rows (client, session and date only) in scan order; may stop by throwing StopPass. */
export type KeyPass = (onRow: (row: SessionRow) => void) => Promise<void>;

export class StopPass extends Error {}

interface DatePlan {
  /** Session number per row ordinal (0: none), or null when dates arrive in order within each client. */
  ranks: Int32Array | null;
}

export class Numbering {
  private plan: Promise<DatePlan> | null = null;

  constructor(
    readonly source: SessionSource,
    private readonly keyPass: KeyPass,
  ) {}

  /** Wraps onRow so every row carries its session number; call once per scan. */
  async wrap(onRow: (row: SessionRow) => void): Promise<(row: SessionRow) => void> {
    if (this.source === 'file-order') {
      let counter = new Int32Array(0);
      return (row) => {
        counter = grow(counter, row.client + 1);
        row.session = ++counter[row.client];
        onRow(row);
      };
    }
    if (this.source !== 'date') return onRow;
    this.plan ??= this.probe();
    const { ranks } = await this.plan;
    if (ranks) {
      let ordinal = 0;
      return (row) => {
        const k = ranks[ordinal++];
        row.session = k > 0 ? k : NaN;
        onRow(row);
      };
    }
    let counter = new Int32Array(0);
    return (row) => {
      if (row.date === row.date) {
        counter = grow(counter, row.client + 1);
        row.session = ++counter[row.client];
      } else row.session = NaN;
      onRow(row);
    };
  }

  private async probe(): Promise<DatePlan> {
    let last = new Float64Array(0);
    let sorted = true;
    try {
      await this.keyPass((row) => {
        if (row.date !== row.date) return;
        last = grow(last, row.client + 1, -Infinity);
        if (row.date < last[row.client]) {
          sorted = false;
          throw new StopPass(); // the rank pass below reads everything anyway
        }
        last[row.client] = row.date;
      });
    } catch (e) {
      if (!(e instanceof StopPass)) throw e;
    }
    if (sorted) return { ranks: null };
    let cl = new Int32Array(1024);
    let dt = new Float64Array(1024);
    let n = 0;
    await this.keyPass((row) => {
      cl = grow(cl, n + 1);
      dt = grow(dt, n + 1);
      cl[n] = row.client;
      dt[n] = row.date;
      n++;
    });
    return { ranks: rankWithinClient(cl.subarray(0, n), dt.subarray(0, n)) };
  }
}

/**
 * Session numbers 1..n by date within client; ties keep the order of appearance; rows
 * without a date get 0 (no session number).
 */
export function rankWithinClient(client: Int32Array, date: Float64Array): Int32Array {
  const n = client.length;
  const out = new Int32Array(n);
  let nc = 0;
  for (let i = 0; i < n; i++) if (client[i] + 1 > nc) nc = client[i] + 1;
  const start = new Int32Array(nc + 1);
  for (let i = 0; i < n; i++) if (date[i] === date[i]) start[client[i] + 1]++;
  for (let c = 0; c < nc; c++) start[c + 1] += start[c];
  const order = new Uint32Array(start[nc]);
  const fill = start.slice(0, nc);
  for (let i = 0; i < n; i++) if (date[i] === date[i]) order[fill[client[i]]++] = i;
  for (let c = 0; c < nc; c++) {
    const seg = order.subarray(start[c], start[c + 1]);
    seg.sort((x, y) => date[x] - date[y] || x - y);
    for (let k = 0; k < seg.length; k++) out[seg[k]] = k + 1;
  }
  return out;
}
