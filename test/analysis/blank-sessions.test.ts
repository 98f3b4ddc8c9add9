/**
 * Blank session numbers in every command (issue 9.2), against R: test/reference/blank-sessions.R
 * wrote fixtures/sessions/blank.csv (shuffled rows; 12 clients without session numbers, 11
 * with some blank) and blank-sessions.json (lagged models and intake values with sessions
 * numbered by date). The same export in another row order gives the same results.
 */
import { findingsOf } from '../validate/helpers.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';

const REF = JSON.parse(readFileSync(new URL('../reference/blank-sessions.json', import.meta.url), 'utf8'));
const TEXT = readFileSync(new URL('../../fixtures/sessions/blank.csv', import.meta.url), 'utf8');

/** The fixture in a fresh folder as data.csv, its data rows in the given order. */
function folderWith(order: 'file' | 'reversed' | 'by-client'): string {
  const [header, ...rows] = TEXT.trimEnd().split('\n');
  if (order === 'reversed') rows.reverse();
  if (order === 'by-client') rows.sort();
  const dir = mkdtempSync(join(tmpdir(), 'alliance-blank-'));
  writeFileSync(join(dir, 'data.csv'), [header, ...rows].join('\n') + '\n');
  return dir;
}

async function json(dir: string, args: string[]) {
  const r = await runInProcess([args[0], 'data.csv', ...args.slice(1), '--format', 'json'], { cwd: dir });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout);
}

/** Paths where two JSON documents differ (numbers compared to 1e-9 relative: sums in another order). */
function differences(a: unknown, b: unknown, at = '$', out: string[] = []): string[] {
  if (typeof a === 'number' && typeof b === 'number') {
    if (!(a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)))) out.push(`${at}: ${a} vs ${b}`);
  } else if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${at}: length ${a.length} vs ${b.length}`);
    else a.forEach((x, i) => differences(x, b[i], `${at}[${i}]`, out));
  } else if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`, out);
  } else if (a !== b) out.push(`${at}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  return out;
}

type Result = { analysis: string; direction?: string; b?: number; se?: number; p?: number; df?: number; n?: number };

describe('blank session numbers against R', () => {
  it('correlate: the lagged models use the sessions numbered and placed by date', async () => {
    const out = await json(folderWith('file'), ['correlate']);
    for (const [dir, want] of [
      ['alliance->outcome', REF.lagged.forward],
      ['outcome->alliance', REF.lagged.reverse],
    ] as const) {
      const l = (out.results as Result[]).find((r) => r.analysis === 'lagged' && r.direction === dir)!;
      expect(Math.abs(l.b! - want.b)).toBeLessThan(1e-9);
      expect(Math.abs(l.se! - want.se)).toBeLessThan(1e-9);
      expect(Math.abs(l.p! - want.p)).toBeLessThan(1e-9);
      expect(l.df).toBe(want.df);
      expect(l.n).toBe(want.n);
    }
    expect(out.mapping.notes).toEqual(
      expect.arrayContaining([
        `${REF.numberedByDateClients} client(s) had no session numbers (90 row(s)): their sessions were numbered 1..n by date`,
        `${REF.mixedClients} client(s) had some blank session numbers (11 row(s)): ${REF.placed} placed by date between numbered sessions`,
        `${REF.leftOutNoDate} row(s) with a blank session number left out: 1 no date`,
      ]),
    );
  });

  it('describe: every client has an intake value (R: earliest numbered session)', async () => {
    const out = await json(folderWith('file'), ['describe']);
    const text = JSON.stringify(out);
    for (const col of ['srs', 'ors'] as const) {
      const m = (out.measures ?? out.results?.measures ?? []).find((x: { column: string }) => x.column === col) ?? null;
      expect(m, text.slice(0, 400)).not.toBeNull();
      expect(m.intake_clients ?? m.intakeClients).toBe(REF.intake[col].clients);
    }
  });

  it('model: fitted on the numbered rows; the notes say how they were numbered', async () => {
    const out = await json(folderWith('file'), ['model']);
    expect(out.notes).toEqual(
      expect.arrayContaining([
        `Sessions: ${REF.numberedByDateClients} client(s) had no session numbers (90 row(s)): their sessions were numbered 1..n by date.`,
      ]),
    );
  });

  it('validate: a warning per client with some blank rows, one for the clients numbered by date', async () => {
    const r = await runInProcess(['validate', 'data.csv', '--format', 'json', '--today', '2025-01-01'], { cwd: folderWith('file') });
    const doc = JSON.parse(r.stdout);
    const blank = findingsOf(doc).filter((f) => f.code === 'session.blank');
    expect(blank).toHaveLength(REF.mixedClients + 1);
    expect(blank.map((f: { severity: string }) => f.severity)).toEqual(new Array(REF.mixedClients + 1).fill('warning'));
    expect(blank.map((f: { message: string }) => f.message)).toContain(
      "client 'C23' has 1 row(s) with a blank session number among numbered sessions: 0 placed by date; 1 could not be placed by date and are left out of the analyses; fill in the session numbers",
    );
  });

  /**
   * What may differ with the row order: correlate's warnings that describe the file's layout
   * (clients' rows apart or out of session order), and the optimizer's path (evaluations;
   * the estimates agree to 1e-9 as sums are taken in another order). validate: the
   * session.blank findings (its gap rule words a gap by the order rows arrive in).
   */
  const comparable = (cmd: string, doc: Record<string, unknown>) => {
    if (cmd === 'correlate') return { ...doc, warnings: (doc.warnings as { code: string }[]).filter((w) => w.code !== 'scattered' && w.code !== 'disordered') };
    if (cmd === 'model') {
      const fit = doc.fit as Record<string, unknown>;
      return { ...doc, fit: { ...fit, evaluations: null, optimizer_message: null } };
    }
    if (cmd === 'validate') return findingsOf(doc as unknown as Parameters<typeof findingsOf>[0]).filter((f) => f.code === 'session.blank');
    return doc;
  };

  it.each(['correlate', 'describe', 'trend', 'model', 'validate'])('%s gives the same results whatever the row order', async (cmd) => {
    const args = cmd === 'validate' ? [cmd, '--today', '2025-01-01'] : [cmd];
    const a = comparable(cmd, await json(folderWith('file'), args));
    const b = comparable(cmd, await json(folderWith('reversed'), args));
    const c = comparable(cmd, await json(folderWith('by-client'), args));
    expect(differences(a, b)).toEqual([]);
    expect(differences(a, c)).toEqual([]);
  });
});
