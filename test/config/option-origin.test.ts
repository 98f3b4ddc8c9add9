/**
 * A bad option value is named where the user wrote it: by its flag when given on the
 * command line, by its config key (at the key's line) when it came from the command's
 * section of the --config file (issue 10: "--df must be ..." for `model.df` in the YAML).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';
import { ROOT } from '../helpers/spawn.js';

const DEMO = path.join(ROOT, 'fixtures/demo.csv');

async function fails(yaml: string, args: string[]): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'origin-'));
  writeFileSync(path.join(dir, 'c.yaml'), yaml);
  const r = await runInProcess([args[0], DEMO, '--config', 'c.yaml', ...args.slice(1)], { cwd: dir });
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0];
}

describe('an option set in the config is named by its key, at its line', () => {
  const cases: [string, string, string[], string][] = [
    [
      'model df',
      'model:\n  time: true\n  df: xx\n',
      ['model', '--outcome', 'ors'],
      'alliance: c.yaml:3: model.df takes "satterthwaite" or "kr" (Kenward-Roger), got "xx". Use df: kr under model:, or leave it out for Satterthwaite.',
    ],
    ['model reverse', 'model:\n  reverse: true\n', ['model', '--outcome', 'ors'], 'alliance: c.yaml:2: model.reverse needs --lag. Add --lag.'],
    [
      'model level',
      'model:\n  level: client\n',
      ['model', '--outcome', 'ors'],
      'alliance: c.yaml:2: model.level client needs --decompose therapist. Add --decompose therapist.',
    ],
    [
      'correlate number',
      'correlate:\n  minClients: -3\n',
      ['correlate'],
      'alliance: c.yaml:2: correlate.minClients must be a whole number >= 1, got "-3". For example minClients: 3 under correlate:.',
    ],
    [
      'correlate ci',
      'correlate:\n  ci: 2\n',
      ['correlate'],
      'alliance: c.yaml:2: correlate.ci must be a level between 0 and 1 (or a percentage), got "2". For example ci: 0.95 under correlate: or ci: 90 under correlate:.',
    ],
    [
      // (A flag for one way and the config for the other: the flag wins,
      // test/analysis/correlate-early-sources.test.ts.)
      'correlate early, both in the config',
      'correlate:\n  earlySession: 2\n  earlyWindow: 3\n',
      ['correlate'],
      'alliance: c.yaml:2: correlate.earlySession and correlate.earlyWindow cannot be combined. Give one: alliance at session k, or the mean over sessions 1..k.',
    ],
    ['trend choice', 'trend:\n  period: week\n', ['trend'], 'alliance: c.yaml:2: trend.period must be month, quarter or year, got "week".'],
    [
      'trend sd',
      'trend:\n  sd: 5\n',
      ['trend'],
      'alliance: c.yaml:2: trend.sd is only used with --reliability. Add --reliability r_xx for the Jacobson-Truax RCI, or drop trend.sd.',
    ],
    [
      'ruptures',
      'ruptures:\n  repairWindow: 0\n',
      ['ruptures'],
      'alliance: c.yaml:2: ruptures.repairWindow must be a whole number >= 1, got "0". For example repairWindow: 3 under ruptures:.',
    ],
    [
      'validate boolean',
      'validate:\n  strict: yes\n',
      ['validate'],
      'alliance: c.yaml:2: validate.strict must be true or false, got "yes". In a config file: strict: true.',
    ],
    [
      'validate number',
      'validate:\n  maxFindings: many\n',
      ['validate'],
      'alliance: c.yaml:2: validate.maxFindings must be a whole number >= 0, got "many". For example maxFindings: 0 under validate:.',
    ],
  ];
  for (const [name, yaml, args, want] of cases) it(name, async () => expect(await fails(yaml, args)).toBe(want));
});

describe('an input option in the config that the readers would refuse is named by its key, at its line', () => {
  // These were refused later by the readers, as "--delimiter ..." / "--wide pattern ...",
  // flags the user never gave.
  it('delimiter', async () =>
    expect(await fails('client: client_id\ndelimiter: ";;"\n', ['describe'])).toBe(
      'alliance: c.yaml:2: key \'delimiter\' must be one character, or tab (",", ";", "|" or tab).',
    ));
  it('wide', async () =>
    expect(await fails('wide: srs_{session}\n', ['describe'])).toBe(
      "alliance: c.yaml:1: key 'wide' must be true, or a pattern with {measure} and {session} (e.g. '{measure}_t{session}').",
    ));
  it('on the command line they are still named by the flag', async () => {
    expect(await fails('client: client_id\n', ['describe', '--delimiter', ';;'])).toMatch(/^alliance: --delimiter must be one character/);
    expect(await fails('client: client_id\n', ['describe', '--wide', 'srs_{session}'])).toMatch(
      /^alliance: (.*: )?--wide pattern 'srs_\{session\}' needs both/,
    );
  });
});

describe('a flag given on the command line is named as the flag (it wins over the config)', () => {
  it('model: --df over model.df', async () => {
    expect(await fails('model:\n  df: kr\n', ['model', '--outcome', 'ors', '--df', 'xx'])).toBe(
      'alliance: --df takes "satterthwaite" or "kr" (Kenward-Roger), got "xx". Use --df kr, or leave it out for Satterthwaite.',
    );
  });
  it('correlate: --min-clients over correlate.minClients', async () => {
    expect(await fails('correlate:\n  minClients: 5\n', ['correlate', '--min-clients', '0'])).toBe(
      'alliance: --min-clients must be a whole number >= 1, got "0". For example --min-clients 3.',
    );
  });
  it('validate: --max-findings over validate.maxFindings', async () => {
    expect(await fails('validate:\n  maxFindings: 5\n', ['validate', '--max-findings', '-1'])).toBe(
      'alliance: --max-findings must be a whole number >= 0, got "-1". For example --max-findings 0.',
    );
  });
});

describe('validate --config', () => {
  it('an unknown key in the validate section exits 2, naming the key at its line', async () => {
    expect(await fails('validate:\n  strict: true\n  maxFinding: 3\n', ['validate'])).toBe(
      "alliance: c.yaml:3: unknown key 'validate.maxFinding' (did you mean 'maxFindings'?). validate accepts strict (true/false), maxFindings (a whole number) and schema (a path).",
    );
  });
  it('a flag-only option is not a config key', async () => {
    expect(await fails('validate:\n  maxAnnotations: 3\n', ['validate'])).toMatch(/c\.yaml:2: unknown key 'validate\.maxAnnotations'/);
  });
});
