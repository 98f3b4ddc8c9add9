/**
 * The reduction seam of the parallel reader (issue 15): a worker that scanned a piece may
 * also run a per-command "range reducer" over the piece's records (interpret the rows,
 * reduce each client's run), and the main thread consumes the reduced piece in file order
 * ("ordered merge") instead of receiving every record.
 *
 * The io layer knows nothing of rows or commands: a reducer is a module (named by the URL
 * of its compiled file, so a worker can import it) exporting `startPiece(bytes, spec)`, a
 * sink that sees every record of the piece as it is scanned and returns typed arrays in its
 * own layout at the end: the runs it reduced and the byte ranges of the records it left
 * (no record is listed for the main thread, which costs what the worker saves). The main
 * thread's `onPiece` takes the reduced piece in order: it has the records of the ranges
 * left scanned again there and delivered (through the ordinary record handler, with their
 * lines), and counts the ones the reducer took. A piece the sink made nothing of, a piece
 * whose scan failed, and a piece the main thread had to scan again anyway (it began inside
 * a record, ./stream.ts) are scanned there whole, without the reducer.
 */
import { scanPiece, scanPieceInto, type PieceResult, type PieceSink, type ReducedPiece } from './piece.js';

export type { PieceSink, ReducedPiece };

/** A reducer the workers run: its module's URL (compiled JavaScript) and its settings (structured-cloneable). */
export interface RangeReducer {
  module: string;
  spec: unknown;
}

/** What a reducer module exports as `startPiece`: a sink for the piece `bytes` (the records' bytes). */
export type StartPiece = (bytes: Buffer, spec: unknown) => PieceSink;

/** The records of one reduced piece, for the main thread's consumer, in order. */
export interface PieceRecords {
  /** Delivers the records of bytes[start..end) (whole records, the first on the piece's line `line`). */
  raw(start: number, end: number, line: number): void;
  /** Counts `n` records the reducer took (as delivered). */
  pass(n: number): void;
}

/** The main thread's side of a reduction. */
export interface RangeReduction extends RangeReducer {
  /** The reducer's `startPiece` as loaded on this thread (the module's own export): this thread may reduce pieces too. */
  start?: StartPiece;
  /** Consumes one reduced piece (bytes: the piece as scanned): its records are the raw ranges and the passed runs, in order. */
  onPiece(bytes: Buffer, reduced: ReducedPiece, records: PieceRecords): void;
  /**
   * Reducing the pieces on this thread is faster than reading the records one by one (the
   * row kernel reads them: ../../dataset/range-kernel.ts): a read on one thread reduces its
   * pieces here (../csv.ts).
   */
  oneThread?: boolean;
}

/**
 * The URL a worker can import for a module known by its `import.meta.url` and a name
 * beside it: the compiled file itself, or, when running from the TypeScript sources (the
 * test runner), the same file under dist/ (kept current by the tests' setup).
 */
export function compiledUrl(metaUrl: string, name: string): string {
  const url = new URL(name, metaUrl).href;
  if (!metaUrl.endsWith('.ts')) return url;
  const at = url.lastIndexOf('/src/');
  return `${url.slice(0, at)}/dist/${url.slice(at + 5)}`;
}

const loaded = new Map<string, Promise<StartPiece>>();

/** A module URL's path under dist/ (`analysis/describe-range.js`), the key of a registered reducer. */
export function distPath(module: string): string {
  const at = module.lastIndexOf('/dist/');
  return at >= 0 ? module.slice(at + 6) : module;
}

const registered = new Map<string, StartPiece>();

/**
 * Registers reducers this thread already holds, by their path under dist/: a worker that
 * runs the bundled program (bin/worker.js, src/cli/worker.ts) takes them from the bundle
 * (compiled from its code cache) instead of importing dist/'s modules one by one.
 */
export function registerReducers(byPath: Record<string, StartPiece>): void {
  for (const [k, v] of Object.entries(byPath)) registered.set(k, v);
}

/** The module's `startPiece`: a registered one, else imported (once per thread). */
export function loadReducer(module: string): Promise<StartPiece> {
  let p = loaded.get(module);
  if (!p) {
    const own = registered.get(distPath(module));
    p = own
      ? Promise.resolve(own)
      : import(module).then((m: { startPiece?: StartPiece }) => {
          if (typeof m.startPiece !== 'function') throw new Error(`${module} exports no startPiece`);
          return m.startPiece;
        });
    loaded.set(module, p);
  }
  return p;
}

/** Has `start`'s sink take the records of a piece on this thread (none listed). */
export function scanReducedHere(
  bytes: Uint8Array,
  len: number,
  final: boolean,
  delimiter: string,
  display: string,
  start: StartPiece,
  spec: unknown,
): PieceResult {
  return scanPieceInto(bytes, len, final, delimiter, display, start(Buffer.from(bytes.buffer, bytes.byteOffset, len), spec));
}

/** Scans a piece (./piece.ts), or, with a reducer, has its sink take the records (none listed). */
export async function scanReduced(
  bytes: Uint8Array,
  len: number,
  final: boolean,
  delimiter: string,
  display: string,
  scratch: ArrayBuffer | undefined,
  reducer: RangeReducer | null,
): Promise<PieceResult> {
  if (reducer === null) return scanPiece(bytes, len, final, delimiter, display, scratch);
  return scanReducedHere(bytes, len, final, delimiter, display, await loadReducer(reducer.module), reducer.spec);
}
