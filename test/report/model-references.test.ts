/**
 * A report cites the methods its model used, not every method the model section can use:
 * Kenward-Roger only with df: kr, Baldwin et al. only with decompose, Self & Liang only for
 * the random-slope comparison (the list was fixed: every report cited all of them).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'alliance-modelrefs-'));
copyFileSync('fixtures/demo.csv', path.join(tmp, 'demo.csv'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function references(model: string): Promise<string> {
  const cfg = path.join(tmp, `c${model.length}.yaml`);
  writeFileSync(
    cfg,
    ['files: [demo.csv]', 'today: 2025-07-01', 'report:', '  sections: [model]', '  formats: [md]', `model: { outcome: ors, alliance: srs${model} }`].join(
      '\n',
    ) + '\n',
  );
  const out = path.join(tmp, `out${model.length}`);
  const r = await runInProcess(['report', '--config', cfg, '--out', out, '--force']);
  expect([0, 1], r.stderr).toContain(r.code);
  const md = readFileSync(path.join(out, 'report.md'), 'utf8');
  return md.slice(md.indexOf('## References'));
}

describe('the model section cites what the run used', () => {
  it('default options: lme4 and lmerTest, no Kenward-Roger, Baldwin or Self & Liang', async () => {
    const refs = await references('');
    expect(refs).toContain('Bates, D.');
    expect(refs).toContain('Kuznetsova, A.');
    expect(refs).not.toContain('Kenward');
    expect(refs).not.toContain('Baldwin');
    expect(refs).not.toContain('Self, S. G.');
  });
  it('df: kr cites Kenward & Roger and pbkrtest', async () => {
    const refs = await references(', df: kr');
    expect(refs).toContain('Kenward, M. G., & Roger, J. H. (1997)');
    expect(refs).toContain('Halekoh, U., & Højsgaard, S. (2014)');
    expect(refs).not.toContain('Baldwin');
  });
});
