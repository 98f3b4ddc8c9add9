/**
 * The dictionary of an SPSS system file (.sav, .zsav): everything before the cases.
 * Written against the published format (the PSPP manual, "System File Format",
 * https://www.gnu.org/software/pspp/pspp-dev/html_node/System-File-Format.html, which
 * documents the files IBM SPSS Statistics writes):
 *
 * - the file header (176 bytes: $FL2 or $FL3, layout code for the byte order, case size,
 *   compression 0/1/2, case count, compression bias);
 * - variable records (type 2) with their labels and missing values (discrete, a range,
 *   or a range and one value), one record per 8-byte element (continuation records -1);
 * - value labels (type 3, with the variables they apply to in type 4);
 * - documents (type 6, skipped);
 * - extension records (type 7): 3 (integer info: the character code page), 4 (float info:
 *   system-missing), 13 (long variable names), 14 (very long strings: widths over 255
 *   stored as segments of 255), 16 (64-bit case count), 20 (character encoding), 21 (value
 *   labels of long strings), 22 (missing values of long strings); others are skipped;
 * - the dictionary end (type 999), after which the cases begin (./cases.ts).
 *
 * Names, labels and strings are decoded with the file's encoding: record 20 when present,
 * else the code page of record 3, else windows-1252 (a superset of ASCII, what SPSS used
 * before Unicode mode).
 */

export type Missing = { kind: 'none' } | { kind: 'values'; values: (number | string)[] } | { kind: 'range'; low: number; high: number; value?: number };

export interface SavVariable {
  /** The name shown (the long name when the file gives one). */
  name: string;
  /** The short (8-byte) name of the first segment, as the dictionary records name it. */
  short: string;
  label: string | null;
  /** 0 numeric, else the string width in bytes. */
  width: number;
  /** Print format type (SPSS format code: 20 DATE, 22 DATETIME, 23 ADATE, ...). */
  format: number;
  missing: Missing;
  /** Value labels (numbers for numeric variables, space-trimmed text for strings). */
  labels: Map<number | string, string> | null;
  /** Byte ranges of the case record that hold the value: [offset, length] per segment. */
  segments: [number, number][];
}

export interface SavDictionary {
  littleEndian: boolean;
  /** 0 none, 1 bytecode, 2 zlib (.zsav). */
  compression: number;
  bias: number;
  /** Number of cases, -1 when the file does not say. */
  cases: number;
  /** 8-byte elements per case. */
  caseElements: number;
  sysmis: number;
  encoding: string;
  variables: SavVariable[];
  /** File offset of the first byte after the dictionary. */
  dataOffset: number;
}

/** The error a damaged or non-SPSS file gives (made a UserError by the caller). */
export class SavFormatError extends Error {}

/** A code page number (record 3) as a WHATWG encoding label. */
function codePage(cp: number): string {
  if (cp === 65001) return 'utf-8';
  if (cp === 1 || cp === 4) throw new SavFormatError(`the file uses the character code ${cp} (EBCDIC or DEC Kanji), which cannot be read`);
  if (cp >= 874 && cp <= 1258) return `windows-${cp}`;
  const names: Record<number, string> = { 932: 'shift_jis', 936: 'gbk', 949: 'euc-kr', 950: 'big5', 20932: 'euc-jp', 28605: 'iso-8859-15', 20866: 'koi8-r' };
  if (names[cp]) return names[cp];
  if (cp >= 28592 && cp <= 28599) return `iso-8859-${cp - 28590}`;
  return 'windows-1252';
}

export function decoderFor(encoding: string): TextDecoder {
  try {
    return new TextDecoder(encoding);
  } catch {
    return new TextDecoder('windows-1252');
  }
}

/** Reads the file from the start on demand (the dictionary is read once, synchronously). */
export interface ByteSource {
  /** Up to `n` bytes at file offset `at` (fewer at the end of the file). */
  read(at: number, n: number): Buffer;
}

