import { describe, expect, it } from 'vitest';
import {
  INSTRUMENTS,
  detectVariant,
  getInstrument,
  instrumentForHeader,
  normalizeName,
  validateOverride,
  withOverrides,
} from '../../src/instruments/registry.js';

const ids = INSTRUMENTS.map((i) => i.id);

describe('instrument registry invariants', () => {
  it('holds at least the instruments the project promises', () => {
    for (const id of ['SRS', 'ORS', 'WAI-SR', 'WAI-S', 'HAq-II', 'SAI', 'PHQ-9', 'GAD-7', 'OQ-45', 'CORE-10', 'CORE-OM', 'K10', 'BDI-II']) {
      expect(ids).toContain(id);
    }
    expect(new Set(ids.map(normalizeName)).size).toBe(ids.length);
  });

  it('gives every value a non-empty source', () => {
    for (const inst of INSTRUMENTS) {
      expect(inst.range.source.trim().length, inst.id).toBeGreaterThan(5);
      for (const v of [inst.cutoff, inst.reliableChange, inst.allianceDrop]) {
        if (v) expect(v.source.trim().length, inst.id).toBeGreaterThan(5);
      }
    }
  });

  it('has total ranges equal to items x item range for summed scores', () => {
    // CORE-OM's clinical score is the mean item x 10, not a sum: 0-40 = 10 x [0, 4].
    for (const inst of INSTRUMENTS) {
      const [lo, hi] = inst.range.value;
      if (inst.id === 'CORE-OM') {
        expect([lo, hi]).toEqual([10 * inst.itemRange[0], 10 * inst.itemRange[1]]);
        continue;
      }
      expect([lo, hi], inst.id).toEqual([inst.items * inst.itemRange[0], inst.items * inst.itemRange[1]]);
    }
  });

  it('has cutoffs and reliable changes inside the score range, on the right side', () => {
    for (const inst of INSTRUMENTS) {
      const [lo, hi] = inst.range.value;
      if (inst.cutoff) {
        expect(inst.cutoff.value).toBeGreaterThan(lo);
        expect(inst.cutoff.value).toBeLessThan(hi);
        // The clinical (or concern) side is the worse side of the scale.
        const worseIsLow = inst.higherIsBetter;
        expect(['<', '<='].includes(inst.cutoff.clinicalIf), inst.id).toBe(worseIsLow);
      }
      if (inst.reliableChange) {
        expect(inst.reliableChange.value).toBeGreaterThan(0);
        expect(inst.reliableChange.value).toBeLessThan(hi - lo);
      }
      if (inst.allianceDrop) expect(inst.construct).toBe('alliance');
      for (const v of inst.variants ?? []) expect(v.range[0]).toBeLessThan(v.range[1]);
    }
  });

  it('keeps aliases normalised and unique across instruments', () => {
    const owner = new Map<string, string>();
    for (const inst of INSTRUMENTS) {
      for (const a of inst.aliases) {
        expect(a).toBe(normalizeName(a));
        expect(owner.has(a), `alias ${a} of ${inst.id} also belongs to ${owner.get(a)}`).toBe(false);
        owner.set(a, inst.id);
      }
    }
    // An id's normalised form must not be another instrument's alias.
    for (const inst of INSTRUMENTS) {
      const o = owner.get(normalizeName(inst.id));
      if (o) expect(o).toBe(inst.id);
    }
  });

  it('finds every id with getInstrument and every alias with instrumentForHeader', () => {
    for (const inst of INSTRUMENTS) {
      expect(getInstrument(inst.id)?.id).toBe(inst.id);
      expect(getInstrument(inst.id.toLowerCase())?.id).toBe(inst.id);
      expect(instrumentForHeader(inst.id)?.id).toBe(inst.id);
      for (const a of inst.aliases) expect(instrumentForHeader(a)?.id, a).toBe(inst.id);
    }
  });

  it('detects typical export headers and leaves ambiguous ones unbound', () => {
    expect(instrumentForHeader('SRS total')?.id).toBe('SRS');
    expect(instrumentForHeader('ORS_score')?.id).toBe('ORS');
    expect(instrumentForHeader('PHQ-9 Total')?.id).toBe('PHQ-9');
    expect(instrumentForHeader('GAD')?.id).toBe('GAD-7');
    expect(instrumentForHeader('WAI-SR')?.id).toBe('WAI-SR');
    expect(instrumentForHeader('CORE-OM')?.id).toBe('CORE-OM');
    expect(instrumentForHeader('OQ-45.2')?.id).toBe('OQ-45');
    for (const h of ['wai', 'WAI', 'core', 'haq', 'oq', 'kessler', 'score', 'total']) {
      expect(instrumentForHeader(h), h).toBeUndefined();
    }
  });
});

