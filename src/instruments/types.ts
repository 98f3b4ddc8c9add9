/**
 * Scoring metadata for one instrument. Data, not code: the registry is a list of these
 * records, each value with the source it came from, and every value can be overridden
 * from a config file (see src/instruments/registry.ts).
 */
export type Construct = 'alliance' | 'outcome';

export interface Sourced<T> {
  value: T;
  /**
   * Citation for the value: the primary source (authors, year, title, journal, DOI where one
   * exists) or, for a service rule, "convention (...)" and the document that sets it; a
   * value the source's text could not confirm says "(not confirmed from the primary source)".
   */
  source: string;
}

export interface Instrument {
  /** Stable id used on the command line: SRS, ORS, WAI-SR, PHQ-9, ... */
  id: string;
  name: string;
  construct: Construct;
  items: number;
  /** Item response range, e.g. [0, 10] for SRS/ORS. */
  itemRange: [number, number];
  /** Range of the total score as the tool expects it. */
  range: Sourced<[number, number]>;
  /** True when totals are whole numbers (validate flags fractions). */
  integer: boolean;
  higherIsBetter: boolean;
  /** Citation for the direction (which end of the scale is better). */
  directionSource: string;
  /**
   * Clinical cutoff on the total score. For outcome measures: the boundary between
   * clinical and non-clinical (`clinicalIf` says which side is clinical). For alliance
   * measures: the concern threshold (alliance below it is an alert).
   */
  cutoff?: Sourced<number> & { clinicalIf: '<' | '>=' | '>' | '<=' };
  /** Reliable change in points of the total score. */
  reliableChange?: Sourced<number>;
  /** Alliance drop between consecutive sessions that is an alert (points). */
  allianceDrop?: Sourced<number>;
  /** Header spellings that bind a column to this instrument (normalised: lowercase, alnum only). */
  aliases: string[];
  /** Known scoring variants, for the "likely scoring variant" check. */
  variants?: { name: string; range: [number, number]; note: string }[];
  notes?: string;
}
