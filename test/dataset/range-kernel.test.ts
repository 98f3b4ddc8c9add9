/**
 * The row kernel (kernel/runs.ts through src/dataset/range-kernel.ts) against RunSink's
 * record-by-record path (src/dataset/range-runs.ts over the plain splitter,
 * src/io/parallel/plain.ts): for random quote-free pieces (clients that change, repeat and
 * come back; missing markers in any case as clients and as cells; blank and ragged lines;
 * cells that are not numbers, out of range, signed, too long, padded or not ASCII; a
 * decimal comma; a piece cut anywhere, final or not) the reduced piece is the same, int for
 * int and bit for bit, with the same bytes used and the same line after, whenever the
 * kernel takes the piece, and it takes most of them. test/io/parallel-reduce.test.ts checks
 * whole commands on several threads on top of this.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AccumulatorConfig } from '../../src/analysis/correlate/layout.js';
import { startPiece } from '../../src/analysis/correlate/range.js';
import { kernelAvailable, kernelTuning } from '../../src/dataset/range-kernel.js';
import type { RunLayout } from '../../src/dataset/range-runs.js';
import { scanPlain } from '../../src/io/parallel/plain.js';
import type { PieceSink, ReducedPiece } from '../../src/io/parallel/reduce.js';
import type { RangeRecord } from '../../src/io/scanner.js';
import { DEFAULT_MISSING_TOKENS } from '../../src/dataset/values.js';

const ODD_CLIENTS = ['K1', 'k1', 'NA', 'n/a', 'NULL', '', ' K4', 'K5 ', 'Ké', '-', '.', 'K12345678901'];
const client = fc.oneof({ weight: 25, arbitrary: fc.nat({ max: 60 }).map((n) => `K${n}`) }, { weight: 1, arbitrary: fc.constantFrom(...ODD_CLIENTS) });
const SESSIONS = ['1', '2', '3', '3', '10', '', 'x', '-1', '2.5', '007', '1e2', '-'];
const CELLS = ['0', '40', '41', '-9', '-99', '12.5', '3.25', '7', '', '', 'NA', 'nan', 'Null', 'x', '-', '.', '-.', '1.', '.5', '-0', '999'];
const ODD = ['1234567890123456', '123456789012345', '12,5', ' 3', '3 ', 'é', '0.000000000001', '99999999999999.9'];

/** Mostly clean cells (a run is taken only when all its rows are clean), some of every other kind. */
const CLEAN = ['0', '40', '12.5', '3.25', '7', '', '-0', '33'];
const cell = fc.oneof(
  { weight: 30, arbitrary: fc.constantFrom(...CLEAN) },
  { weight: 2, arbitrary: fc.constantFrom(...CELLS) },
  { weight: 1, arbitrary: fc.constantFrom(...ODD) },
);
const row = fc.record({
  client,
  /** '': the row's place in its run. */
  session: fc.oneof({ weight: 15, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom(...SESSIONS) }),
  x: cell,
  y: cell,
  /** 0: a plain row; 1: a field short; 2: a field more; 3: a blank line before it. */
  shape: fc.constantFrom(...Array<number>(30).fill(0), 1, 2, 3),
});

