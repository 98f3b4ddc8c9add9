/**
 * Joining two kinds of export (different measure columns; ./plan.ts decides the kinds).
 *
 * The join key is client + session number (or client + date with `joinOn: 'date'`). The kind
 * with fewer bytes is loaded into memory (columnar, keyed by (client, key) in a PairIndex);
 * the other is streamed and each streamed row takes the first not-yet-used loaded row with
 * the same key (duplicates pair up in file order). Rows without a partner on either side are
 * still emitted (outer join) with the other side's measures NaN: streamed rows in their
 * place, loaded rows after all streamed rows, in file order. Their counts are returned as
 * {left, right} by kind (left: the kind of the first file), not by which side was loaded. A
 * measure present in both kinds takes the streamed row's value unless that is missing.
 */
import { PairIndex, grow } from './intern.js';
import type { Part } from './plan.js';
import { readPart, type RowEnv, type ScanCtx } from './rows.js';
import type { SessionRow } from './types.js';

export async function joinParts(
  env: RowEnv,
  parts: Part[],
  joinOn: 'session' | 'date',
  ctx: ScanCtx,
  out: (row: SessionRow) => void,
): Promise<{ left: number; right: number }> {
  const { M, G } = env;
  const bytes = [0, 0];
  for (const p of parts) bytes[p.kind] += p.input.bytes;
  const loadedKind = bytes[1] <= bytes[0] ? 1 : 0;
  const byDate = joinOn === 'date';
  // Columnar store of the loaded side.
  let n = 0;
  let sFile = new Int32Array(256);
  let sLine = new Float64Array(256);
  let sClient = new Int32Array(256);
  let sSession = new Float64Array(256);
  let sDate = new Float64Array(256);
  let sTher = new Int32Array(256);
  let sGroups = new Int32Array(256 * Math.max(G, 1));
  let sValues = new Float64Array(256 * Math.max(M, 1));
  let sNext = new Int32Array(256);
  let sUsed = new Uint8Array(256);
  const index = new PairIndex();
  for (const part of parts) {
    if (part.kind !== loadedKind) continue;
    await readPart(env, part, ctx, (r) => {
      const cap = n + 1;
      sFile = grow(sFile, cap);
      sLine = grow(sLine, cap);
      sClient = grow(sClient, cap);
      sSession = grow(sSession, cap);
      sDate = grow(sDate, cap);
      sTher = grow(sTher, cap);
      sNext = grow(sNext, cap);
      sUsed = grow(sUsed, cap);
      sGroups = grow(sGroups, cap * Math.max(G, 1));
      sValues = grow(sValues, cap * Math.max(M, 1));
      sFile[n] = r.file;
      sLine[n] = r.line;
      sClient[n] = r.client;
      sSession[n] = r.session;
      sDate[n] = r.date;
      sTher[n] = r.therapist;
      sGroups.set(r.groups, n * G);
      sValues.set(r.values, n * M);
      sNext[n] = -1;
      const k = byDate ? r.date : r.session;
      if (k === k) {
        const prev = index.append(r.client, k, n);
        if (prev >= 0) sNext[prev] = n;
      }
      n++;
    });
  }
  const unmatched = [0, 0];
  const streamedKind = 1 - loadedKind;
  for (const part of parts) {
    if (part.kind !== streamedKind) continue;
    await readPart(env, part, ctx, (r) => {
      const k = byDate ? r.date : r.session;
      let j = k === k ? index.first(r.client, k) : -1;
      while (j >= 0 && sUsed[j]) j = sNext[j];
      if (j < 0) {
        unmatched[streamedKind]++;
        out(r);
        return;
      }
      sUsed[j] = 1;
      if (r.date !== r.date) r.date = sDate[j];
      if (r.session !== r.session) r.session = sSession[j];
      if (r.therapist < 0) r.therapist = sTher[j];
      for (let g = 0; g < G; g++) if (r.groups[g] < 0) r.groups[g] = sGroups[j * G + g];
      for (let m = 0; m < M; m++) {
        if (r.values[m] !== r.values[m]) r.values[m] = sValues[j * M + m];
      }
      out(r);
    });
  }
  const r = ctx.row;
  for (let j = 0; j < n; j++) {
    if (sUsed[j]) continue;
    unmatched[loadedKind]++;
    r.file = sFile[j];
    r.line = sLine[j];
    r.client = sClient[j];
    r.session = sSession[j];
    r.date = sDate[j];
    r.therapist = sTher[j];
    for (let g = 0; g < G; g++) r.groups[g] = sGroups[j * G + g];
    for (let m = 0; m < M; m++) r.values[m] = sValues[j * M + m];
    out(r);
  }
  return { left: unmatched[0], right: unmatched[1] };
}
