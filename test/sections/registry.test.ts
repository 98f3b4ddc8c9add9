/**
 * The section registry: one list drives the report's accepted sections, its defaults and
 * its config sections, and each command that is a Section reads its config section the
 * same way (an unknown key is an error naming the key and its line).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SECTIONS, SECTION_NAMES, getSection } from '../../src/sections/registry.js';
import { optionName, optionOrigin } from '../../src/sections/section.js';
import { COMMAND_SECTIONS, parseConfig } from '../../src/config/load.js';
import { DEFAULT_SECTIONS, REPORT_SECTIONS } from '../../src/report/batch/config.js';
import { runInProcess } from '../helpers/cli.js';

const DEMO = path.resolve('fixtures/demo.csv');

describe('the section registry', () => {
  it('lists each section once, in the order the report runs them', () => {
    expect(SECTION_NAMES).toEqual(['validate', 'describe', 'correlate', 'trend', 'model', 'ruptures']);
    expect(new Set(SECTION_NAMES).size).toBe(SECTIONS.length);
    expect(getSection('trend')?.name).toBe('trend');
    expect(getSection('nope')).toBeUndefined();
  });

  it('is what report.sections accepts, and its defaults are the sections marked reportDefault', () => {
    expect([...REPORT_SECTIONS]).toEqual([...SECTION_NAMES]);
    expect(DEFAULT_SECTIONS).toEqual(['validate', 'describe', 'correlate', 'trend']);
  });

  it("every section's config section is accepted by the config loader", () => {
    for (const s of SECTIONS) expect(COMMAND_SECTIONS, s.name).toContain(s.name);
  });

  it('every section has an HTML id and heading, unique across sections', () => {
    const ids = SECTIONS.map((s) => s.html.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of SECTIONS) expect(s.html.heading.length, s.name).toBeGreaterThan(0);
  });

  it('names an option as a flag for a command and as a config key in a report', () => {
    expect(optionName('correlate', 'earlySession', 'command')).toBe('--early-session');
    expect(optionName('correlate', 'earlySession', 'report')).toBe('correlate.earlySession');
    const config = parseConfig('correlate:\n  by: site\n', 'c.yaml', '/tmp');
    const src = { mode: 'command' as const, flags: {}, explicit: new Set<string>(), config };
    expect(optionOrigin('correlate', 'by', src)).toBe('correlate.by in c.yaml');
    expect(optionOrigin('correlate', 'by', { ...src, explicit: new Set(['by']) })).toBe('--by');
    expect(optionOrigin('trend', 'by', src)).toBe('--by');
  });

  it('reads options from flags over the config section (command mode)', () => {
    const config = parseConfig('trend:\n  period: month\n  min-clients: 7\n', 't.yaml', '/tmp');
    const trend = getSection('trend')!;
    const opts = trend.options({ mode: 'command', flags: { period: 'year' }, explicit: new Set(['period']), config }) as { period: string; minClients: number };
    expect(opts.period).toBe('year');
    expect(opts.minClients).toBe(7);
  });
});

describe('a config section a command does not know is an error (exit 2, key and line)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sections-'));
  it('describe --config with a key under describe:', async () => {
    const cfg = path.join(dir, 'd.yaml');
    writeFileSync(cfg, `files: [${JSON.stringify(DEMO)}]\ndescribe:\n  bogus: 1\n`);
    const r = await runInProcess(['describe', '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`alliance: ${cfg}:3: unknown key 'describe.bogus'. The describe section accepts no keys (describe has no options).\n`);
  });

  it('an empty describe: section is fine', async () => {
    const cfg = path.join(dir, 'ok.yaml');
    writeFileSync(cfg, `files: [${JSON.stringify(DEMO)}]\ndescribe:\n`);
    const r = await runInProcess(['describe', '--config', cfg, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).clients).toBe(240);
  });

  it('the report rejects the same key at its line', async () => {
    const cfg = path.join(dir, 'r.yaml');
    writeFileSync(cfg, `files: [${JSON.stringify(DEMO)}]\nreport:\n  sections: [describe]\ndescribe:\n  bogus: 1\n`);
    const r = await runInProcess(['report', '--config', cfg, '--out', path.join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/r\.yaml:5: unknown key 'describe\.bogus'/);
  });
});

describe('a registered section runs in the report as its command runs it', () => {
  it("ruptures: the report's results.json section is `alliance ruptures --format json`", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sections-ruptures-'));
    const cfg = path.join(dir, 'r.yaml');
    writeFileSync(cfg, `files: [${JSON.stringify(DEMO)}]\nreport:\n  sections: [ruptures]\n  formats: [json]\nruptures:\n  by: therapist\n  repairWindow: 2\n`);
    const rep = await runInProcess(['report', '--config', cfg, '--out', path.join(dir, 'out')]);
    expect(rep.code).toBe(0);
    const results = JSON.parse(readFileSync(path.join(dir, 'out', 'results.json'), 'utf8'));
    const cmd = await runInProcess(['ruptures', DEMO, '--by', 'therapist', '--repair-window', '2', '--min-clients', '5', '--format', 'json']);
    expect(cmd.code).toBe(0);
    const fromCommand = JSON.parse(cmd.stdout);
    // The report names its inputs relative to the config's folder; the rest is the same.
    for (const doc of [fromCommand, results.sections.ruptures]) for (const f of doc.input.files) f.path = path.basename(f.path);
    expect(results.sections.ruptures.groups.rows.length).toBeGreaterThan(0);
    expect(results.sections.ruptures).toEqual(fromCommand);
  });
});
