import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, test } from 'vitest';
import { loadConfig, mergeReadOptions, parseConfig } from '../../src/config/load.js';
import { addOptions, INPUT_OPTIONS } from '../../src/cli/options.js';
import { loadInput } from '../../src/cli/input.js';
import { UserError } from '../../src/errors.js';
import { collect, tempDir, testIo } from '../dataset/helpers.js';

const fail = (text: string, name = 'report.yaml'): string => {
  try {
    parseConfig(text, name, '/cfg');
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as UserError).format();
  }
  throw new Error('expected a UserError');
};

describe('parseConfig', () => {
  test('YAML with every read key', () => {
    const c = parseConfig(
      [
        'files: [a.csv, sub/b.csv, /abs/c.csv]',
        'client: Client ID',
        'session: visit',
        'date: when',
        'therapist: clinician',
        'alliance: [srs]',
        'outcome: ors, phq9',
        'groups: [site]',
        'instruments: { score: phq9 }',
        'instrumentOverrides:',
        '  ORS: { cutoff: 28, reliableChange: 6 }',
        'delimiter: ";"',
        'encoding: latin1',
        'decimal: ","',
        'date-format: dmy',
        'missing: ["999", "n.a."]',
        'joinOn: date',
        'validate: { strict: true, max-gap-days: 30 }',
        'report:',
      ].join('\n'),
      'cfg.yaml',
      '/cfg',
    );
    expect(c.files).toEqual(['/cfg/a.csv', '/cfg/sub/b.csv', '/abs/c.csv']);
    const { origin, ...read } = c.read;
    expect(read).toEqual({
      client: 'Client ID',
      session: 'visit',
      date: 'when',
      therapist: 'clinician',
      alliance: ['srs'],
      outcome: ['ors', 'phq9'],
      groups: ['site'],
      instruments: { score: 'PHQ-9' },
      instrumentOverrides: { ORS: { cutoff: 28, reliableChange: 6 } },
      delimiter: ';',
      encoding: 'latin1',
      decimal: ',',
      dateFormat: 'dmy',
      missing: ['999', 'n.a.'],
      joinOn: 'date',
    });
    expect(origin?.client).toBe('config');
    expect(c.sections).toEqual({ validate: { strict: true, maxGapDays: 30 }, report: {} });
    expect(c.lines.client).toBe(2);
    expect(c.lines['validate.strict']).toBe(18);
  });
  test('JSON', () => {
    const c = parseConfig('{\n  "client": "pid",\n  "alliance": ["wai"],\n  "correlate": {"method": "spearman"}\n}\n', 'c.json', '/d');
    expect(c.read.client).toBe('pid');
    expect(c.read.alliance).toEqual(['wai']);
    expect(c.sections.correlate).toEqual({ method: 'spearman' });
    expect(c.lines.alliance).toBe(3);
  });
  test('empty file is an empty config', () => {
    expect(parseConfig('', 'c.yaml', '/d')).toMatchObject({ files: [], sections: {} });
  });
  test('unknown key: line and suggestion', () => {
    expect(fail('files: [a.csv]\n\n\n\n\n\nclinet: id\n')).toMatch(/^report\.yaml:7: unknown key 'clinet' \(did you mean 'client'\?\)\. Known keys: /);
  });
  test('unknown key in JSON names the line', () => {
    expect(fail('{\n"client": "a",\n"sesion": "b"\n}', 'c.json')).toMatch(/^c\.json:3: unknown key 'sesion' \(did you mean 'session'\?\)/);
  });
  test('wrong types name the key and line', () => {
    expect(fail('client: [a, b]\n')).toMatch(/^report\.yaml:1: key 'client' must be a column name/);
    expect(fail('x: 1\n'.replace('x: 1\n', 'alliance:\n  a: 1\n'))).toMatch(/^report\.yaml:2: key 'alliance' must be/);
    expect(fail('dateFormat: ymd\n')).toContain("key 'dateFormat' must be one of 'iso', 'dmy', 'dmy.', 'mdy'");
    expect(fail('validate: 3\n')).toContain("key 'validate' must be a mapping");
    expect(fail('instruments:\n  score: PHQ-10\n')).toMatch(/^report\.yaml:2: unknown instrument 'PHQ-10'/);
  });
  test('instrument overrides are validated with line numbers', () => {
    expect(fail('instrumentOverrides:\n  ORS:\n    cutof: 28\n')).toMatch(/^report\.yaml:3: instrumentOverrides\.ORS: unknown field 'cutof'/);
    expect(fail('instrumentOverrides:\n  XYZ: { cutoff: 1 }\n')).toMatch(/^report\.yaml:2: instrumentOverrides\.XYZ: unknown instrument/);
    expect(fail('instrumentOverrides:\n  ORS:\n    integer: 3\n')).toContain('integer must be true or false');
  });
  test('syntax errors name the line', () => {
    expect(fail('client: a\nalliance: [srs\n')).toMatch(/^report\.yaml:\d+: cannot parse the config/);
    expect(fail('{"client": "a",\n "x": }', 'c.json')).toMatch(/^c\.json:2: cannot parse the config/);
  });
  test('pathological nesting is named, not reported as the engine stack overflow', () => {
    const deepYaml = 'a:\n' + Array.from({ length: 2000 }, (_, i) => '  '.repeat(i + 1) + 'b:\n').join('');
    const deepJson = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
    for (const [text, file] of [
      [deepYaml, 'report.yaml'],
      [deepJson, 'c.json'],
      ['a: ' + '['.repeat(5000) + ']'.repeat(5000), 'report.yaml'],
      // Deep enough to overflow the stack of the strict-JSON check (an internal error), under 1 MiB.
      ['{"missing": ' + '['.repeat(200_000) + ']'.repeat(200_000) + '}', 'c.json'],
      ['{"describe": ' + '{"a": '.repeat(100_000) + '1' + '}'.repeat(100_001), 'c.json'],
    ]) {
      const msg = fail(text, file);
      expect(msg.startsWith(file + ':')).toBe(true);
      expect(msg).toContain(': the config is nested too deeply to read. ');
      expect(msg).not.toMatch(/call stack/i);
    }
  });
  test('a .json file must be strict JSON', () => {
    expect(fail('{\n  "client": "a",\n  "session": "b",\n}\n', 'c.json')).toBe(
      'c.json:4: cannot parse the config as JSON: expected a string in double quotes. Check the JSON syntax on that line.',
    );
    expect(fail("{'client': 'a'}", 'c.json')).toMatch(/^c\.json:1: /);
    // The same text is fine as YAML.
    expect(parseConfig("{'client': 'a'}", 'c.yaml', '/d').read.client).toBe('a');
  });
  test('duplicate keys are errors', () => {
    expect(fail('client: a\nclient: b\n')).toMatch(/^report\.yaml:2: cannot parse/);
  });
  test('a non-mapping config', () => {
    expect(fail('- a\n- b\n')).toContain('must be a mapping');
  });
});

