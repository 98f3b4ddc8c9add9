/**
 * Regression snapshots of `alliance model` output (rendering: layout, rounding, notes).
 * The numbers in them are checked against lme4/lmerTest in model.test.ts and
 * model-cli.test.ts; these files only catch unintended changes to what people read.
 * Review changes with `git diff fixtures/model/golden`.
 */
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';

const cases: { name: string; args: string[] }[] = [
  { name: 'balanced-ri.table.txt', args: ['fixtures/model/balanced.csv'] },
  { name: 'unbalanced-slope-time.md', args: ['fixtures/model/unbalanced.csv', '--time', '--random-slope', 'time', '--format', 'md'] },
  { name: 'unbalanced-lag.table.txt', args: ['fixtures/model/unbalanced.csv', '--lag'] },
  { name: 'nested-ml.json', args: ['fixtures/model/nested.csv', '--group', 'therapist', '--ml', '--random-effects', '--format', 'json'] },
  { name: 'singular.csv', args: ['fixtures/model/singular.csv', '--format', 'csv'] },
];

describe('alliance model output snapshots', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const r = await runInProcess(['model', ...c.args, '--outcome', 'outcome', '--alliance', 'alliance']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      await expect(r.stdout).toMatchFileSnapshot(`../../fixtures/model/golden/${c.name}`);
    });
  }
});
