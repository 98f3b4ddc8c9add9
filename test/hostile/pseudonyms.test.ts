/**
 * Identifier-like ids are shown as pseudonyms in every output (issue 16, "Identifiers"):
 * emails and phone numbers as client ids, therapists' names as therapist ids, a street
 * address as a site. Every command and the report's files must not contain them; the
 * mapping notes say what was replaced; --show-identifiers (or config showIdentifiers: true)
 * shows them; with ALLIANCE_PSEUDONYM_KEY the pseudonym is the keyed hash the docs define
 * (computed here with node:crypto from that definition); the numbers are the same either way.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';
import { Interner } from '../../src/dataset/intern.js';
import { looksLikePersonName } from '../../src/privacy/values.js';

const SECRETS = ['jane.doe@example.org', '07700 900123', 'Margaret Thatcher-Jones', 'Dr Alan Turing', '190 Station Lane'];
/** Substrings that must never appear when pseudonyms are on. */
const LEAKS = ['jane.doe', '900123', 'Thatcher', 'Turing', 'Station Lane'];

let tmp: string;
let file: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'alliance-pseudo-'));
  const lines = ['client_id,session,therapist_id,site,srs,ors'];
  // 12 clients of 5 sessions; client 1 is an email, client 2 a phone number; therapists
  // T1..T3 plus two named ones; sites North and a street address.
  for (let c = 0; c < 12; c++) {
    const id = c === 1 ? SECRETS[0] : c === 2 ? SECRETS[1] : `C${String(c).padStart(2, '0')}`;
    const ther = c % 5 === 3 ? SECRETS[2] : c % 5 === 4 ? SECRETS[3] : `T${c % 3}`;
    const site = c % 2 === 0 ? 'North' : SECRETS[4];
    for (let s = 1; s <= 5; s++) lines.push(`${id},${s},${ther},${site},${30 + ((c * 3 + s * 7) % 10)},${12 + s * 2 + ((c * 5 + s) % 7)}`);
  }
  // One duplicated session, so validate has a finding that names the client.
  lines.push(`${SECRETS[0]},5,T1,North,33,20`);
  file = path.join(tmp, 'ids.csv');
  writeFileSync(file, lines.join('\n') + '\n');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const RUNS: string[][] = [
  ['trend', '--clients', '--by', 'therapist', '--min-clients', '1'],
  ['trend', '--clients', '--format', 'csv'],
  ['trend', '--clients', '--by', 'site', '--min-clients', '1', '--format', 'json'],
  ['trend', '--clients', '--format', 'md'],
  ['correlate', '--by', 'therapist', '--min-clients', '1', '--format', 'json'],
  ['correlate', '--by', 'site', '--min-clients', '1'],
  ['describe', '--format', 'json'],
  ['model', '--random-effects', '--format', 'json'],
  ['model', '--random-effects'],
  ['ruptures', '--by', 'therapist', '--min-clients', '1', '--format', 'csv'],
  ['validate', '--format', 'json', '--today', '2025-01-01'],
  ['validate', '--format', 'github', '--today', '2025-01-01'],
];

