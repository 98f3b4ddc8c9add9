/**
 * A compact per-client session store, filled in one streaming scan.
 *
 * Trajectories need each client's sessions in session order (alliance drops, change so far
 * at each session, sparklines), and exports are not always sorted. Rather than keep the
 * rows, we keep up to four numbers per session (session number, and the date, alliance,
 * outcome and group level only when the analysis uses them) in paged columns, linked per
 * client in chunks of 4 slots (on average 1.5 unused slots per client).
 *
 * Numbers are stored exactly, each column in the smallest form that holds every value seen
 * so far (see PagedColumn): Int16 for whole numbers (session numbers, PHQ-9 totals, day
 * numbers), Int32 codes for scores with up to three decimals (SRS 35.7), else Float64. So a
 * session costs 2-4 bytes per kept column plus 1 byte of chunk links in the common case, and
 * never loses precision. Pages are fixed-size, so growing never copies the
 * whole store.
 */

import type { SessionRow } from '../../dataset/types.js';
import { SessionSorter, type ClientSessions, type StoreColumns } from './sorter.js';

export type { ClientSessions, StoreColumns } from './sorter.js';

const PAGE_BITS = 20;
const PAGE_SIZE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SIZE - 1;
const CHUNK = 4;
const MISSING16 = -32768;
const MISSING32 = -2147483648;

interface Tier {
  kind: 'i16' | 'i32' | 'f64';
  /** Stored code = value * scale. */
  scale: number;
  /** Largest |code|. */
  maxCode: number;
}

/** From narrowest to widest. */
const TIERS: Tier[] = [
  { kind: 'i16', scale: 1, maxCode: 32767 },
  { kind: 'i16', scale: 10, maxCode: 32767 },
  { kind: 'i32', scale: 1000, maxCode: 2147483647 },
  { kind: 'f64', scale: 1, maxCode: Infinity },
];

/** The code scales of the integer tiers, narrowest first (1, 10, 1000). */
export const INTEGER_SCALES: readonly number[] = TIERS.filter((t) => t.kind !== 'f64').map((t) => t.scale);

/** Index of the Float64 tier in TIERS. */
const FLOAT_TIER = 3;

/**
 * The values of every Int16 code at `scale` (code / scale at index code + 32768; NaN at the
 * missing code), made once per scale: reading a value off it is cheaper than dividing.
 */
const decodeTables = new Map<number, Float64Array>();
export function decodeTable(scale: number): Float64Array {
  let t = decodeTables.get(scale);
  if (t === undefined) {
    t = new Float64Array(65536);
    for (let i = 0; i < 65536; i++) t[i] = (i - 32768) / scale;
    t[MISSING16 + 32768] = NaN;
    decodeTables.set(scale, t);
  }
  return t;
}

/** The code of v in tier t, or null when v is not exactly representable there. */
function encode(t: Tier, v: number): number | null {
  if (t.kind === 'f64') return v;
  if (Object.is(v, -0)) return null;
  const c = Math.round(v * t.scale);
  return Math.abs(c) <= t.maxCode && c / t.scale === v ? c : null;
}

/**
 * One paged column of numbers, stored in the narrowest exact form that holds every value
 * seen so far: Int16 whole numbers (session numbers, PHQ-9 totals, day numbers up to 2059),
 * Int16 tenths (SRS / ORS scored to one decimal), Int32 thousandths, else Float64. Decoding
 * is `code / scale`, and a value is only stored in a tier when exactly that expression gives
 * it back, so nothing is ever rounded. NaN (missing) is a sentinel in the integer tiers.
 */
export class PagedColumn {
  private pages: (Int16Array | Int32Array | Float64Array)[] = [];
  private tier = 0;
  /** Largest |value| stored, to know which wider tiers can take the stored values. */
  private maxAbs = 0;
  /** One past the highest slot written: an upgrade re-encodes only slots below it. */
  private end = 0;
  /** Smallest and largest value stored (NaN aside). */
  private lo = Infinity;
  private hi = -Infinity;
  /** The current tier's decoding, kept in fields for get(). */
  private scaleNow = 1;
  private missingNow: number = MISSING16;
  private maxCodeNow = TIERS[0].maxCode;
  /**
   * The Int16 tiers' values by code + 32768 (decodeTable), null in the wider tiers;
   * undefined until a value is first written (`table()`: a column that is never written,
   * as in trend's streamed scan, does not fill one).
   */
  private tableNow: Float64Array | null | undefined = undefined;

