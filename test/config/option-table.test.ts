/**
 * The option tables: each command's own options declared once, from which come its flags
 * and help, its config keys, its defaults and the parsing of flag and config values.
 */
import { describe, expect, it } from 'vitest';
import { flagOf, orList, parseNumber, readTable, tableDefaults, tableFlags, tableKeys, type OptionTable } from '../../src/config/option-table.js';
import { CORRELATE_TABLE, SECTION_KEYS as CORRELATE_KEYS } from '../../src/sections/correlate/options.js';
import { TREND_DEFAULTS, TREND_TABLE, SECTION_KEYS as TREND_KEYS } from '../../src/sections/trend/options.js';
import { RUPTURES_TABLE, SECTION_KEYS as RUPTURES_KEYS } from '../../src/sections/ruptures/options.js';
import { MODEL_TABLE, SECTION_KEYS as MODEL_KEYS } from '../../src/sections/model/options.js';
import { VALIDATE_TABLE, SECTION_KEYS as VALIDATE_KEYS } from '../../src/sections/validate/options.js';
import { optionNames } from '../../src/config/option-table.js';
import { runInProcess } from '../helpers/cli.js';

const TABLE = [
  { key: 'minClients', type: 'number', arg: '<n>', range: { min: 1, integer: true }, example: '3', default: 5, description: 'x (default 5)' },
  { key: 'level', type: 'number', arg: '<q>', range: { min: 0, max: 1, minExclusive: true, maxExclusive: true }, example: '0.8', description: 'q' },
  { key: 'method', type: 'choice', arg: '<m>', choices: ['a', 'b', 'c'], description: 'm' },
  { key: 'clients', type: 'boolean', default: false, description: 'c' },
  { key: 'cols', type: 'list', arg: '<cols>', description: 'l' },
  { key: 'by', type: 'text', arg: '<col>', description: 'b' },
] as const satisfies OptionTable;

describe('readTable', () => {
  it('a flag given on the command line wins over the config, which wins over the default', () => {
    expect(readTable(TABLE, { flags: {} }).minClients).toBe(5);
    expect(readTable(TABLE, { flags: {}, section: { minClients: 7 } }).minClients).toBe(7);
    expect(readTable(TABLE, { flags: { minClients: '9' }, section: { minClients: 7 }, explicit: new Set(['minClients']) }).minClients).toBe(9);
    // a flag value that was not given explicitly (a commander default) loses to the config
    expect(readTable(TABLE, { flags: { minClients: '9' }, section: { minClients: 7 } }).minClients).toBe(7);
  });

  it('parses each type', () => {
    const v = readTable(TABLE, { flags: { level: '0.25', method: 'b', clients: true, cols: 'x, y,,z', by: ' site ' } });
    expect(v).toEqual({ minClients: 5, level: 0.25, method: 'b', clients: true, cols: ['x', 'y', 'z'], by: 'site' });
    expect(readTable(TABLE, { flags: {}, section: { cols: ['p', 'q'], by: '  ' } })).toMatchObject({ cols: ['p', 'q'], by: undefined });
  });

  it('rejects a value of the wrong type, naming the flag', () => {
    expect(() => readTable(TABLE, { flags: {}, section: { clients: 'yes' } })).toThrow('--clients must be true or false, got "yes"');
    expect(() => readTable(TABLE, { flags: { method: 'd' } })).toThrow('--method must be a, b or c, got "d"');
    expect(() => readTable(TABLE, { flags: { level: '1' } })).toThrow('--level must be between 0 and 1 (exclusive), got "1"');
    expect(() => readTable(TABLE, { flags: { minClients: '2.5' } })).toThrow('--min-clients must be a whole number >= 1, got "2.5"');
  });
});

