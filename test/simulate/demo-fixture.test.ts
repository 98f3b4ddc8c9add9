/**
 * fixtures/demo.csv is reproducible: the command recorded in fixtures/README.md, re-run,
 * gives the committed file byte for byte. The command is read from the README so the two
 * cannot drift apart.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runInProcess } from '../helpers/cli.js';
import { parseCsv, col } from './helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function recordedCommand(): string[] {
  const readme = readFileSync(`${root}fixtures/README.md`, 'utf8');
  const m = /```sh\n(alliance simulate [^\n]+)\n```/.exec(readme);
  if (!m) throw new Error('fixtures/README.md has no ```sh block with the alliance simulate command');
  return m[1].split(/\s+/).slice(1);
}

describe('fixtures/demo.csv', () => {
  it('is reproduced byte for byte by the command recorded in fixtures/README.md', async () => {
    const args = recordedCommand();
    const out = args.indexOf('--out');
    expect(out).toBeGreaterThan(0);
    expect(args[out + 1]).toBe('fixtures/demo.csv');
    const toStdout = [...args.slice(0, out), ...args.slice(out + 2)];
    const r = await runInProcess(toStdout);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const committed = readFileSync(`${root}fixtures/demo.csv`, 'utf8');
    expect(r.stdout.length).toBe(committed.length);
    expect(r.stdout === committed).toBe(true);
  });

  it('has the realistic features the README promises and nothing privacy-looking', () => {
    const p = parseCsv(readFileSync(`${root}fixtures/demo.csv`, 'utf8'));
    expect(p.header).toEqual(['client_id', 'therapist_id', 'site', 'session', 'date', 'srs', 'ors', 'phq9']);
    expect(p.rows.length).toBeGreaterThanOrEqual(1500);
    expect(p.rows.length).toBeLessThanOrEqual(2500);
    const ic = col(p, 'client_id');
    const counts = new Map<string, number>();
    for (const r of p.rows) counts.set(r[ic], (counts.get(r[ic]) ?? 0) + 1);
    expect([...counts.values()].filter((n) => n === 1).length).toBeGreaterThan(0);
    const empty = p.rows.reduce((s, r) => s + r.slice(5).filter((v) => v === '').length, 0);
    expect(empty).toBeGreaterThan(0);
    const srs = p.rows.map((r) => r[col(p, 'srs')]).filter((v) => v !== '');
    expect(srs.filter((v) => v === '40').length).toBeGreaterThan(srs.length * 0.1);
  });
});