describe('identifier-like ids are pseudonyms in every output', () => {
  for (const argv of RUNS) {
    it(argv.join(' '), async () => {
      const r = await runInProcess([argv[0], file, ...(argv[0] === 'model' ? [] : ['--group', 'site']), ...argv.slice(1)], { env: {} });
      expect([0, 1], r.stderr).toContain(r.code);
      for (const leak of LEAKS) expect(r.stdout + r.stderr, `${leak} leaked`).not.toContain(leak);
      if (argv[0] === 'trend' && argv.includes('csv')) {
        // Numbered in order of first appearance: the email is the first client flagged.
        expect(r.stdout).toContain('[client 1]');
        expect(r.stdout).toContain('[client 2]');
      }
    });
  }

  it('the report writes no identifier into any file (client tables on)', async () => {
    const cfg = path.join(tmp, 'report.yaml');
    writeFileSync(
      cfg,
      [
        `files: [${path.basename(file)}]`,
        'groups: [site]',
        'today: 2025-01-01',
        'report:',
        '  title: Pseudonyms',
        '  sections: [validate, describe, correlate, trend, model, ruptures]',
        '  minClients: 1',
        '  clientTables: true',
        'correlate: { by: therapist }',
        'trend: { by: site }',
        'model: { outcome: ors, alliance: srs }',
      ].join('\n') + '\n',
    );
    const out = path.join(tmp, 'report-out');
    const r = await runInProcess(['report', '--config', cfg, '--out', out, '--force'], { env: {} });
    expect([0, 1], r.stderr).toContain(r.code);
    const files = readdirSync(out);
    expect(files).toContain('report.html');
    for (const f of files) {
      const text = readFileSync(path.join(out, f), 'utf8');
      for (const leak of LEAKS) expect(text, `${leak} leaked into ${f}`).not.toContain(leak);
    }
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toMatch(/look like direct identifiers/);
  });

  it('the mapping notes say what was replaced, without the values', async () => {
    const r = await runInProcess(['describe', file, '--group', 'site'], { env: {} });
    expect(r.stdout).toContain("warning: 2 value(s) of 'client_id' look like direct identifiers (1 email address, 1 phone number)");
    expect(r.stdout).toContain("warning: 2 value(s) of 'therapist_id' look like direct identifiers (2 people's names)");
    expect(r.stdout).toContain("warning: 1 value(s) of 'site' look like direct identifiers (1 street address or postcode)");
  });

  it('--show-identifiers and config showIdentifiers: true show them', async () => {
    const a = await runInProcess(['trend', file, '--clients', '--by', 'therapist', '--min-clients', '1', '--show-identifiers', '--format', 'csv'], { env: {} });
    expect(a.stdout).toContain('jane.doe@example.org');
    expect(a.stdout).not.toContain('[client 1]');
    const cfg = path.join(tmp, 'show.yaml');
    writeFileSync(cfg, 'showIdentifiers: true\n');
    const b = await runInProcess(['trend', file, '--clients', '--config', cfg, '--format', 'csv'], { env: {} });
    expect(b.stdout).toContain('07700 900123');
    writeFileSync(cfg, 'showIdentifiers: yes please\n');
    const c = await runInProcess(['trend', file, '--config', cfg], { env: {} });
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/showIdentifiers' must be true or false/);
  });

  it('with ALLIANCE_PSEUDONYM_KEY the pseudonym is HMAC-SHA-256(key, role NUL value), first 16 hex digits', async () => {
    const key = 'clinic-2026-key';
    const r = await runInProcess(['trend', file, '--clients', '--format', 'csv'], { env: { ALLIANCE_PSEUDONYM_KEY: key } });
    const expected = (role: string, v: string) => `[${role} ${createHmac('sha256', key).update(`${role}\u0000${v}`).digest('hex').slice(0, 16)}]`;
    expect(r.stdout).toContain(expected('client', SECRETS[0]));
    expect(r.stdout).toContain(expected('client', SECRETS[1]));
    const other = await runInProcess(['trend', file, '--clients', '--format', 'csv'], { env: { ALLIANCE_PSEUDONYM_KEY: 'another' } });
    expect(other.stdout).not.toContain(expected('client', SECRETS[0]));
  });

  it('the numbers do not change: only the names shown do', async () => {
    const hidden = JSON.parse((await runInProcess(['correlate', file, '--by', 'site', '--min-clients', '1', '--format', 'json'], { env: {} })).stdout);
    const shown = JSON.parse(
      (await runInProcess(['correlate', file, '--by', 'site', '--min-clients', '1', '--format', 'json', '--show-identifiers'], { env: {} })).stdout,
    );
    // Groups are ordered by the name shown, so compare them by (shown-independent) group.
    const strip = (rs: { group: string | null }[]) =>
      rs
        .map((x) => ({ ...x, group: x.group === null ? null : x.group === 'North' ? 'North' : 'other' }))
        .sort((a, b) => String(a.group).localeCompare(String(b.group)));
    expect(strip(hidden.results)).toEqual(strip(shown.results));
  });
});

describe('the parts', () => {
  it('looksLikePersonName: names and titled names, not study ids or sites', () => {
    for (const s of ['Jane Smith', 'Dr Alan Turing', "Mary O'Neil", 'Anna-Lena Berg Nilsson', 'Jane A. Smith', 'Prof. Ada Lovelace', 'J Smith'])
      expect(looksLikePersonName(s), s).toBe(true);
    for (const s of ['T01', 'Smith', 'C-0012', 'north clinic', 'NORTH SITE', 'Site 2', 'CBT', 'A B', 'Jane smith', 'CBT Team', 'Team A'])
      expect(looksLikePersonName(s), s).toBe(false);
  });

  it('Interner: a pseudonymised value keeps its id on every later lookup', () => {
    const list: string[] = [];
    let n = 0;
    const it = new Interner(list, (v) => (v.includes('@') ? `[client ${++n}]` : null));
    expect(it.id('C1')).toBe(0);
    expect(it.id('a@b.org')).toBe(1);
    expect(it.id('C2')).toBe(2);
    for (let i = 0; i < 3000; i++) it.id(`x${i}@y.org`); // past a rehash
    expect(it.id('a@b.org')).toBe(1);
    expect(it.id(' C2 ')).toBe(2);
    expect(list.slice(0, 3)).toEqual(['C1', '[client 1]', 'C2']);
    expect(list.length).toBe(3003);
  });
});
