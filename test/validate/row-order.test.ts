/**
 * Issue 9.2: no finding may depend on row order. The same export (fixtures/sessions/blank.csv,
 * written shuffled by test/reference/blank-sessions.R) is validated as shipped, sorted by
 * client and session, reversed and in a second shuffle; codes, counts, values and messages
 * must be identical, and each gap must sit on the row of the session after it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateJson, type JsonRun } from './helpers.js';

const TEXT = readFileSync(new URL('../../fixtures/sessions/blank.csv', import.meta.url), 'utf8');
const [HEADER, ...ROWS] = TEXT.trimEnd().split('\n');

function sessionOf(row: string): number {
  const s = row.split(',')[1];
  return s === '' ? -1 : Number(s);
}

function bySession(a: string, b: string): number {
  const ca = a.split(',')[0];
  const cb = b.split(',')[0];
  return ca < cb ? -1 : ca > cb ? 1 : sessionOf(a) - sessionOf(b);
}

/** A fixed permutation (multiplicative step, coprime with the row count). */
function reshuffle(rows: string[]): string[] {
  let step = 7919;
  while (gcd(step, rows.length) !== 1) step++;
  return rows.map((_, i) => rows[(i * step + 3) % rows.length]);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

const csv = (rows: string[]): string => [HEADER, ...rows].join('\n') + '\n';

/** Findings without their line (which moves with the rows), in a stable order. */
function shape(r: JsonRun): string[] {
  return r.doc.findings.map((f) => JSON.stringify([f.code, f.severity, f.column, f.value, f.message])).sort();
}

/** The summary, without the temporary file names. */
function summary(r: JsonRun): unknown {
  const names = (v: Record<string, string[]>) => Object.fromEntries(Object.entries(v).map(([status, files]) => [status, files.length]));
  return JSON.parse(JSON.stringify(r.doc.summary, (k, v: unknown) => (k === 'file' ? 'F' : k === 'files' ? names(v as Record<string, string[]>) : v)));
}

/** For each session.gap: does its line hold the session just after the gap? */
function gapRows(r: JsonRun, rows: string[]): string[] {
  return r.doc.findings
    .filter((f) => f.code === 'session.gap')
    .map((f) => {
      const next = /before session (\d+)/.exec(f.message)![1];
      const row = rows[(f.line as number) - 2];
      const [client, session] = row.split(',');
      return `${client},${session} -> ${next}`;
    });
}

describe('validate does not depend on row order', () => {
  const sorted = [...ROWS].sort(bySession);
  const variants: Record<string, string[]> = {
    shipped: ROWS,
    sorted,
    reversed: [...sorted].reverse(),
    reshuffled: reshuffle(ROWS),
  };

  it('gives the same findings for the export sorted, reversed and shuffled', async () => {
    expect(new Set(variants.reshuffled).size).toBe(ROWS.length);
    const runs: Record<string, JsonRun> = {};
    for (const [name, rows] of Object.entries(variants)) runs[name] = await validateJson(csv(rows));
    const ref = shape(runs.sorted);
    // C23's missing session 2 is found in every order (it was missed in the shipped shuffle).
    expect(runs.sorted.doc.findings.filter((f) => f.code === 'session.gap').map((f) => f.message)).toEqual([
      "client 'C23' has no session 2 before session 3; add the missing sessions (ignore if they were not attended)",
    ]);
    for (const [name, rows] of Object.entries(variants)) {
      expect(shape(runs[name]), name).toEqual(ref);
      expect(summary(runs[name]), name).toEqual(summary(runs.sorted));
      expect(gapRows(runs[name], rows), name).toEqual(['C23,3 -> 3']);
    }
  });
});

describe('session gaps in any arrival order', () => {
  const H = 'client_id,session,srs\n';
  const gaps = (r: JsonRun): [number | null, string | null, string][] =>
    r.doc.findings.filter((f) => f.code === 'session.gap').map((f) => [f.line, f.value, f.message]);

  it('splits a hole that a late row lands in, as sorted input would', async () => {
    // 1, 5, then 3: holes 2 (before 3) and 4 (before 5), each at the row after it.
    const r = await validateJson(H + 'C1,1,30\nC1,5,30\nC1,3,30\n');
    expect(gaps(r)).toEqual([
      [3, '4', "client 'C1' has no session 4 before session 5; add the missing sessions (ignore if they were not attended)"],
      [4, '2', "client 'C1' has no session 2 before session 3; add the missing sessions (ignore if they were not attended)"],
    ]);
  });

  it('finds a hole below the first row seen', async () => {
    // 4 arrives first: 1..3 below it were never a jump "past the highest so far".
    const r = await validateJson(H + 'C1,4,30\nC1,5,30\nC1,1,30\n');
    expect(gaps(r)).toEqual([[2, '2, 3', "client 'C1' has no session 2, 3 before session 4; add the missing sessions (ignore if they were not attended)"]]);
  });

  it('places a gap at the first of duplicate rows of the session after it', async () => {
    const r = await validateJson(H + 'C1,1,30\nC1,3,30\nC1,3,31\n');
    expect(gaps(r).map((g) => g[0])).toEqual([3]);
    expect(r.doc.findings.filter((f) => f.code === 'session.duplicate').map((f) => f.line)).toEqual([4]);
  });

  it('does not report numbers below the lowest session', async () => {
    const r = await validateJson(H + 'C1,3,30\nC1,4,30\nC2,0,30\nC2,1,30\n');
    expect(gaps(r)).toEqual([]);
  });

  it('matches gaps worked out from the sorted session lists, in three row orders', async () => {
    // 40 clients with random sessions 1..80 (some above the 0..63 bitmap), some duplicated.
    let seed = 12345;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const rows: string[] = [];
    const expected: string[] = [];
    for (let c = 1; c <= 40; c++) {
      const sessions = new Set<number>();
      const k = 1 + rand(12);
      for (let i = 0; i < k; i++) sessions.add(1 + rand(c % 4 === 0 ? 80 : 14));
      for (const s of sessions) rows.push(`K${c},${s},30`);
      if (c % 5 === 0) rows.push(`K${c},${[...sessions][0]},31`);
      const sorted = [...sessions].sort((a, b) => a - b);
      for (let i = 1; i < sorted.length; i++) {
        const holes = sorted[i] - sorted[i - 1] - 1;
        if (holes > 0) expected.push(`K${c}: ${holes} before ${sorted[i]}`);
      }
    }
    expected.sort();
    expect(expected.length).toBeGreaterThan(20);
    const got = (r: JsonRun): string[] =>
      r.doc.findings
        .filter((f) => f.code === 'session.gap')
        .map((f) => {
          const m = /client '(K\d+)' has no session (.*) before session (\d+);/.exec(f.message)!;
          const list = m[2];
          const n = /\((\d+) numbers\)/.exec(list)?.[1] ?? String(list.includes('...') ? Number(m[3]) - Number(list.split(', ')[0]) : list.split(', ').length);
          return `${m[1]}: ${n} before ${m[3]}`;
        })
        .sort();
    for (const order of [rows, [...rows].reverse(), reshuffle(rows)]) {
      expect(got(await validateJson(H + order.join('\n') + '\n'))).toEqual(expected);
    }
  });
});
