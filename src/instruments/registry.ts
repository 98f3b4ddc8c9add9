/**
 * The built-in instrument registry. (Being completed: see the instruments work; the API
 * below is stable.)
 */
import type { Instrument } from './types.js';

/** Lowercase and keep letters and digits only: "PHQ-9 total" -> "phq9total". */
export function normalizeName(name: string): string {
  return name.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]/g, '');
}

export const INSTRUMENTS: Instrument[] = [
  {
    id: 'SRS',
    name: 'Session Rating Scale',
    construct: 'alliance',
    items: 4,
    itemRange: [0, 10],
    range: { value: [0, 40], source: 'Duncan et al. 2003' },
    integer: false,
    higherIsBetter: true,
    cutoff: { value: 36, clinicalIf: '<', source: 'Duncan et al. 2003; Miller & Duncan 2004' },
    allianceDrop: { value: 1, source: 'PCOMS manual (any drop is an alert)' },
    aliases: ['srs', 'srstotal', 'srsscore', 'sessionratingscale'],
  },
  {
    id: 'PHQ-9',
    name: 'Patient Health Questionnaire-9',
    construct: 'outcome',
    items: 9,
    itemRange: [0, 3],
    range: { value: [0, 27], source: 'Kroenke et al. 2001' },
    integer: true,
    higherIsBetter: false,
    cutoff: { value: 10, clinicalIf: '>=', source: 'Kroenke et al. 2001' },
    reliableChange: { value: 6, source: 'NHS Talking Therapies manual' },
    aliases: ['phq9', 'phq9total', 'phq9score', 'phq'],
  },
];

/** Look up by id, case- and punctuation-insensitively ("phq9" finds PHQ-9). */
export function getInstrument(id: string): Instrument | undefined {
  const key = normalizeName(id);
  return INSTRUMENTS.find((i) => normalizeName(i.id) === key);
}

/** The instrument a column header names, if any (exact alias match after normalising). */
export function instrumentForHeader(header: string): Instrument | undefined {
  const key = normalizeName(header);
  return INSTRUMENTS.find((i) => i.aliases.includes(key) || normalizeName(i.id) === key);
}

/**
 * A copy of `inst` with fields overridden from a config file. Unknown fields are the
 * caller's to reject (config validation names them).
 */
export function withOverrides(inst: Instrument, overrides: Partial<Record<string, unknown>> | undefined): Instrument {
  if (!overrides) return inst;
  return { ...inst, ...(overrides as Partial<Instrument>) };
}
