/**
 * The rupture drop is one setting given one of two ways: in points (`--rupture-drop`,
 * `ruptures.ruptureDrop`) or as a multiple of the pooled within-client SD (`--rupture-sd`,
 * `ruptures.ruptureSd`). As for every option (README, "Config"), a flag on the command line
 * wins over the config: a flag for one way sets aside the config's other way for that run,
 * and the run is exactly the run with the flag alone. Both ways from the same place (two
 * flags, or two keys of the config) are still refused: nothing says which was meant.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runInProcess } from '../helpers/cli.js';
import { ROOT } from '../helpers/spawn.js';
import { rupturesOptions } from '../../src/sections/ruptures/options.js';

const DATA = path.join(ROOT, 'fixtures/ruptures/planted.csv');
const dir = mkdtempSync(path.join(tmpdir(), 'alliance-rupture-drop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A config file holding `ruptures:` with the given lines. */
function config(name: string, ...lines: string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, ['ruptures:', ...lines.map((l) => `  ${l}`), ''].join('\n'));
  return file;
}

async function json(args: string[]): Promise<any> {
  const r = await runInProcess(['ruptures', DATA, ...args, '--format', 'json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

describe('a drop flag on the command line wins over the other way in the config', () => {
  it('--rupture-sd over ruptures.ruptureDrop: the SD multiple is used, the points set aside', async () => {
    const cfg = config('drop.yaml', 'ruptureDrop: 3');
    // The config alone: 3 points.
    const fromConfig = await json(['--config', cfg]);
    expect(fromConfig.method).toMatchObject({ drop: 3, drop_source: 'given' });
    const flagAlone = await json(['--rupture-sd', '1']);
    expect(flagAlone.method).toMatchObject({ drop_source: 'within-client-sd', sd_multiple: 1 });
    expect(flagAlone.method.drop).toBeCloseTo(flagAlone.method.within_sd, 12);
    // Both: the flag's run, to the byte (options included: no rupture_drop).
    const both = await json(['--config', cfg, '--rupture-sd', '1']);
    expect(both).toEqual(flagAlone);
    expect(both.options).toEqual({ rupture_sd: 1, clients: false, by: null });
    expect(both.episodes).not.toEqual(fromConfig.episodes);
  });

  it('--rupture-drop over ruptures.ruptureSd: the points are used, the SD multiple set aside', async () => {
    const cfg = config('sd.yaml', 'ruptureSd: 1');
    const fromConfig = await json(['--config', cfg]);
    expect(fromConfig.method).toMatchObject({ drop_source: 'within-client-sd', sd_multiple: 1 });
    const flagAlone = await json(['--rupture-drop', '4']);
    expect(flagAlone.method).toMatchObject({ drop: 4, drop_source: 'given' });
    const both = await json(['--config', cfg, '--rupture-drop', '4']);
    expect(both).toEqual(flagAlone);
    expect(both.episodes).not.toEqual(fromConfig.episodes);
  });

  it("the config's other settings still apply", async () => {
    const cfg = config('window.yaml', 'ruptureDrop: 3', 'repairWindow: 2');
    const both = await json(['--config', cfg, '--rupture-sd', '1']);
    expect(both.method).toMatchObject({ drop_source: 'within-client-sd', sd_multiple: 1, repair_window: 2 });
    expect(both).toEqual(await json(['--rupture-sd', '1', '--repair-window', '2']));
  });

  it('a value set aside is not read: a bad ruptureDrop in the config does not stop a run with --rupture-sd', async () => {
    const cfg = config('bad.yaml', 'ruptureDrop: -1');
    expect((await json(['--config', cfg, '--rupture-sd', '1'])).method.sd_multiple).toBe(1);
    // (alone, it is an error at its line)
    const r = await runInProcess(['ruptures', DATA, '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:2: ruptures\.ruptureDrop must be a number > 0, got "-1"/);
  });
});

describe('both ways from the same place are still refused, naming both and how to fix it', () => {
  it('two flags', async () => {
    const r = await runInProcess(['ruptures', DATA, '--rupture-drop', '3', '--rupture-sd', '1']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'alliance: --rupture-drop and --rupture-sd cannot be combined. Give the drop in points (--rupture-drop) or as a multiple of the within-client SD (--rupture-sd), not both.\n',
    );
  });

  it('two keys of the config: at the first key line', async () => {
    const cfg = config('both.yaml', 'ruptureDrop: 3', 'ruptureSd: 1');
    const r = await runInProcess(['ruptures', DATA, '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `alliance: ${cfg}:2: ruptures.ruptureDrop and ruptures.ruptureSd cannot be combined. Give the drop in points (ruptures.ruptureDrop) or as a multiple of the within-client SD (ruptures.ruptureSd), not both.\n`,
    );
    // A flag for one of them decides it, as above.
    expect((await json(['--config', cfg, '--rupture-drop', '4'])).method).toMatchObject({ drop: 4, drop_source: 'given' });
  });

  it('the report (config only) refuses both keys as before', () => {
    expect(() => rupturesOptions({}, { ruptureDrop: 3, ruptureSd: 1 }, new Set(), 'r.yaml', { 'ruptures.ruptureDrop': 5 }, true)).toThrow(
      'ruptures.ruptureDrop and ruptures.ruptureSd cannot be combined',
    );
  });
});