class Cursor {
  private buf: Buffer = Buffer.alloc(0);
  private base = 0;
  pos = 0;
  constructor(
    private readonly src: ByteSource,
    public le = true,
  ) {}
  private ensure(n: number): void {
    if (this.pos + n <= this.base + this.buf.length) return;
    const want = Math.max(n, 1 << 16);
    this.buf = this.src.read(this.pos, want);
    this.base = this.pos;
    if (this.buf.length < n) throw new SavFormatError(`the file ends inside its dictionary, at byte ${this.pos + this.buf.length}: it is truncated`);
  }
  bytes(n: number): Buffer {
    if (n < 0 || n > 1 << 30) throw new SavFormatError(`a record at byte ${this.pos} gives an impossible length (${n})`);
    this.ensure(n);
    const o = this.pos - this.base;
    this.pos += n;
    return this.buf.subarray(o, o + n);
  }
  i32(): number {
    const b = this.bytes(4);
    return this.le ? b.readInt32LE(0) : b.readInt32BE(0);
  }
  f64(): number {
    const b = this.bytes(8);
    return this.le ? b.readDoubleLE(0) : b.readDoubleBE(0);
  }
  i64(): number {
    const b = this.bytes(8);
    return Number(this.le ? b.readBigInt64LE(0) : b.readBigInt64BE(0));
  }
  f64At(b: Buffer, o: number): number {
    return this.le ? b.readDoubleLE(o) : b.readDoubleBE(o);
  }
  i32At(b: Buffer, o: number): number {
    return this.le ? b.readInt32LE(o) : b.readInt32BE(o);
  }
}

/** One variable record (type 2) before names and labels are decoded. */
interface RawVar {
  type: number;
  element: number;
  short: Buffer;
  label: Buffer | null;
  format: number;
  nMissing: number;
  missing: Buffer[];
}

const SYSMIS_DEFAULT = -Number.MAX_VALUE;

export function readDictionary(src: ByteSource): SavDictionary {
  const c = new Cursor(src);
  const head = c.bytes(176);
  const magic = head.toString('latin1', 0, 4);
  if (magic !== '$FL2' && magic !== '$FL3') throw new SavFormatError('it does not start with $FL2 or $FL3');
  if (![2, 3].includes(head.readInt32LE(64))) {
    if (![2, 3].includes(head.readInt32BE(64))) throw new SavFormatError('its layout code is neither 2 nor 3 in either byte order');
    c.le = false;
  }
  const caseElements = c.i32At(head, 68);
  const compression = c.i32At(head, 72);
  if (compression < 0 || compression > 2 || (compression === 2) !== (magic === '$FL3'))
    throw new SavFormatError(`its compression code (${compression}) does not match its magic ${magic}`);
  let cases = c.i32At(head, 80);
  const bias = c.f64At(head, 84);

  const raw: RawVar[] = [];
  let element = 0;
  const labelSets: { pairs: [Buffer, Buffer][]; elements: number[] }[] = [];
  let sysmis = SYSMIS_DEFAULT;
  let encoding = '';
  let codePageNumber = 0;
  let longNames: Buffer | null = null;
  let veryLong: Buffer | null = null;
  const longLabels: Buffer[] = [];
  const longMissing: Buffer[] = [];

  for (;;) {
    const at = c.pos;
    const rec = c.i32();
    if (rec === 2) {
      const type = c.i32();
      const hasLabel = c.i32();
      const nMissing = c.i32();
      const format = (c.i32() >> 16) & 0xff;
      c.i32(); // write format
      const short = Buffer.from(c.bytes(8));
      let label: Buffer | null = null;
      if (hasLabel === 1) {
        const len = c.i32();
        label = Buffer.from(c.bytes(len));
        c.bytes((4 - (len % 4)) % 4);
      }
      if (nMissing > 3 || nMissing < -3 || nMissing === -1) throw new SavFormatError(`variable record at byte ${at} has ${nMissing} missing values`);
      const missing: Buffer[] = [];
      for (let k = 0; k < Math.abs(nMissing); k++) missing.push(Buffer.from(c.bytes(8)));
      raw.push({ type, element: element++, short, label, format, nMissing, missing });
    } else if (rec === 3) {
      const n = c.i32();
      if (n < 0) throw new SavFormatError(`value label record at byte ${at} has ${n} labels`);
      const pairs: [Buffer, Buffer][] = [];
      for (let k = 0; k < n; k++) {
        const value = Buffer.from(c.bytes(8));
        const len = c.bytes(1)[0];
        const label = Buffer.from(c.bytes(len));
        c.bytes((8 - ((len + 1) % 8)) % 8);
        pairs.push([value, label]);
      }
      if (c.i32() !== 4) throw new SavFormatError(`value label record at byte ${at} is not followed by its variable list (record type 4)`);
      const nv = c.i32();
      const elements: number[] = [];
      for (let k = 0; k < nv; k++) elements.push(c.i32() - 1);
      labelSets.push({ pairs, elements });
    } else if (rec === 6) {
      const n = c.i32();
      c.bytes(80 * n);
    } else if (rec === 7) {
      const subtype = c.i32();
      const size = c.i32();
      const count = c.i32();
      const data = Buffer.from(c.bytes(size * count));
      if (subtype === 3 && data.length >= 32) codePageNumber = c.i32At(data, 28);
      else if (subtype === 4 && data.length >= 8) sysmis = c.f64At(data, 0);
      else if (subtype === 13) longNames = data;
      else if (subtype === 14) veryLong = data;
      else if (subtype === 16 && data.length >= 16) {
        const n = Number(c.le ? data.readBigInt64LE(8) : data.readBigInt64BE(8));
        if (cases < 0 && n >= 0) cases = n;
      } else if (subtype === 20) encoding = data.toString('latin1').trim();
      else if (subtype === 21) longLabels.push(data);
      else if (subtype === 22) longMissing.push(data);
    } else if (rec === 999) {
      c.i32();
      break;
    } else {
      throw new SavFormatError(`unknown record type ${rec} at byte ${at}`);
    }
  }

  // Every 8-byte element of a case has its variable record (continuations included), so the
  // header's case size must be their count: another number (a damaged header) would read
  // each case at the wrong offsets, and a huge one would size a case buffer of gigabytes.
  if (caseElements !== raw.length) throw new SavFormatError(`its header gives ${caseElements} elements per case, but its variable records give ${raw.length}`);
  if (!encoding) encoding = codePageNumber ? codePage(codePageNumber) : 'windows-1252';
  const dec = decoderFor(encoding);
  const text = (b: Buffer) => dec.decode(b);
  const variables = buildVariables(raw, c, text, sysmis, longNames, veryLong, caseElements);
  applyValueLabels(variables, raw, labelSets, c, text);
  applyLongStringRecords(variables, longLabels, longMissing, c, text);
  return { littleEndian: c.le, compression, bias, cases, caseElements, sysmis, encoding, variables, dataOffset: c.pos };
}

