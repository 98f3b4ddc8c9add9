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

  set(slot: number, v: number): void {
    if (slot >= this.end) this.end = slot + 1;
    const p = slot >>> PAGE_BITS;
    while (this.pages.length <= p) this.pages.push(this.newPage());
    const i = slot & PAGE_MASK;
    const t = TIERS[this.tier];
    if (Number.isNaN(v)) {
      if (t.kind !== 'f64') this.pages[p][i] = t.kind === 'i16' ? MISSING16 : MISSING32;
      else this.pages[p][i] = NaN;
      return;
    }
    let code = encode(t, v);
    if (code === null) {
      let j = this.tier + 1;
      while (encode(TIERS[j], v) === null || this.maxAbs * TIERS[j].scale > TIERS[j].maxCode) j++;
      this.upgrade(j);
      code = encode(TIERS[j], v)!;
    }
    this.pages[p][i] = code;
    const a = Math.abs(v);
    if (a > this.maxAbs) this.maxAbs = a;
  }

  get(slot: number): number {
    return this.decode(this.pages[slot >>> PAGE_BITS][slot & PAGE_MASK]);
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
  }

  private decode(c: number): number {
    const t = TIERS[this.tier];
    if (t.kind === 'f64') return c;
    if (c === (t.kind === 'i16' ? MISSING16 : MISSING32)) return NaN;
    return c / t.scale;
  }
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

  constructor(keep: StoreColumns) {
    this.date = keep.date ? new PagedColumn() : null;
    this.alliance = keep.alliance ? new PagedColumn() : null;
    this.outcome = keep.outcome ? new PagedColumn() : null;
    this.group = keep.group ? new PagedColumn() : null;
  }

  get clients(): number {
    return this.maxClient + 1;
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
   * returned object is overwritten by the next call: copy what you keep.
   */
  reader(): (client: number) => ClientSessions {
    const cap = Math.max(1, this.maxCount);
    const raw = {
      session: new Float64Array(cap),
      date: new Float64Array(cap),
      alliance: new Float64Array(cap),
      outcome: new Float64Array(cap),
      group: new Int32Array(cap),
    };
    const out: ClientSessions = {
      n: 0,
      session: new Float64Array(cap),
      date: new Float64Array(cap),
      alliance: new Float64Array(cap),
      outcome: new Float64Array(cap),
      group: new Int32Array(cap),
    };
    const order = new Int32Array(cap);
    return (client: number) => {
      const n = this.sessionsOf(client);
      let chunk = n > 0 ? this.head.data[client] : -1;
      for (let k = 0; k < n; k++) {
        if (k > 0 && k % CHUNK === 0) chunk = this.next[chunk >>> PAGE_BITS][chunk & PAGE_MASK];
        const slot = chunk * CHUNK + (k % CHUNK);
        raw.session[k] = this.session.get(slot);
        raw.date[k] = this.date ? this.date.get(slot) : NaN;
        raw.alliance[k] = this.alliance ? this.alliance.get(slot) : NaN;
        raw.outcome[k] = this.outcome ? this.outcome.get(slot) : NaN;
        raw.group[k] = this.group ? this.group.get(slot) : -1;
        order[k] = k;
      }
      // Stable insertion sort by session number: sessions per client are few and usually
      // already in order, so this is linear in practice.
      for (let i = 1; i < n; i++) {
        const o = order[i];
        const s = raw.session[o];
        let j = i - 1;
        while (j >= 0 && raw.session[order[j]] > s) {
          order[j + 1] = order[j];
          j--;
        }
        order[j + 1] = o;
      }
      for (let k = 0; k < n; k++) {
        const o = order[k];
        out.session[k] = raw.session[o];
        out.date[k] = raw.date[o];
        out.alliance[k] = raw.alliance[o];
        out.outcome[k] = raw.outcome[o];
        out.group[k] = raw.group[o];
      }
      out.n = n;
      return out;
    };
  }
}
