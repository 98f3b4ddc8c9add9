// AssemblyScript (compiled to WebAssembly by scripts/kernel.mjs; not part of the TypeScript
// program): the row kernel of correlate's range reduction (src/dataset/range-kernel.ts says
// what it is for, what it must equal, and when it is used).
//
// One call scans one piece of a CSV file that holds no quote byte and no CR (the JavaScript
// side checks both), splits its records at `delim` and LF exactly as the plain scanner does
// (src/io/parallel/plain.ts), and does for each record what RunSink.record
// (src/dataset/range-runs.ts) does for a layout with no date and no label fields: finds the
// client runs, parses the session and the measures of clean records into rows, and takes a
// run (its rows kept for the reducer) under RunSink's rules. Where RunSink would ask
// whether a cell is a missing marker, the kernel answers exactly for cells of printable
// ASCII and treats any other cell as not clean (a run it leaves is read by the main
// thread, which gives the same result: leaving a run is always safe, taking one is not).
// A new client key holding a byte that is not printable ASCII makes the call decline the
// piece (-1): the JavaScript sink then scans it.
//
// Memory (byte offsets, laid out by the caller): the piece at `inp`; per measure read
// (k < nm) its g and field at mgf (i32 pairs); per measure g: plain and integer flags at
// rulesI (i32 pairs), lo and hi at rulesF (f64 pairs); the missing markers (printable ASCII,
// lower case) at tok as [length, bytes...] i32-length-prefixed, 4-aligned; fields at fld
// (i32 start/end pairs, ncols of them); the runs taken at runs (RUN_INTS i32 each); the rows
// of the runs taken at rows (1 + M f64 each); per measure the missing cells of runs taken
// at miss (i32); the runs reduced here (see reduceRun) at fout (f64); the results at res
// (i32): used bytes, line after, runs, trailing left range (start, end, line).

const LF: i32 = 10;
/** Ints per run taken: left range before it (start, end, line), rows, key range, first row, first float (-1: not reduced here). */
const RUN_INTS: i32 = 8;

// Parameters of the current call (module globals: one call at a time per instance).
let inp: usize = 0;
let ncols: i32 = 0;
let clientF: i32 = 0;
let sessionF: i32 = 0;
let nm: i32 = 0;
let M: i32 = 0;
let W: i32 = 0;
let mark: i32 = 46;
let mgf: usize = 0;
let rulesI: usize = 0;
let rulesF: usize = 0;
let tok: usize = 0;
let nTok: i32 = 0;
let fld: usize = 0;
let runs: usize = 0;
let rows: usize = 0;
let miss: usize = 0;

// RunSink's state.
let refused = false;
let declined = false;
let runNo: i32 = -1;
let runAt: i32 = -1;
let runLine: i32 = 0;
let runNext: i32 = -1;
let rawAt: i32 = -1;
let rawNext: i32 = -1;
let rawLine: i32 = 0;
let keyA: i32 = -1;
let keyE: i32 = -1;
let dirty = true;
let nRows: i32 = 0;
let nRuns: i32 = 0;
/** The first row of the current run (rows taken before it stay). */
let rowBase: i32 = 0;

/** Scratch for a parsed number. */
let num: f64 = 0;

// Powers of ten 1..1e15 (exact doubles), as values.ts's POW10.
const POW10 = memory.data<f64>([1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15]);

/**
 * parseNumberBytesInto (src/dataset/values.ts) over bytes [a, e): the value in `num`. The
 * digits are gathered in an integer (at most 15 of them: exact, as the double that
 * values.ts gathers them in), converted once, and divided once by the power of ten.
 */
function parseNum(a: i32, e: i32, m: i32): bool {
  const n = e - a;
  if (n == 0 || n > 15) return false;
  let i = a;
  const neg = load<u8>(inp + <usize>i) == 45;
  if (neg) i++;
  const first = i;
  let v: i64 = 0;
  let dot: i32 = -1;
  for (; i < e; i++) {
    const c = <i32>load<u8>(inp + <usize>i);
    const d = c - 48;
    if (<u32>d <= 9) v = v * 10 + <i64>d;
    else if (c == m && dot < 0) dot = i;
    else return false;
  }
  if (e - first == (dot >= 0 ? 1 : 0)) return false;
  const f = <f64>v;
  const r = dot < 0 ? f : f / load<f64>(POW10 + <usize>((e - 1 - dot) * 8));
  num = neg ? -r : r;
  return true;
}