  private table(): Float64Array | null {
    return (this.tableNow ??= TIERS[this.tier].kind === 'i16' ? decodeTable(TIERS[this.tier].scale) : null);
  }

  set(slot: number, v: number): void {
    if (slot >= this.end) this.end = slot + 1;
    const p = slot >>> PAGE_BITS;
    while (this.pages.length <= p) this.pages.push(this.newPage());
    const page = this.pages[p];
    const i = slot & PAGE_MASK;
    if (v !== v) {
      // NaN: the missing code (NaN itself in Float64).
      page[i] = this.missingNow;
      return;
    }
    // The common case inline: v fits the current integer tier exactly (as encode decides).
    const scale = this.scaleNow;
    const c = Math.round(v * scale);
    if (this.tier < FLOAT_TIER && c / scale === v && c <= this.maxCodeNow && c >= -this.maxCodeNow && (v !== 0 || 1 / v > 0)) page[i] = c;
    else this.setWide(slot, v);
    const a = Math.abs(v);
    if (a > this.maxAbs) this.maxAbs = a;
    if (v < this.lo) this.lo = v;
    if (v > this.hi) this.hi = v;
  }

  /** set() of src[0..n) into slots slot..slot + n. */
  setRun(slot: number, src: Float64Array, n: number): void {
    if (n === 0) return;
    if (slot + n > this.end) this.end = slot + n;
    const last = (slot + n - 1) >>> PAGE_BITS;
    while (this.pages.length <= last) this.pages.push(this.newPage());
    let k = 0;
    // The common case inline, as in set(): values the current integer tier holds exactly.
    if (this.tier < FLOAT_TIER) {
      const scale = this.scaleNow;
      const unit = scale === 1;
      const maxCode = this.maxCodeNow;
      const miss = this.missingNow;
      const table = this.table();
      let maxAbs = this.maxAbs;
      let lo = this.lo;
      let hi = this.hi;
      while (k < n) {
        const at = slot + k;
        const page = this.pages[at >>> PAGE_BITS];
        const i0 = at & PAGE_MASK;
        const m = Math.min(n - k, PAGE_SIZE - i0);
        let j = 0;
        for (; j < m; j++) {
          const v = src[k + j];
          if (v !== v) {
            page[i0 + j] = miss;
            continue;
          }
          const c = Math.round(v * scale);
          // (c / scale === v, read off the table in Int16, without the division for whole numbers.)
          if (!(c <= maxCode && c >= -maxCode && (unit ? c === v : table !== null ? table[c + 32768] === v : c / scale === v) && (v !== 0 || 1 / v > 0))) break;
          page[i0 + j] = c;
          const a = v < 0 ? -v : v;
          if (a > maxAbs) maxAbs = a;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        k += j;
        if (j < m) break;
      }
      this.maxAbs = maxAbs;
      this.lo = lo;
      this.hi = hi;
    }
    for (; k < n; k++) this.set(slot + k, src[k]);
  }

  /** set() of a value the current tier cannot hold as an integer code (or any value in Float64). */
  private setWide(slot: number, v: number): void {
    let code = encode(TIERS[this.tier], v);
    if (code === null) {
      let j = this.tier + 1;
      while (encode(TIERS[j], v) === null || this.maxAbs * TIERS[j].scale > TIERS[j].maxCode) j++;
      this.upgrade(j);
      code = encode(TIERS[j], v)!;
    }
    this.pages[slot >>> PAGE_BITS][slot & PAGE_MASK] = code;
  }

  /**
   * How the values are held, for exact per-value tables (exact.ts): every stored value v is
   * exactly `code / scale` for an integer code in [lo, hi] when `scale` is not null (an
   * integer tier), and Math.round(v * scale) gives its code back. Null scale: Float64.
   */
  codes(): { scale: number; lo: number; hi: number } | null {
    const t = TIERS[this.tier];
    if (t.kind === 'f64') return null;
    if (this.lo > this.hi) return { scale: t.scale, lo: 0, hi: 0 };
    return { scale: t.scale, lo: Math.round(this.lo * t.scale), hi: Math.round(this.hi * t.scale) };
  }

  /** The scale of the integer codes the values are held in (codes().scale), null in Float64. */
  codeScale(): number | null {
    return TIERS[this.tier].kind === 'f64' ? null : TIERS[this.tier].scale;
  }

  get(slot: number): number {
    return this.decode(this.pages[slot >>> PAGE_BITS][slot & PAGE_MASK]);
  }

  /** get() of the n consecutive slots from `slot`, into out[0..n). */
  readInto(slot: number, n: number, out: Float64Array | Int32Array): void {
    const miss = this.missingNow;
    const scale = this.scaleNow;
    const table = this.table();
    let k = 0;
    while (k < n) {
      const at = slot + k;
      const page = this.pages[at >>> PAGE_BITS];
      const i = at & PAGE_MASK;
      const m = Math.min(n - k, PAGE_SIZE - i);
      if (table !== null) {
        for (let j = 0; j < m; j++) out[k + j] = table[page[i + j] + 32768];
      } else {
        for (let j = 0; j < m; j++) {
          const c = page[i + j];
          out[k + j] = c === miss ? NaN : c / scale;
        }
      }
      k += m;
    }
  }

  /** Bytes held (for diagnostics). */
  bytes(): number {
    return this.pages.reduce((s, p) => s + p.byteLength, 0);
  }

  private newPage(): Int16Array | Int32Array | Float64Array {
    const kind = TIERS[this.tier].kind;
    return kind === 'i16' ? new Int16Array(PAGE_SIZE) : kind === 'i32' ? new Int32Array(PAGE_SIZE) : new Float64Array(PAGE_SIZE);
  }

  /**
   * Re-encodes every page in a wider tier, one page at a time; only the slots written so
   * far (below `end`) hold values, the rest stay as a new page has them.
   */
  private upgrade(to: number): void {
    const pages = this.pages;
    this.pages = [];
    const from = this.tier;
    for (let pi = 0; pi < pages.length; pi++) {
      const page = pages[pi];
      this.tier = to;
      const out = this.newPage();
      this.tier = from;
      const used = Math.min(PAGE_SIZE, Math.max(0, this.end - pi * PAGE_SIZE));
      for (let i = 0; i < used; i++) {
        const v = this.decode(page[i]);
        out[i] = Number.isNaN(v) ? (TIERS[to].kind === 'i16' ? MISSING16 : TIERS[to].kind === 'i32' ? MISSING32 : NaN) : encode(TIERS[to], v)!;
      }
      this.pages.push(out);
    }
    this.tier = to;
    this.scaleNow = TIERS[to].kind === 'f64' ? 1 : TIERS[to].scale;
    // In Float64 the missing value is NaN itself (NaN !== NaN: decode passes it through).
    this.missingNow = TIERS[to].kind === 'i16' ? MISSING16 : TIERS[to].kind === 'i32' ? MISSING32 : NaN;
    this.maxCodeNow = TIERS[to].maxCode;
    this.tableNow = undefined;
  }

  private decode(c: number): number {
    if (c === this.missingNow) return NaN;
    return c / this.scaleNow;
  }
}

/**
 * The parts of a session row trend keeps (RunCollector.addRow): its date or not, the
 * alliance and outcome measures' indices (-1: none), the group level's reader (null: none).
 */
export interface RowPick {
  date: boolean;
  alliance: number;
  outcome: number;
  group: { read(row: SessionRow): number } | null;
}

/** A growable Int32 array indexed by client. */
class GrowInt32 {
  data: Int32Array;
  constructor(private readonly fill: number) {
    this.data = new Int32Array(1024).fill(fill);
  }
  ensure(n: number): void {
    if (n <= this.data.length) return;
    let cap = this.data.length;
    while (cap < n) cap *= 2;
    const next = new Int32Array(cap);
    next.set(this.data);
    if (this.fill !== 0) next.fill(this.fill, this.data.length);
    this.data = next;
  }
}

export class SessionStore {
  readonly session = new PagedColumn();
  readonly date: PagedColumn | null;
  readonly alliance: PagedColumn | null;
  readonly outcome: PagedColumn | null;
  /** Group level per slot (only when grouping; -1 = none). */
  readonly group: PagedColumn | null;
  private head = new GrowInt32(-1);
  private tail = new GrowInt32(-1);
  private count = new GrowInt32(0);
  private next: Int32Array[] = [];
  private chunks = 0;
  private maxClient = -1;
  private maxCount = 0;
  rows = 0;
  /** False once stopKeeping() was called: the store then holds only some clients' sessions and is not read. */
  private keeping = true;

