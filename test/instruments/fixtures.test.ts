import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { getInstrument, validateOverride, withOverrides } from '../../src/instruments/registry.js';

const path = fileURLToPath(new URL('../../fixtures/instruments/overrides.yaml', import.meta.url));

describe('fixtures/instruments/overrides.yaml', () => {
  const doc = parse(readFileSync(path, 'utf8')) as { instrumentOverrides: Record<string, Record<string, unknown>> };

  it('passes validateOverride for every instrument', () => {
    for (const [id, fields] of Object.entries(doc.instrumentOverrides)) expect(validateOverride(id, fields), id).toEqual([]);
  });

  it('applies as documented', () => {
    const ors = withOverrides(getInstrument('ORS')!, doc.instrumentOverrides.ORS);
    expect(ors.cutoff).toEqual({ value: 28, clinicalIf: '<=', source: 'adolescent cutoff, local protocol' });
    const k10 = withOverrides(getInstrument('K10')!, doc.instrumentOverrides.K10);
    expect(k10.range.value).toEqual([0, 40]);
    expect(k10.cutoff?.value).toBe(10);
    expect(k10.cutoff?.clinicalIf).toBe('>=');
  });
});
