/**
 * One meaning per word, in every table, chart, card and note of the outputs (issue 13):
 * "reliably improved" always includes the recovered clients and "reliably deteriorated"
 * the harmed ones; the mutually exclusive change categories say what they leave out. The
 * JSON keeps the analysis's category keys (`improved`, ...; docs/trend.md).
 */
import type { ChangeCategory } from '../analysis/change.js';

/** The change categories as people read them (each client is in exactly one). */
export const CATEGORY_LABEL: Record<ChangeCategory, string> = {
  recovered: 'recovered',
  improved: 'reliably improved, not recovered',
  unchanged: 'no reliable change',
  deteriorated: 'reliably deteriorated, not harmed',
  harmed: 'harmed',
};

/** The shares that combine categories (cohort tables, cards, charts). */
export const SHARE_LABEL = {
  reliablyImproved: 'reliably improved (incl. recovered)',
  recovered: 'recovered',
  deteriorated: 'reliably deteriorated (incl. harmed)',
} as const;

/** Short column headers for the same shares, explained by the table's legend. */
export const SHARE_HEADER = {
  reliablyImproved: 'reliably improved',
  recovered: 'recovered',
  deteriorated: 'reliably deteriorated',
} as const;

/** The definitions, as the legends and notes state them. */
export const SHARE_DEFINITIONS =
  'reliably improved: a reliable change in the better direction, recovered clients included; recovered: reliably improved, clinical at pre and not at post; reliably deteriorated: a reliable change in the worse direction, harmed clients included; harmed: reliably deteriorated, not clinical at pre and clinical at post';