/** Is bytes [a, e) printable ASCII (33-126) throughout? */
function printable(a: i32, e: i32): bool {
  for (let i = a; i < e; i++) {
    const c = load<u8>(inp + <usize>i);
    if (c <= 32 || c >= 127) return false;
  }
  return true;
}

/** MissingTokens.has for a cell of printable ASCII (lower-cased, compared with each marker); an empty cell is one. */
function isMissing(a: i32, e: i32): bool {
  const n = e - a;
  if (n == 0) return true;
  let t = tok;
  for (let k = 0; k < nTok; k++) {
    const len = load<i32>(t);
    if (len == n) {
      let same = true;
      for (let i = 0; i < n; i++) {
        let c = <i32>load<u8>(inp + <usize>(a + i));
        if (c >= 65 && c <= 90) c += 32;
        if (c != <i32>load<u8>(t + 4 + <usize>i)) {
          same = false;
          break;
        }
      }
      if (same) return true;
    }
    t += 4 + ((<usize>len + 3) & ~(<usize>3));
  }
  return false;
}

function sameKey(a: i32, e: i32): bool {
  if (e - a != keyE - keyA) return false;
  for (let i = 0; i < e - a; i++) if (load<u8>(inp + <usize>(a + i)) != load<u8>(inp + <usize>(keyA + i))) return false;
  return true;
}

/** RunSink.close. */
function close(last: bool): void {
  if (runNo >= 1 && !last && !dirty && nRows > 0 && !refused) {
    const o = runs + <usize>(nRuns * RUN_INTS * 4);
    store<i32>(o, rawAt);
    store<i32>(o + 4, rawNext);
    store<i32>(o + 8, rawLine);
    store<i32>(o + 12, nRows);
    store<i32>(o + 16, keyA);
    store<i32>(o + 20, keyE);
    store<i32>(o + 24, rowBase);
    store<i32>(o + 28, pairs > 0 && fpos + fwidth <= fcap ? reduceRun(rows + <usize>(rowBase * W * 8), nRows) : -1);
    nRuns++;
    rawAt = -1;
    rawNext = -1;
    rowBase += nRows;
    // The run's missing cells (counted at rows + its rows, as RunSink's runMissing).
    for (let g = 0; g < M; g++) {
      const p = miss + <usize>(g * 4);
      store<i32>(p, load<i32>(p) + load<i32>(miss + <usize>((M + g) * 4)));
    }
  } else if (runAt >= 0) {
    if (rawAt < 0) {
      rawAt = runAt;
      rawLine = runLine;
    }
    rawNext = runNext;
  }
  runAt = -1;
}

/** RunSink.record for a record of `nf` fields (at fld), from byte `at` to `next`, on `line`. */
function record(nf: i32, at: i32, next: i32, line: i32): void {
  let fresh = false;
  let spoils = false;
  if (!refused) {
    if (nf != ncols) spoils = true;
    else {
      const ca = load<i32>(fld + <usize>(clientF * 8));
      const ce = load<i32>(fld + <usize>(clientF * 8 + 4));
      if (ce > ca && (load<u8>(inp + <usize>ca) <= 32 || load<u8>(inp + <usize>(ce - 1)) <= 32)) refused = true;
      else if (keyA < 0 || !sameKey(ca, ce)) {
        if (!printable(ca, ce)) {
          declined = true;
          return;
        }
        if (isMissing(ca, ce)) spoils = true;
        else {
          fresh = true;
          close(false);
          runAt = at;
          runLine = line;
          runNo++;
          keyA = ca;
          keyE = ce;
          dirty = false;
          nRows = 0;
          for (let g = 0; g < M; g++) store<i32>(miss + <usize>((M + g) * 4), 0);
        }
      }
    }
  }
  if (!fresh && runAt < 0) {
    runAt = at;
    runLine = line;
  }
  runNext = next;
  if (refused) return;
  if (spoils) {
    dirty = true;
    return;
  }
  if (dirty) return;
  let o = rows + <usize>((rowBase + nRows) * W * 8);
  const sa = load<i32>(fld + <usize>(sessionF * 8));
  if (!parseNum(sa, load<i32>(fld + <usize>(sessionF * 8 + 4)), 46)) {
    dirty = true;
    return;
  }
  store<f64>(o, num);
  o += 8;
  if (nm < M) for (let g = 0; g < M; g++) store<f64>(o + <usize>(g * 8), NaN);
  for (let k = 0; k < nm; k++) {
    const g = load<i32>(mgf + <usize>(k * 8));
    const f = load<i32>(mgf + <usize>(k * 8 + 4));
    const a = load<i32>(fld + <usize>(f * 8));
    const e = load<i32>(fld + <usize>(f * 8 + 4));
    if (parseNum(a, e, mark)) {
      // CellRules.accepts
      const v = num;
      const plain = load<i32>(rulesI + <usize>(g * 8)) == 1;
      const integer = load<i32>(rulesI + <usize>(g * 8 + 4)) == 1;
      const inRange = plain ? v != -9 && v != -99 && v != -999 : v >= load<f64>(rulesF + <usize>(g * 16)) && v <= load<f64>(rulesF + <usize>(g * 16 + 8));
      if (inRange && (!integer || v == Math.floor(v))) {
        store<f64>(o + <usize>(g * 8), v);
        continue;
      }
    } else if (printable(a, e) && isMissing(a, e)) {
      store<f64>(o + <usize>(g * 8), NaN);
      const p = miss + <usize>((M + g) * 4);
      store<i32>(p, load<i32>(p) + 1);
      continue;
    }
    dirty = true;
    return;
  }
  nRows++;
}

