import { expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runInProcess } from '../helpers/cli.js';

const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

it('no command modifies its input files (bytes and modification time unchanged)', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'alliance-untouched-'));
  const file = path.join(dir, 'demo.csv');
  copyFileSync('fixtures/demo.csv', file);
  const before = { hash: sha(file), mtime: statSync(file).mtimeMs, size: statSync(file).size };
  for (const args of [
    ['validate', file],
    ['describe', file],
    ['correlate', file],
    ['trend', file, '--clients'],
    ['model', file, '--alliance', 'srs', '--outcome', 'ors'],
  ]) {
    const r = await runInProcess(args);
    expect([args[0], r.code]).toEqual([args[0], 0]);
  }
  expect({ hash: sha(file), mtime: statSync(file).mtimeMs, size: statSync(file).size }).toEqual(before);
});