  constructor(keep: StoreColumns) {
    this.date = keep.date ? new PagedColumn() : null;
    this.alliance = keep.alliance ? new PagedColumn() : null;
    this.outcome = keep.outcome ? new PagedColumn() : null;
    this.group = keep.group ? new PagedColumn() : null;
  }

  get clients(): number {
    this.mustKeep();
    return this.maxClient + 1;
  }

  /**
   * Marks the store as not holding the sessions (trend's streamed scan, runs.ts, which gives
   * it none): from then on it is not read, and its readers and counts throw.
   */
  stopKeeping(): void {
    this.keeping = false;
  }

  private mustKeep(): void {
    if (!this.keeping) throw new Error('SessionStore: read after stopKeeping()');
  }

  /**
   * add() of the n sessions of `s` (in the order given) for a client with none yet: the
   * same store as n calls of add(), the chunks taken at once (a client with sessions
   * already takes them one by one).
   */
  addRun(client: number, s: ClientSessions, n: number): void {
    this.mustKeep();
    if (client <= this.maxClient && this.count.data[client] !== 0) {
      for (let k = 0; k < n; k++) this.add(client, s.session[k], s.date[k], s.alliance[k], s.outcome[k], s.group[k]);
      return;
    }
    if (n === 0) return;
    if (client > this.maxClient) {
      this.head.ensure(client + 1);
      this.tail.ensure(client + 1);
      this.count.ensure(client + 1);
      this.maxClient = client;
    }
    const first = this.chunks;
    const last = first + ((n - 1) >> 2);
    this.chunks = last + 1;
    const p = last >>> PAGE_BITS;
    while (this.next.length <= p) this.next.push(new Int32Array(PAGE_SIZE).fill(-1));
    for (let ch = first; ch < last; ch++) this.next[ch >>> PAGE_BITS][ch & PAGE_MASK] = ch + 1;
    this.head.data[client] = first;
    this.tail.data[client] = last;
    const slot = first * CHUNK;
    this.session.setRun(slot, s.session, n);
    this.date?.setRun(slot, s.date, n);
    this.alliance?.setRun(slot, s.alliance, n);
    this.outcome?.setRun(slot, s.outcome, n);
    if (this.group) for (let k = 0; k < n; k++) this.group.set(slot + k, s.group[k]);
    this.count.data[client] = n;
    if (n > this.maxCount) this.maxCount = n;
    this.rows += n;
  }