// ---- correlate's reduction of a run (src/analysis/correlate/run.ts, computeRun) ----
//
// The same operations in the same order on the same doubles, so the same bits: two passes
// for the moments (means, then centred sums), the early values in the first pass, and the
// lag block of consecutive-session pairs (two passes) when the sessions rise strictly. A
// run whose sessions do not rise (computeRun sorts a copy) is left to computeRun
// (reduceRun returns -1).

/** Pairs (0: runs are not reduced here), their measures at pairAt (i32 alliance, outcome). */
let pairs: i32 = 0;
let pairAt: usize = 0;
/** 0: no early values; 1: alliance at session k; 2: mean alliance over sessions <= k. */
let earlyMode: i32 = 0;
let earlyK: f64 = 0;
let lagged = false;
/** Where the reduced runs' floats go (room for fcap), the next one, and the floats per run. */
let fout: usize = 0;
let fpos: i32 = 0;
let fcap: i32 = 0;
let fwidth: i32 = 0;

/** Sets the reduction for the next scans (pairs 0: none). */
export function reducer(pPairs: i32, pPairAt: usize, pEarly: i32, pK: f64, pLagged: i32): void {
  pairs = pPairs;
  pairAt = pPairAt;
  earlyMode = pEarly;
  earlyK = pK;
  lagged = pLagged != 0;
  fwidth = 1 + pPairs * 6 + (lagged ? pPairs * 15 : 0) + (pEarly != 0 ? 3 * pPairs : 0);
}

/** computeRun of `count` rows at `d` into fout (the reducer's layout: disordered, moments, lag, early); the first float's index, or -1. */
function reduceRun(d: usize, count: i32): i32 {
  const Wb = <usize>(W * 8);
  const end = d + <usize>count * Wb;
  if (lagged) for (let o = d + Wb; o < end; o += Wb) if (!(load<f64>(o) > load<f64>(o - Wb))) return -1;
  const P = pairs;
  const at = fpos;
  const out = fout + <usize>(at * 8);
  store<f64>(out, 0);
  const corr = out + 8;
  const lag = corr + <usize>(P * 6 * 8);
  const early = lag + (lagged ? <usize>(P * 15 * 8) : 0);
  const k = earlyK;
  for (let p = 0; p < P; p++) {
    const ai = <usize>((1 + load<i32>(pairAt + <usize>(p * 8))) * 8);
    const oi = <usize>((1 + load<i32>(pairAt + <usize>(p * 8 + 4))) * 8);
    let n: f64 = 0;
    let sx: f64 = 0;
    let sy: f64 = 0;
    let ex: f64 = NaN;
    let esum: f64 = 0;
    let ecnt: f64 = 0;
    let minS: f64 = Infinity;
    let minV: f64 = NaN;
    let maxS: f64 = -Infinity;
    let maxV: f64 = NaN;
    for (let o = d; o < end; o += Wb) {
      const x = load<f64>(o + ai);
      const y = load<f64>(o + oi);
      if (x == x && y == y) {
        n++;
        sx += x;
        sy += y;
      }
      if (earlyMode != 0) {
        const s = load<f64>(o);
        if (x == x) {
          if (earlyMode == 2) {
            if (s <= k) {
              esum += x;
              ecnt++;
            }
          } else if (s == k && ex != ex) ex = x;
        }
        if (y == y) {
          if (s < minS) {
            minS = s;
            minV = y;
          }
          if (s > maxS) {
            maxS = s;
            maxV = y;
          }
        }
      }
    }
    if (earlyMode != 0) {
      if (earlyMode == 2) ex = ecnt > 0 ? esum / ecnt : NaN;
      const ok = maxS > k && maxS > minS;
      store<f64>(early + <usize>(p * 8), ex);
      store<f64>(early + <usize>((P + p) * 8), ok ? maxV : NaN);
      store<f64>(early + <usize>((2 * P + p) * 8), ok ? minV : NaN);
    }
    let xx: f64 = 0;
    let yy: f64 = 0;
    let xy: f64 = 0;
    const mx = n > 0 ? sx / n : 0;
    const my = n > 0 ? sy / n : 0;
    if (n > 1) {
      for (let o = d; o < end; o += Wb) {
        const x = load<f64>(o + ai);
        const y = load<f64>(o + oi);
        if (x == x && y == y) {
          const dx = x - mx;
          const dy = y - my;
          xx += dx * dx;
          yy += dy * dy;
          xy += dx * dy;
        }
      }
    }
    const c = corr + <usize>(p * 48);
    store<f64>(c, n);
    store<f64>(c + 8, mx);
    store<f64>(c + 16, my);
    store<f64>(c + 24, xx);
    store<f64>(c + 32, yy);
    store<f64>(c + 40, xy);
    if (lagged) lagPair(d, end, ai, oi, lag + <usize>(p * 120));
  }
  fpos = at + fwidth;
  return at;
}