describe('loadConfig', () => {
  test('reads the file; relative files resolve against its folder', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'conf'));
    writeFileSync(join(dir, 'conf', 'c.yml'), 'files:\n  - ../data/x.csv\n');
    const c = await loadConfig('conf/c.yml', dir);
    expect(c.files).toEqual([join(dir, 'data', 'x.csv')]);
    expect(c.path).toBe('conf/c.yml');
  });
  test('missing config file', async () => {
    await expect(loadConfig('nope.yaml', tempDir())).rejects.toThrow('config file not found');
  });
});

function command(argv: string[]): Command {
  const cmd = new Command('x').argument('[files...]').exitOverride();
  addOptions(cmd, INPUT_OPTIONS);
  cmd.action(() => {});
  cmd.parse(argv, { from: 'user' });
  return cmd;
}

describe('mergeReadOptions', () => {
  test('explicit flags win over the config; config wins over absent flags', () => {
    const config = parseConfig('client: cfg_client\nalliance: [cfg_a]\ngroups: [site]\ninstruments: {s: SRS}\ndateFormat: dmy\n', 'c.yaml', '/d');
    const cmd = command(['--client', 'flag_client', '--group', 'team', '--instrument', 'o=ORS', 'f.csv']);
    const opts = cmd.opts();
    const explicit = new Set(cmd.options.map((o) => o.attributeName()).filter((k) => cmd.getOptionValueSource(k) === 'cli'));
    const merged = mergeReadOptions(config, opts, explicit);
    expect(merged.client).toBe('flag_client');
    expect(merged.alliance).toEqual(['cfg_a']);
    expect(merged.groups).toEqual(['team']);
    expect(merged.instruments).toEqual({ o: 'ORS' });
    expect(merged.dateFormat).toBe('dmy');
    expect(merged.origin).toMatchObject({ client: 'flag', alliance: 'config', groups: 'flag', dateFormat: 'config' });
  });
  test('no config: the flags', () => {
    const cmd = command(['--outcome', 'a,b', '--missing', '999']);
    const merged = mergeReadOptions(null, cmd.opts(), new Set(['outcome', 'missing']));
    expect(merged.outcome).toEqual(['a', 'b']);
    expect(merged.missing).toEqual(['999']);
    expect(merged.client).toBeUndefined();
  });
});

describe('loadInput', () => {
  test('files from the config, mapping from config and flags', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'data.csv'), 'pid,visit,score,srs\np1,1,5,30\np1,2,7,31\n');
    writeFileSync(join(dir, 'c.yaml'), 'files: [data.csv]\nclient: pid\noutcome: [score]\n');
    const cmd = command(['--config', join(dir, 'c.yaml'), '--instrument', 'score=PHQ-9']);
    const { dataset, config } = await loadInput([], cmd.opts(), cmd, testIo());
    expect(config?.files).toEqual([join(dir, 'data.csv')]);
    expect(dataset.mapping.client).toMatchObject({ name: 'pid', how: 'config' });
    const score = dataset.mapping.measures.find((m) => m.name === 'score')!;
    expect(score.instrument?.id).toBe('PHQ-9');
    expect(score.how).toBe('config');
    const { rows } = await collect(dataset);
    expect(rows.map((r) => r.values)).toEqual([
      [30, 5],
      [31, 7],
    ]);
  });
  test('no file anywhere is a UserError', async () => {
    const cmd = command([]);
    await expect(loadInput([], cmd.opts(), cmd, testIo())).rejects.toThrow('no input file given');
  });
});