  /** add() of what `pick` keeps of a session row (as RunCollector.addRow). */
  addRow(row: SessionRow, pick: RowPick): void {
    const v = row.values;
    this.add(
      row.client,
      row.session,
      pick.date ? row.date : NaN,
      pick.alliance >= 0 ? v[pick.alliance] : NaN,
      pick.outcome >= 0 ? v[pick.outcome] : NaN,
      pick.group !== null ? pick.group.read(row) : -1,
    );
  }

  add(client: number, session: number, date: number, alliance: number, outcome: number, group: number): void {
    if (client > this.maxClient) {
      this.head.ensure(client + 1);
      this.tail.ensure(client + 1);
      this.count.ensure(client + 1);
      this.maxClient = client;
    }
    const k = this.count.data[client];
    let chunk: number;
    if (k % CHUNK === 0) {
      chunk = this.chunks++;
      const p = chunk >>> PAGE_BITS;
      while (this.next.length <= p) this.next.push(new Int32Array(PAGE_SIZE).fill(-1));
      const prev = this.tail.data[client];
      if (prev < 0) this.head.data[client] = chunk;
      else this.next[prev >>> PAGE_BITS][prev & PAGE_MASK] = chunk;
      this.tail.data[client] = chunk;
    } else chunk = this.tail.data[client];
    const slot = chunk * CHUNK + (k % CHUNK);
    this.session.set(slot, session);
    this.date?.set(slot, date);
    this.alliance?.set(slot, alliance);
    this.outcome?.set(slot, outcome);
    this.group?.set(slot, group);
    this.count.data[client] = k + 1;
    if (k + 1 > this.maxCount) this.maxCount = k + 1;
    this.rows++;
  }