describe('alternatives: two ways to give one setting', () => {
  const ALT = [
    { key: 'points', type: 'number', arg: '<p>', example: '5', alternatives: ['multiple'], description: 'p' },
    { key: 'multiple', type: 'number', arg: '<k>', example: '2', default: 2, alternatives: ['points'], description: 'k' },
  ] as const satisfies OptionTable;
  it("a flag for one sets aside the config's other (neither read nor named); the other's default stays", () => {
    const flagK = { flags: { multiple: '1' }, section: { points: 3 }, explicit: new Set(['multiple']) };
    expect(readTable(ALT, flagK)).toEqual({ points: undefined, multiple: 1 });
    expect(readTable(ALT, { ...flagK, section: { points: 'not a number' } })).toEqual({ points: undefined, multiple: 1 });
    expect(optionNames(ALT, { ...flagK, config: { section: 's', at: null } }).name('points')).toBe('--points');
    const flagP = { flags: { points: '4' }, section: { multiple: 1 }, explicit: new Set(['points']) };
    expect(readTable(ALT, flagP)).toEqual({ points: 4, multiple: 2 });
  });
  it('from one place, both are read (for the section to refuse)', () => {
    expect(readTable(ALT, { flags: {}, section: { points: 3, multiple: 1 } })).toEqual({ points: 3, multiple: 1 });
    expect(readTable(ALT, { flags: { points: '3', multiple: '1' }, explicit: new Set(['points', 'multiple']) })).toEqual({ points: 3, multiple: 1 });
    // Without a flag for either, the config's value wins over the other's flag default.
    expect(readTable(ALT, { flags: { multiple: '2' }, section: { points: 3 } })).toEqual({ points: 3, multiple: 2 });
  });
});

describe("trend's defaults", () => {
  it('are one constant beside the table, and the help names each', () => {
    for (const [key, value] of Object.entries(TREND_DEFAULTS)) {
      const row = TREND_TABLE.find((r) => r.key === key)!;
      expect(row.description, key).toContain(`(default ${value})`);
    }
  });
});

describe('a value from the config is named by its key', () => {
  const at = { file: 'c.yaml', line: (k: string) => ({ 's.minClients': 4, 's.clients': 5 })[k] };
  const config = { section: 's', at };
  const thrown = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      const u = e as { message: string; hint?: string; key?: string; location?: { file?: string; line?: number } };
      return { message: u.message, hint: u.hint, key: u.key, location: u.location };
    }
    return null;
  };
  it('names the key, its line and an example in config form', () => {
    expect(thrown(() => readTable(TABLE, { flags: {}, section: { minClients: 0 }, config }))).toEqual({
      message: 's.minClients must be a whole number >= 1, got "0"',
      hint: 'For example minClients: 3 under s:',
      key: 's.minClients',
      location: { file: 'c.yaml', line: 4 },
    });
    expect(thrown(() => readTable(TABLE, { flags: {}, section: { clients: 'yes' }, config }))?.location).toEqual({ file: 'c.yaml', line: 5 });
  });
  it('names a flag given on the command line as the flag, even over the config', () => {
    const e = thrown(() => readTable(TABLE, { flags: { minClients: '0' }, section: { minClients: 7 }, explicit: new Set(['minClients']), config }));
    expect(e).toMatchObject({ message: '--min-clients must be a whole number >= 1, got "0"', hint: 'For example --min-clients 3', key: '--min-clients' });
    expect(e?.location).toEqual({});
  });
  it('optionNames: by origin, every option by its key when the config is the only source', () => {
    const n = optionNames(TABLE, { flags: { level: '0.5' }, section: { minClients: 3 }, explicit: new Set(['level']), config });
    expect([n.name('minClients'), n.name('level'), n.name('method')]).toEqual(['s.minClients', '--level', '--method']);
    expect(n.example('minClients', '3')).toBe('minClients: 3 under s:');
    expect(n.place(['level', 'minClients'], 'h')).toEqual({ hint: 'h', location: { file: 'c.yaml', line: 4 }, key: 's.minClients' });
    expect(n.place(['level', 'method'])).toEqual({ key: '--method' });
    const only = optionNames(TABLE, { flags: {}, section: {}, config: { ...config, only: true } });
    expect(only.name('method')).toBe('s.method');
  });
  it('a flag-only row (config: false) is no config key and is not read from the config', () => {
    const T = [
      { key: 'format', type: 'choice', arg: '<f>', choices: ['a', 'b'], default: 'a', showDefault: true, config: false, description: 'f' },
    ] as const satisfies OptionTable;
    expect(tableKeys(T)).toEqual([]);
    expect(readTable(T, { flags: {}, section: { format: 'b' } }).format).toBe('a');
    expect(tableFlags(T)[0].defaultValue).toBe('a');
  });
});