describe('detectVariant', () => {
  const get = (id: string) => getInstrument(id)!;
  it('returns null when values fit the registered scale', () => {
    expect(detectVariant(get('PHQ-9'), 0, 27)).toBeNull();
    expect(detectVariant(get('K10'), 12, 44)).toBeNull();
    expect(detectVariant(get('WAI-SR'), 20, 58)).toBeNull();
    expect(detectVariant(get('WAI-S'), 20, 58)).toBeNull(); // could be either: no claim
  });
  it('recognises K10 scored 0-40', () => {
    const v = detectVariant(get('K10'), 0, 38);
    expect(v?.variant).toMatch(/0-40/);
    expect(v?.message).toMatch(/add 10/);
  });
  it('recognises a 7-point WAI bound as WAI-SR, and a 5-point one bound as WAI-S only when out of range', () => {
    expect(detectVariant(get('WAI-SR'), 14, 80)?.variant).toMatch(/7-point/);
    expect(detectVariant(get('WAI-S'), 5, 50)).toBeNull(); // below 12 fits no variant
  });
  it('recognises CORE-OM mean-item and raw-total scoring', () => {
    expect(detectVariant(get('CORE-OM'), 0.2, 3.6)?.variant).toMatch(/mean item/);
    expect(detectVariant(get('CORE-OM'), 3, 120)?.variant).toMatch(/raw total/);
    expect(detectVariant(get('CORE-OM'), 2, 31)).toBeNull();
  });
  it('returns null for values that fit nothing, and for empty input', () => {
    expect(detectVariant(get('PHQ-9'), 0, 40)).toBeNull();
    expect(detectVariant(get('K10'), NaN, NaN)).toBeNull();
    expect(detectVariant(get('CORE-OM'), 0, 0)).toBeNull();
  });
});

describe('overrides', () => {
  it('validates fields by name and type', () => {
    expect(validateOverride('PHQ-9', { cutoff: 12, reliableChange: { value: 5, source: 'local audit 2024' } })).toEqual([]);
    const bad = validateOverride('PHQ-9', { cutof: 12, cutoff: 'ten', integer: 'yes', range: [27, 0] });
    expect(bad.map((p) => p.field)).toEqual(['cutof', 'cutoff', 'integer', 'range']);
    expect(bad[0].message).toMatch(/valid fields: .*cutoff/);
    expect(validateOverride('PHQ-8', { cutoff: 10 })[0]).toMatchObject({ field: null });
    expect(validateOverride('PHQ-8', {})[0].message).toMatch(/valid ids: .*PHQ-9/);
    expect(validateOverride('ORS', { cutoff: { value: 28, clinicalIf: '=<' } })[0].field).toBe('cutoff');
    expect(validateOverride('SAI', { clinicalIf: '<' })[0].message).toMatch(/no cutoff/);
    expect(validateOverride('ORS', [1, 2])[0].field).toBeNull();
  });

  it('applies plain numbers as sourced values and keeps the clinical side', () => {
    const ors = getInstrument('ORS')!;
    const o = withOverrides(ors, { cutoff: 28, reliableChange: 6 });
    expect(o.cutoff).toEqual({ value: 28, clinicalIf: '<=', source: 'config override' });
    expect(o.reliableChange).toEqual({ value: 6, source: 'config override' });
    expect(ors.cutoff?.value).toBe(25); // the registry is not mutated
    const r = withOverrides(getInstrument('K10')!, { range: [0, 40], cutoff: { value: 10, source: 'US scoring' } });
    expect(r.range.value).toEqual([0, 40]);
    expect(r.cutoff).toEqual({ value: 10, clinicalIf: '>=', source: 'US scoring' });
    expect(withOverrides(ors, undefined)).toBe(ors);
  });
});