/** Is the row at o1 and the one before it a lag pair: consecutive sessions, both values of the pair on both rows (run.ts lagRun)? */
function lagValid(o1: usize, Wb: usize, ai: usize, oi: usize): bool {
  const o0 = o1 - Wb;
  if (load<f64>(o1) != load<f64>(o0) + 1) return false;
  const v0 = load<f64>(o0 + ai);
  const v1 = load<f64>(o0 + oi);
  const v2 = load<f64>(o1 + ai);
  const v3 = load<f64>(o1 + oi);
  return v0 == v0 && v1 == v1 && v2 == v2 && v3 == v3;
}

/** run.ts lagRun for one pair, rows in rising session order (two passes over the same pairs of rows). */
function lagPair(d: usize, end: usize, ai: usize, oi: usize, lag: usize): void {
  const Wb = <usize>(W * 8);
  let n: f64 = 0;
  let s0: f64 = 0;
  let s1: f64 = 0;
  let s2: f64 = 0;
  let s3: f64 = 0;
  for (let o1 = d + Wb; o1 < end; o1 += Wb) {
    if (!lagValid(o1, Wb, ai, oi)) continue;
    const o0 = o1 - Wb;
    const v0 = load<f64>(o0 + ai);
    const v1 = load<f64>(o0 + oi);
    const v2 = load<f64>(o1 + ai);
    const v3 = load<f64>(o1 + oi);
    n++;
    s0 += v0;
    s1 += v1;
    s2 += v2;
    s3 += v3;
  }
  const m0 = n > 0 ? s0 / n : 0;
  const m1 = n > 0 ? s1 / n : 0;
  const m2 = n > 0 ? s2 / n : 0;
  const m3 = n > 0 ? s3 / n : 0;
  let c00: f64 = 0;
  let c01: f64 = 0;
  let c02: f64 = 0;
  let c03: f64 = 0;
  let c11: f64 = 0;
  let c12: f64 = 0;
  let c13: f64 = 0;
  let c22: f64 = 0;
  let c23: f64 = 0;
  let c33: f64 = 0;
  if (n > 1) {
    for (let o1 = d + Wb; o1 < end; o1 += Wb) {
      if (!lagValid(o1, Wb, ai, oi)) continue;
      const o0 = o1 - Wb;
      const f0 = load<f64>(o0 + ai) - m0;
      const f1 = load<f64>(o0 + oi) - m1;
      const f2 = load<f64>(o1 + ai) - m2;
      const f3 = load<f64>(o1 + oi) - m3;
      c00 += f0 * f0;
      c01 += f0 * f1;
      c02 += f0 * f2;
      c03 += f0 * f3;
      c11 += f1 * f1;
      c12 += f1 * f2;
      c13 += f1 * f3;
      c22 += f2 * f2;
      c23 += f2 * f3;
      c33 += f3 * f3;
    }
  }
  store<f64>(lag, n);
  store<f64>(lag + 8, m0);
  store<f64>(lag + 16, m1);
  store<f64>(lag + 24, m2);
  store<f64>(lag + 32, m3);
  store<f64>(lag + 40, c00);
  store<f64>(lag + 48, c01);
  store<f64>(lag + 56, c02);
  store<f64>(lag + 64, c03);
  store<f64>(lag + 72, c11);
  store<f64>(lag + 80, c12);
  store<f64>(lag + 88, c13);
  store<f64>(lag + 96, c22);
  store<f64>(lag + 104, c23);
  store<f64>(lag + 112, c33);
}