describe('aliases, config-only rows, repeatable lists and optional values', () => {
  const T = [
    { key: 'covariate', type: 'list', arg: '<cols>', repeatable: true, aliases: ['covariates'], description: 'c' },
    { key: 'outcome', type: 'text', arg: '<col>', flag: false, description: 'o' },
    { key: 'randomSlope', type: 'optional', arg: '[term]', description: 'r' },
  ] as const satisfies OptionTable;
  it('keys include the aliases; flags leave config-only rows out; a repeatable list accumulates', () => {
    expect(tableKeys(T)).toEqual(['covariate', 'covariates', 'outcome', 'randomSlope']);
    const flags = tableFlags(T);
    expect(flags.map((f) => f.flags)).toEqual(['--covariate <cols>', '--random-slope [term]']);
    expect(flags[0].parse!('b, c', flags[0].parse!('a', undefined))).toEqual(['a', 'b', 'c']);
  });
  it('reads a value given under an alias, and an optional value as true or text', () => {
    expect(readTable(T, { flags: {}, section: { covariates: ['age'] } }).covariate).toEqual(['age']);
    expect(readTable(T, { flags: { randomSlope: true } }).randomSlope).toBe(true);
    expect(readTable(T, { flags: {}, section: { randomSlope: 'time' } }).randomSlope).toBe('time');
  });
});

describe('parseNumber', () => {
  it('states the accepted range and gives an example', () => {
    const fail = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return `${(e as Error).message} | ${(e as { hint?: string }).hint}`;
      }
      return 'no error';
    };
    expect(fail(() => parseNumber('--drop', 'two', { min: 0, minExclusive: true }, '5'))).toBe('--drop must be a number > 0, got "two" | For example --drop 5');
    expect(fail(() => parseNumber('--pre', '', {}, '1'))).toBe('--pre must be a number, got "" | For example --pre 1');
    expect(fail(() => parseNumber('--k', '11', { min: 1, max: 10, integer: true }, '3'))).toBe(
      '--k must be a whole number between 1 and 10, got "11" | For example --k 3',
    );
    expect(fail(() => parseNumber('--x', '2', { max: 1 }, '1'))).toBe('--x must be a number <= 1, got "2" | For example --x 1');
    expect(parseNumber('--k', ' 4 ', { min: 1, integer: true })).toBe(4);
  });
  it('reads decimal notation only: 1e2 and 20.0, never 0x20, 0b11 or 0o17', () => {
    expect(parseNumber('--n', '1e2', { integer: true })).toBe(100);
    expect(parseNumber('--n', '20.0', { integer: true })).toBe(20);
    expect(parseNumber('--n', ' .5 ', {})).toBe(0.5);
    expect(parseNumber('--n', '-2.5E-1', {})).toBe(-0.25);
    for (const s of ['0x20', '0b11', '0o17', '0X1F', '1_000', 'Infinity', '1e', '.', '+']) {
      expect(() => parseNumber('--n', s, {})).toThrow(`--n must be a number, got "${s}"`);
    }
  });
  it('orList', () => {
    expect(orList(['a'])).toBe('a');
    expect(orList(['a', 'b', 'c'])).toBe('a, b or c');
  });
});

describe("the commands' tables", () => {
  const tables: [string, OptionTable, string[]][] = [
    ['correlate', CORRELATE_TABLE, CORRELATE_KEYS],
    ['trend', TREND_TABLE, TREND_KEYS],
    ['ruptures', RUPTURES_TABLE, RUPTURES_KEYS],
    ['model', MODEL_TABLE, MODEL_KEYS],
    ['validate', VALIDATE_TABLE, VALIDATE_KEYS],
  ];
  for (const [name, table, keys] of tables) {
    it(`${name}: the config keys are the table's keys, the flags its kebab-case`, () => {
      expect(keys).toEqual(tableKeys(table));
      expect(keys).toEqual(table.filter((r) => r.config !== false).flatMap((r) => [r.key, ...(r.aliases ?? [])]));
      expect(tableFlags(table).map((f) => f.flags.split(' ')[0])).toEqual(table.filter((r) => r.flag !== false).map((r) => flagOf(r.key)));
    });
    it(`${name}: a default the help names is the row's default`, () => {
      for (const [key, value] of Object.entries(tableDefaults(table))) {
        if (typeof value === 'boolean') continue;
        const row = table.find((r) => r.key === key)!;
        // showDefault: commander prints it ("(default: "20")") and gives it as the flag's value.
        if (row.showDefault) expect(tableFlags([row])[0].defaultValue, key).toBe(String(value));
        else expect(row.description, key).toContain(`(default ${String(value)}`);
      }
    });
    it(`${name}: --help lists every flag of the table with its help`, async () => {
      const r = await runInProcess([name, '--help']);
      expect(r.code).toBe(0);
      const help = r.stdout.replace(/\s+/g, ' ');
      for (const f of tableFlags(table)) {
        expect(help, f.flags).toContain(f.flags);
        expect(help, f.flags).toContain(f.description.split(' ').slice(0, 4).join(' '));
      }
    });
  }
});
