import { expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';

it('--bootstrap takes 0 (off) or 20 to 1000000 resamples; a handful is a usage error, not a blank CI', async () => {
  for (const n of ['1', '19', '1000001']) {
    const r = await runInProcess(['correlate', 'fixtures/demo.csv', '--bootstrap', n]);
    expect([n, r.code]).toEqual([n, 2]);
    expect(r.stderr).toMatch(/^alliance: --bootstrap must be 0 \(off\) or a number of resamples from 20 to 1000000/);
  }
  const ok = await runInProcess(['correlate', 'fixtures/demo.csv', '--analyses', 'within', '--bootstrap', '20', '--seed', '1', '--format', 'json']);
  expect(ok.code).toBe(0);
  expect(JSON.parse(ok.stdout).results[0].bootstrap_ci).toHaveLength(2);
});
