/**
 * Output in pieces, for results too large for one string (or to hold at all: a Sequence,
 * src/sequence.ts, is written one element at a time): a per-client table or JSON of a
 * million clients passes V8's string limit (about 512 MB: "Invalid string length") and,
 * built whole, holds the output twice more in memory. `jsonChunks` yields exactly the text
 * of JSON.stringify(value, null, 2) + newline through jsonSafe (renderJson's; NaN and
 * Infinity are null, as JSON.stringify writes them), render.ts's `csvChunks` exactly renderCsvTable's, in pieces
 * of about CHUNK characters; `writeChunks` writes them with backpressure.
 */
import { yieldEvery, type TextSink } from '../io/process.js';
import { isSequence } from '../sequence.js';
import { jsonSafe } from '../io/text-safety.js';

/** Pieces are gathered up to about this many characters before they are handed on. */
const CHUNK = 1 << 16;

/** Arrays longer than this are written element by element; shorter values in one call. */
const SPLIT_ARRAY = 64;

function isPlain(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}

/**
 * Whether a container is, or holds within three levels, an array longer than SPLIT_ARRAY:
 * then it is walked (results.json's sections.trend.clients is three levels down), else
 * stringified whole.
 */
function holdsLong(v: unknown, depth: number): boolean {
  if (isSequence(v)) return true;
  if (Array.isArray(v)) {
    if (v.length > SPLIT_ARRAY) return true;
    return depth < 3 && v.some((e) => e !== null && typeof e === 'object' && holdsLong(e, depth + 1));
  }
  if (!isPlain(v) || depth >= 3) return false;
  for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k) && v[k] !== null && typeof v[k] === 'object' && holdsLong(v[k], depth + 1)) return true;
  return false;
}

/** A value JSON.stringify leaves out of an object (and writes as null in an array). */
function skipped(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

/**
 * The text of JSON.stringify(value, null, 2) + '\n' (through jsonSafe: the same value), in pieces. Containers that hold a
 * long array (holdsLong) are walked; everything else is stringified whole and re-indented
 * (JSON strings hold no raw line breaks, so that is exact).
 */
export function* jsonChunks(value: unknown): Generator<string> {
  let buf = '';
  const parts: string[] = [];
  const flush = function* (): Generator<string> {
    if (parts.length > 0) {
      buf += parts.join('');
      parts.length = 0;
    }
    if (buf.length > 0) {
      yield jsonSafe(buf);
      buf = '';
    }
  };
  let size = 0;
  const put = (s: string) => {
    parts.push(s);
    size += s.length;
  };
  const leaf = (v: unknown, indent: string): string => {
    const s = JSON.stringify(v, null, 2);
    return indent.length > 0 && s.includes('\n') ? s.replace(/\n/g, '\n' + indent) : s;
  };
  function* walk(x: unknown, indent: string): Generator<string> {
    if (isSequence(x)) {
      // Made one element at a time (src/sequence.ts): written as the array toJSON gives.
      const inner = indent + '  ';
      let first = true;
      for (const e of x) {
        put(first ? '[\n' + inner : ',\n' + inner);
        first = false;
        if (skipped(e)) put('null');
        else yield* walk(e, inner);
        if (size >= CHUNK) {
          size = 0;
          yield* flush();
        }
      }
      put(first ? '[]' : '\n' + indent + ']');
      return;
    }
    if (Array.isArray(x) && holdsLong(x, 0)) {
      const inner = indent + '  ';
      put('[\n');
      for (let i = 0; i < x.length; i++) {
        put(inner);
        const e = x[i] as unknown;
        if (skipped(e)) put('null');
        else yield* walk(e, inner);
        put(i < x.length - 1 ? ',\n' : '\n');
        if (size >= CHUNK) {
          size = 0;
          yield* flush();
        }
      }
      put(indent + ']');
      return;
    }
    if (isPlain(x) && holdsLong(x, 0)) {
      const keys = Object.keys(x).filter((k) => !skipped(x[k]));
      if (keys.length === 0) {
        put('{}');
        return;
      }
      const inner = indent + '  ';
      put('{\n');
      for (let i = 0; i < keys.length; i++) {
        put(inner + JSON.stringify(keys[i]) + ': ');
        yield* walk(x[keys[i]], inner);
        put(i < keys.length - 1 ? ',\n' : '\n');
      }
      put(indent + '}');
      return;
    }
    put(leaf(x, indent));
    if (size >= CHUNK) {
      size = 0;
      yield* flush();
    }
  }
  yield* walk(value, '');
  put('\n');
  yield* flush();
}

/** Writes the pieces in order, waiting for the sink to drain; stops when the reader has gone. */
export async function writeChunks(out: { stdout: TextSink; drain?: () => Promise<void>; closed?: () => boolean }, chunks: Iterable<string>): Promise<void> {
  // Writes into a file are synchronous: let a Ctrl-C reach its handler between them.
  const pause = yieldEvery(20);
  for (const c of chunks) {
    if (out.closed?.()) return;
    if (out.stdout.write(c) === false && out.drain) await out.drain();
    else await pause();
  }
}
