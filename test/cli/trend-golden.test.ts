/**
 * `alliance trend` golden outputs: the rendered reports for two fixtures, one folder per
 * case (args, stdout, exit code). They pin layout and rounding; the numbers themselves are
 * checked against R in test/analysis/trend.test.ts and test/cli/trend.test.ts. Regenerate
 * after a deliberate change with UPDATE_GOLDEN=1 npx vitest run test/cli/trend-golden.test.ts
 * and review with git diff.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runInProcess } from '../helpers/cli.js';
import { runBinary } from '../helpers/spawn.js';

const dir = fileURLToPath(new URL('./trend-golden/', import.meta.url));

const CASES: Record<string, string[]> = {
  'claus-jt-table': [
    'fixtures/trend/claus_2020.csv',
    ...['--client', 'id', '--session', 'time', '--outcome', 'bdi', '--instrument', 'bdi=BDI-II'],
    ...['--pre', '1', '--post', '4', '--reliability', '0.801', '--functional-mean', '7.69', '--functional-sd', '7.52', '--cutoff', 'c'],
    '--no-color',
  ],
  // Given thresholds, so the notes do not quote registry citations (which may be reworded).
  'synthetic-month-therapist-md': [
    ...['fixtures/trend/synthetic.csv', '--period', 'month', '--by', 'therapist', '--format', 'md'],
    ...['--reliability', '0.84', '--cutoff', 'a', '--alliance-cutoff', '36', '--drop', '1'],
  ],
  'synthetic-clients-csv': ['fixtures/trend/synthetic.csv', '--clients', '--format', 'csv'],
};

function golden(name: string, file: string, actual: string): void {
  const folder = dir + name;
  const path = `${folder}/${file}`;
  if (process.env.UPDATE_GOLDEN) {
    mkdirSync(folder, { recursive: true });
    writeFileSync(path, actual);
  }
  if (!existsSync(path)) throw new Error(`missing golden file ${path}; run with UPDATE_GOLDEN=1`);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe('alliance trend golden outputs', () => {
  for (const [name, args] of Object.entries(CASES)) {
    it(name, async () => {
      const r = await runInProcess(['trend', ...args]);
      golden(name, 'args', args.join('\n') + '\n');
      golden(name, 'exit', `${r.code}\n`);
      golden(name, 'stdout', r.stdout);
      expect(r.stderr).toBe('');
    });
  }
});

describe('alliance trend as a process', () => {
  it('reads standard input and exits 0; bad flags exit 2 with one line', () => {
    const csv = readFileSync('fixtures/trend/claus_2020.csv');
    const r = runBinary(
      [
        'trend',
        '-',
        '--client',
        'id',
        '--session',
        'time',
        '--outcome',
        'bdi',
        '--pre',
        '1',
        '--post',
        '4',
        '--reliability',
        '0.801',
        '--functional-mean',
        '7.69',
        '--functional-sd',
        '7.52',
        '--cutoff',
        'c',
        '--format',
        'json',
      ],
      { input: csv },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).summary.categories).toEqual({ recovered: 10, improved: 8, unchanged: 22, deteriorated: 0, harmed: 0 });
    const bad = runBinary(['trend', 'fixtures/trend/claus_2020.csv', '--ntp-quantile', '2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--ntp-quantile must be between 0 and 1/);
  });
});
