/**
 * The demo report config with the model section added as its own comments say (model listed
 * under report.sections and the commented `# model:` example uncommented), written with a
 * copy of the demo data into `dir`. Returns the config's path. Shared by the parse5 and the
 * browser checks of report.html.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function demoConfigWithModel(dir: string): string {
  copyFileSync(path.join(ROOT, 'fixtures/demo.csv'), path.join(dir, 'demo.csv'));
  const demo = readFileSync(path.join(ROOT, 'fixtures/report.yaml'), 'utf8');
  const [head, example] = demo.split('\n# model:\n');
  expect(example, 'fixtures/report.yaml has a commented model example').toBeDefined();
  const yaml =
    head.replace('sections: [validate, describe, correlate, trend]', 'sections: [validate, describe, correlate, trend, model]') +
    '\nmodel:\n' +
    example.replace(/^# {3}/gm, '  ');
  expect(yaml).toContain('trend, model]');
  expect(yaml).toMatch(/^ {2}outcome: ors/m);
  const file = path.join(dir, 'r.yaml');
  writeFileSync(file, yaml);
  return file;
}