/** Runs of rows: a client's rows in a row, as an export has them. */
const pieceArb = fc.record({
  runs: fc.array(
    fc.record({
      client,
      rows: fc.array(row, { minLength: 1, maxLength: 6 }),
      /** The run's client on every row, or each row's own (a client cut into, missing markers). */
      keep: fc.oneof({ weight: 12, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    }),
    { minLength: 1, maxLength: 30 },
  ),
  semicolon: fc.boolean(),
  final: fc.boolean(),
  /** Cut this many bytes off the end (a piece ends anywhere when it is not final). */
  cut: fc.nat({ max: 12 }),
  /** The second measure not read by this part (its values NaN). */
  oneMeasure: fc.boolean(),
  integer: fc.boolean(),
  extra: fc.constantFrom([], ['x'], ['Missing']),
  /** Room for this many reduced floats in the kernel (the runs past it go to the reducer), or the default. */
  reducedCap: fc.constantFrom(undefined, undefined, 0, 40, 200),
  /** correlate's reduction: computeRun in the kernel (every early mode, with and without the lag block, one or two pairs), or in JavaScript (Spearman). */
  command: fc
    .record({
      pairs: fc.constantFrom<number[][]>(
        [[0, 1]],
        [[1, 0]],
        [
          [0, 1],
          [1, 0],
        ],
      ),
      early: fc.constantFrom(null, { mode: 'session' as const, k: 3 }, { mode: 'session' as const, k: 1 }, { mode: 'window' as const, k: 2 }),
      lagged: fc.boolean(),
      keepPooledValues: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    })
    .map((c): AccumulatorConfig => ({
      measures: 2,
      pairs: c.pairs.map(([alliance, outcome]) => ({ alliance, outcome })),
      early: c.early,
      lagged: c.lagged,
      keepPooledValues: c.keepPooledValues,
      keepClients: false,
    })),
});

type Spec = typeof pieceArb extends fc.Arbitrary<infer T> ? T : never;

function build(spec: Spec): Buffer {
  const sep = spec.semicolon ? ';' : ',';
  const lines: string[] = [];
  for (const run of spec.runs) {
    for (const [i, r] of run.rows.entries()) {
      const client = run.keep ? run.client : r.client;
      const session = r.session === '' ? String(i + 1) : r.session;
      const x = spec.semicolon ? r.x.replace('.', ',') : r.x;
      const y = spec.semicolon ? r.y.replace('.', ',') : r.y;
      const fields = [client, 'T1', session, x, y];
      if (r.shape === 1) fields.pop();
      if (r.shape === 2) fields.push('z');
      if (r.shape === 3) lines.push('');
      lines.push(fields.join(sep));
    }
  }
  const text = Buffer.from(lines.join('\n') + '\n', 'utf8');
  return text.subarray(0, Math.max(0, text.length - spec.cut));
}

function layout(spec: Spec): RunLayout {
  const rule = { plain: false, lo: 0, hi: 40, integer: spec.integer, codes: [-9, -99, 999] };
  return {
    ncols: 5,
    client: 0,
    session: 2,
    date: -1,
    dateFormat: 'iso',
    labels: [],
    measureG: spec.oneMeasure ? [0] : [0, 1],
    measureF: spec.oneMeasure ? [3] : [3, 4],
    M: 2,
    decimal: spec.semicolon ? ',' : '.',
    missing: [...DEFAULT_MISSING_TOKENS, ...spec.extra],
    rules: [rule, { plain: true, lo: -Infinity, hi: Infinity, integer: false, codes: [-9, -99, -999] }],
  };
}

interface Result {
  used: number;
  line: number;
  reduced: ReducedPiece | null;
}

/** RunSink record by record (the plain splitter calling sink.record). */
function bySink(buf: Buffer, spec: Spec): Result {
  const sink = startPiece(buf, { layout: layout(spec), command: spec.command });
  const rec: RangeRecord = { bytes: buf, start: new Int32Array(16), end: new Int32Array(16), quoted: [], count: 0, at: -1, next: -1 };
  const state = { line: 1 };
  const used = scanPlain(buf, buf.length, spec.final, (spec.semicolon ? ';' : ',').charCodeAt(0), rec, sink, state);
  return { used, line: state.line, reduced: sink.end() };
}

/** The same sink taking the whole piece through the kernel; null when it declines. */
function byKernel(buf: Buffer, spec: Spec): Result | null {
  const sink: PieceSink = startPiece(buf, { layout: layout(spec), command: spec.command });
  const state = { line: 1 };
  kernelTuning.reducedCap = spec.reducedCap;
  const used = sink.plain!(buf, buf.length, spec.final, (spec.semicolon ? ';' : ',').charCodeAt(0), state);
  kernelTuning.reducedCap = undefined;
  if (used < 0) return null;
  return { used, line: state.line, reduced: sink.end() };
}

/** Floats compared by their bits (NaN and -0 included). */
const bits = (r: Result): unknown => ({
  used: r.used,
  line: r.line,
  ints: r.reduced ? Array.from(r.reduced.ints) : null,
  floats: r.reduced ? Buffer.from(r.reduced.floats.buffer, r.reduced.floats.byteOffset, r.reduced.floats.byteLength).toString('hex') : null,
});

describe('the row kernel', () => {
  it('is built (npm run build compiles kernel/runs.ts)', () => {
    expect(kernelAvailable()).toBe(true);
  });

  it('reduces a piece exactly as RunSink does, whenever it takes it', () => {
    let taken = 0;
    let runs = 0;
    let total = 0;
    fc.assert(
      fc.property(pieceArb, (spec) => {
        const buf = build(spec);
        total++;
        const k = byKernel(buf, spec);
        if (k === null) return;
        taken++;
        runs += k.reduced ? k.reduced.ints[0] : 0;
        expect(bits(k)).toEqual(bits(bySink(buf, spec)));
      }),
      { numRuns: 2500 },
    );
    // Only a client key that is not printable ASCII ('Ké', ' K4', 'K5 ' are refused or
    // spoil, not declined) makes it decline: most pieces are taken, with runs in them.
    expect(taken).toBeGreaterThan(total / 3);
    expect(runs).toBeGreaterThan(total);
  });

  it('declines a piece with a CR, and one whose new client key is not printable ASCII', () => {
    const command = {
      measures: 2,
      pairs: [{ alliance: 0, outcome: 1 }],
      early: { mode: 'session' as const, k: 3 },
      lagged: true,
      keepPooledValues: false,
      keepClients: false,
    };
    const spec: Spec = {
      runs: [],
      semicolon: false,
      final: true,
      cut: 0,
      oneMeasure: false,
      integer: false,
      extra: [] as const,
      reducedCap: undefined,
      command,
    };
    const crlf = Buffer.from('K1,T1,1,3,4\r\nK2,T1,1,3,4\r\n');
    expect(byKernel(crlf, spec)).toBeNull();
    const accented = Buffer.from('K1,T1,1,3,4\nKé,T1,1,3,4\nK2,T1,1,3,4\n');
    expect(byKernel(accented, spec)).toBeNull();
    const plain = Buffer.from('K1,T1,1,3,4\nK2,T1,1,3,4\nK2,T1,2,5,6\nK3,T1,1,3,4\n');
    const k = byKernel(plain, spec);
    expect(k).not.toBeNull();
    expect(k!.reduced!.ints[0]).toBe(1);
    expect(bits(k!)).toEqual(bits(bySink(plain, spec)));
  });
});