/**
 * Scans the piece (see the top of the file). Returns 0, or -1 when it declines the piece;
 * the results are at `res`.
 */
export function scan(
  pInp: usize,
  len: i32,
  final: i32,
  delim: i32,
  pNcols: i32,
  pClient: i32,
  pSession: i32,
  pNm: i32,
  pM: i32,
  pMark: i32,
  pMgf: usize,
  pRulesI: usize,
  pRulesF: usize,
  pTok: usize,
  pNTok: i32,
  pFld: usize,
  pRuns: usize,
  pRows: usize,
  pMiss: usize,
  pFout: usize,
  pFcap: i32,
  res: usize,
): i32 {
  inp = pInp;
  ncols = pNcols;
  clientF = pClient;
  sessionF = pSession;
  nm = pNm;
  M = pM;
  W = 1 + pM;
  mark = pMark;
  mgf = pMgf;
  rulesI = pRulesI;
  rulesF = pRulesF;
  tok = pTok;
  nTok = pNTok;
  fld = pFld;
  runs = pRuns;
  rows = pRows;
  miss = pMiss;
  fout = pFout;
  fpos = 0;
  fcap = pFcap;
  refused = false;
  declined = false;
  runNo = -1;
  runAt = -1;
  runLine = 0;
  runNext = -1;
  rawAt = -1;
  rawNext = -1;
  rawLine = 0;
  keyA = -1;
  keyE = -1;
  dirty = true;
  nRows = 0;
  nRuns = 0;
  rowBase = 0;
  for (let g = 0; g < 2 * M; g++) store<i32>(miss + <usize>(g * 4), 0);

  // plain.ts's loop, with LF as the only line break: the delimiters and line breaks of 16
  // bytes at a time (the caller leaves 16 bytes of memory after the piece), in order.
  let line: i32 = 1;
  let recStart: i32 = 0;
  let fs: i32 = 0;
  let nf: i32 = 0;
  const vd = i8x16.splat(<i8>delim);
  const vl = i8x16.splat(<i8>LF);
  for (let blk: i32 = 0; blk < len; blk += 16) {
    const v = v128.load(inp + <usize>blk);
    let m = i8x16.bitmask(v128.or(i8x16.eq(v, vd), i8x16.eq(v, vl)));
    if (len - blk < 16) m &= (1 << (len - blk)) - 1;
    while (m != 0) {
      const p = blk + ctz(m);
      m &= m - 1;
      if (<i32>load<u8>(inp + <usize>p) == LF) {
        if (p == recStart) {
          // An empty line.
          line++;
          recStart = p + 1;
          fs = p + 1;
          continue;
        }
        if (nf < ncols) {
          store<i32>(fld + <usize>(nf * 8), fs);
          store<i32>(fld + <usize>(nf * 8 + 4), p);
        }
        record(nf + 1, recStart, p + 1, line);
        if (declined) return -1;
        line++;
        recStart = p + 1;
        fs = p + 1;
        nf = 0;
      } else {
        if (nf < ncols) {
          store<i32>(fld + <usize>(nf * 8), fs);
          store<i32>(fld + <usize>(nf * 8 + 4), p);
        }
        nf++;
        fs = p + 1;
      }
    }
  }
  let i = len;
  if (recStart < len) {
    if (final != 0) {
      // The last record ends at the end of the file.
      if (nf < ncols) {
        store<i32>(fld + <usize>(nf * 8), fs);
        store<i32>(fld + <usize>(nf * 8 + 4), len);
      }
      record(nf + 1, recStart, len, line);
      if (declined) return -1;
    } else i = recStart;
  }
  close(true);
  store<i32>(res, i);
  store<i32>(res + 4, line);
  store<i32>(res + 8, nRuns);
  store<i32>(res + 12, rawAt);
  store<i32>(res + 16, rawNext);
  store<i32>(res + 20, rawLine);
  return 0;
}