/** Splits a record 13/14 text into its KEY=VALUE pairs (separated by tabs; 14 also pads with NULs). */
function pairsOf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split('\t')) {
    const p = part.replace(/\0+$/, '');
    const i = p.indexOf('=');
    if (i > 0) out.set(p.slice(0, i).toUpperCase(), p.slice(i + 1));
  }
  return out;
}

function buildVariables(
  raw: RawVar[],
  c: Cursor,
  text: (b: Buffer) => string,
  sysmis: number,
  longNames: Buffer | null,
  veryLong: Buffer | null,
  caseElements: number,
): SavVariable[] {
  const names = longNames ? pairsOf(text(longNames)) : new Map<string, string>();
  const widths = veryLong ? pairsOf(text(veryLong)) : new Map<string, string>();
  const out: SavVariable[] = [];
  let k = 0;
  while (k < raw.length) {
    const r = raw[k];
    if (r.type === -1) throw new SavFormatError(`a continuation record (element ${r.element + 1}) has no string variable before it`);
    if (r.type < 0 || r.type > 255) throw new SavFormatError(`variable ${k + 1} has the impossible type ${r.type}`);
    const short = text(r.short).trimEnd();
    const elementsOf = (type: number) => (type === 0 ? 1 : Math.ceil(type / 8));
    const vls = widths.get(short.toUpperCase());
    const width = vls !== undefined ? Number(vls) : r.type;
    if (!Number.isInteger(width) || width < 0) throw new SavFormatError(`variable ${short} has the impossible width ${vls}`);
    const segments: [number, number][] = [];
    // A very long string: ceil(width / 252) segments, each 255 bytes of the value but the
    // last, which holds the rest (as SPSS, PSPP and R haven write and read them).
    const nseg = width > 255 ? Math.ceil(width / 252) : 1;
    let j = k;
    for (let s = 0; s < nseg; s++) {
      const seg = raw[j];
      if (!seg || seg.type === -1) throw new SavFormatError(`the very long string ${short} lacks its segment ${s + 1}`);
      const used = width === 0 ? 8 : nseg === 1 ? width : Math.min(seg.type, s < nseg - 1 ? 255 : width - 255 * s);
      segments.push([seg.element * 8, used]);
      j++;
      const n = elementsOf(seg.type);
      for (let e = 1; e < n; e++, j++) if (!raw[j] || raw[j].type !== -1) throw new SavFormatError(`string variable ${short} lacks its continuation records`);
    }
    for (const [o, n] of segments) if (o + n > caseElements * 8) throw new SavFormatError(`variable ${short} lies past the case size the header gives`);
    const missing = missingOf(r, c, text, sysmis);
    out.push({
      name: names.get(short.toUpperCase()) ?? short,
      short,
      label: r.label ? text(r.label).trim() || null : null,
      width,
      format: r.format,
      missing,
      labels: null,
      segments,
    });
    k = j;
  }
  return out;
}

