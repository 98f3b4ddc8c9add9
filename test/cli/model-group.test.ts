/**
 * `--group` in `alliance model` is the level clients are nested in (therapist), not the
 * input option's grouping columns (docs/model.md, "--group").
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';
import { ROOT } from '../helpers/spawn.js';

const DEMO = path.join(ROOT, 'fixtures/demo.csv');

describe('alliance model --group', () => {
  it('--help says what it means to the model', async () => {
    const r = await runInProcess(['model', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(
      '--group <cols> therapist: clients nested in therapists (the level of the model, not grouping columns to read; only therapist)',
    );
    const c = await runInProcess(['correlate', '--help']);
    expect(c.stdout.replace(/\s+/g, ' ')).toContain('--group <cols> grouping column(s) such as site or modality');
  });

  it('--group site is an error that says --group is the level here', async () => {
    const r = await runInProcess(['model', DEMO, '--outcome', 'ors', '--group', 'site']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'alliance: model --group takes "therapist" (clients nested in therapists), got "site". In alliance model, --group names the level clients are nested in (only therapist is modelled), not a grouping column to read; use --group therapist, with --therapist COL if the therapist column is not detected (site figures: correlate, trend or ruptures --by site).\n',
    );
  });

  it("a config's top-level groups (the input option) does not set the model's level", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'model-group-'));
    writeFileSync(path.join(dir, 'c.yaml'), 'groups: [site]\n');
    const withGroups = await runInProcess(['model', DEMO, '--outcome', 'ors', '--config', 'c.yaml', '--format', 'json'], { cwd: dir });
    const plain = await runInProcess(['model', DEMO, '--outcome', 'ors', '--format', 'json'], { cwd: dir });
    expect(withGroups.code, withGroups.stderr).toBe(0);
    const a = JSON.parse(withGroups.stdout) as { spec: { therapist_level: boolean }; fit: unknown };
    const b = JSON.parse(plain.stdout) as { spec: { therapist_level: boolean }; fit: unknown };
    expect(a.spec.therapist_level).toBe(false);
    expect(a.fit).toEqual(b.fit);
  });
});