  sessionsOf(client: number): number {
    this.mustKeep();
    return client <= this.maxClient ? this.count.data[client] : 0;
  }

  /** Bytes held by the store (typed arrays only). */
  bytes(): number {
    const cols = this.session.bytes() + (this.date?.bytes() ?? 0) + (this.alliance?.bytes() ?? 0) + (this.outcome?.bytes() ?? 0);
    const links = this.next.length * PAGE_SIZE * 4 + (this.group?.bytes() ?? 0);
    return cols + links + 3 * this.head.data.byteLength;
  }

  /**
   * A reader that fills reused buffers with one client's sessions in session order. The
   * returned object is overwritten by the next call: copy what you keep. `cols` picks the
   * kept columns to decode (all by default; the others read as NaN / -1 from the store's
   * point of view: they are left as they are in the buffers).
   */
  reader(cols: Partial<StoreColumns> = {}): (client: number) => ClientSessions {
    this.mustKeep();
    const cap = Math.max(1, this.maxCount);
    const out: ClientSessions = {
      n: 0,
      session: new Float64Array(cap),
      date: new Float64Array(cap).fill(NaN),
      alliance: new Float64Array(cap).fill(NaN),
      outcome: new Float64Array(cap).fill(NaN),
      group: new Int32Array(cap).fill(-1),
    };
    const session = this.session;
    const date = cols.date !== false ? this.date : null;
    const alliance = cols.alliance !== false ? this.alliance : null;
    const outcome = cols.outcome !== false ? this.outcome : null;
    const group = cols.group !== false ? this.group : null;
    const head = this.head.data;
    const next = this.next;
    const count = this.count.data;
    const maxClient = this.maxClient;
    const sorter = new SessionSorter(cap);
    const kept = { date: date !== null, alliance: alliance !== null, outcome: outcome !== null, group: group !== null };
    const tail = this.tail.data;
    return (client: number) => {
      const n = client <= maxClient ? count[client] : 0;
      out.n = n;
      if (n === 0) return out;
      // Chunks are numbered in the order they are taken, so a client whose last chunk is
      // its first plus (chunks - 1) has consecutive slots (its rows were contiguous).
      if (tail[client] - head[client] === (n - 1) >> 2) {
        const slot0 = head[client] * CHUNK;
        session.readInto(slot0, n, out.session);
        date?.readInto(slot0, n, out.date);
        alliance?.readInto(slot0, n, out.alliance);
        outcome?.readInto(slot0, n, out.outcome);
        group?.readInto(slot0, n, out.group);
        const sn = out.session;
        let sorted = true;
        for (let k = 1; k < n && sorted; k++) if (sn[k - 1] > sn[k]) sorted = false;
        if (!sorted) sorter.sort(out, n, kept);
        return out;
      }
      let chunk = head[client];
      let slot = chunk * CHUNK;
      let sorted = true;
      let prev = NaN;
      for (let k = 0; k < n; k++) {
        if (k > 0) {
          if (k % CHUNK === 0) {
            chunk = next[chunk >>> PAGE_BITS][chunk & PAGE_MASK];
            slot = chunk * CHUNK;
          } else slot++;
        }
        const sn = session.get(slot);
        // The insertion sort below moves nothing exactly when no session number is greater
        // than the next one (NaN compares false both ways).
        if (prev > sn) sorted = false;
        prev = sn;
        out.session[k] = sn;
        if (date) out.date[k] = date.get(slot);
        if (alliance) out.alliance[k] = alliance.get(slot);
        if (outcome) out.outcome[k] = outcome.get(slot);
        if (group) out.group[k] = group.get(slot);
      }
      if (!sorted) sorter.sort(out, n, kept);
      return out;
    };
  }
}