function missingOf(r: RawVar, c: Cursor, text: (b: Buffer) => string, sysmis: number): Missing {
  if (r.nMissing === 0) return { kind: 'none' };
  if (r.type !== 0) return { kind: 'values', values: r.missing.map((b) => text(b).trimEnd()) };
  const v = r.missing.map((b) => c.f64At(b, 0));
  if (r.nMissing > 0) return { kind: 'values', values: v.filter((x) => x !== sysmis) };
  return { kind: 'range', low: v[0], high: v[1], value: r.nMissing === -3 ? v[2] : undefined };
}

function applyValueLabels(
  variables: SavVariable[],
  raw: RawVar[],
  sets: { pairs: [Buffer, Buffer][]; elements: number[] }[],
  c: Cursor,
  text: (b: Buffer) => string,
) {
  const byElement = new Map<number, SavVariable>();
  for (const v of variables) byElement.set(v.segments[0][0] / 8, v);
  for (const set of sets) {
    for (const e of set.elements) {
      const v = byElement.get(e);
      if (!v) throw new SavFormatError(`value labels name element ${e + 1}, which starts no variable`);
      v.labels ??= new Map();
      for (const [value, label] of set.pairs) v.labels.set(v.width === 0 ? c.f64At(value, 0) : text(value).trimEnd(), text(label));
    }
  }
  void raw;
}

/** Records 21 (value labels) and 22 (missing values) of strings longer than 8 bytes, by variable name. */
function applyLongStringRecords(variables: SavVariable[], labels: Buffer[], missing: Buffer[], c: Cursor, text: (b: Buffer) => string) {
  const byName = new Map<string, SavVariable>();
  for (const v of variables) {
    byName.set(v.name.toUpperCase(), v);
    byName.set(v.short.toUpperCase(), v);
  }
  const find = (b: Buffer) => {
    const name = text(b).trimEnd().toUpperCase();
    const v = byName.get(name);
    if (!v) throw new SavFormatError(`a long string record names the unknown variable ${text(b).trimEnd()}`);
    return v;
  };
  for (const data of labels) {
    let o = 0;
    const take = (n: number) => {
      if (n < 0 || o + n > data.length) throw new SavFormatError('a long string value label record is cut short');
      const b = data.subarray(o, o + n);
      o += n;
      return b;
    };
    const int = () => c.i32At(take(4), 0);
    while (o < data.length) {
      const v = find(take(int()));
      int(); // width
      const n = int();
      v.labels ??= new Map();
      for (let k = 0; k < n; k++) {
        const value = text(take(int())).trimEnd();
        v.labels.set(value, text(take(int())));
      }
    }
  }
  for (const data of missing) {
    let o = 0;
    const take = (n: number) => {
      if (n < 0 || o + n > data.length) throw new SavFormatError('a long string missing value record is cut short');
      const b = data.subarray(o, o + n);
      o += n;
      return b;
    };
    while (o < data.length) {
      const v = find(take(c.i32At(take(4), 0)));
      const n = take(1)[0];
      const len = c.i32At(take(4), 0);
      const values: string[] = [];
      for (let k = 0; k < n; k++) values.push(text(take(len)).trimEnd());
      v.missing = { kind: 'values', values };
    }
  }
}
