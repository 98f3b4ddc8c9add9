/**
 * Warnings about the results (a Simpson's paradox, a biased estimator, a missing instrument),
 * kept apart from method notes: every renderer shows them after the notes, prefixed
 * "warning:" (in colour on a terminal, in a highlighted box in HTML), never dimmed.
 *
 * The same warning for several groups (one Simpson's paradox per therapist) is shown as one
 * line naming the groups; HTML lists each group's full sentence in a <details> element.
 */
import type { DocWarning } from './model.js';

export interface WarningLine {
  /** The line shown, without the "warning:" prefix and without a final period. */
  text: string;
  /** The full sentences a collapsed line stands for (empty when it stands for one warning). */
  details: string[];
}

const stripStop = (s: string): string => s.replace(/\.$/, '');

/** Groups the warnings that share a code and a summary; keeps the order of first appearance. */
export function collapseWarnings(warnings: readonly DocWarning[]): WarningLine[] {
  const byKey = new Map<string, DocWarning[]>();
  const order: (DocWarning | string)[] = [];
  for (const w of warnings) {
    if (!w.group) {
      order.push(w);
      continue;
    }
    const key = `${w.code}\u0000${w.group.column}\u0000${w.group.summary}`;
    const list = byKey.get(key);
    if (list) list.push(w);
    else {
      byKey.set(key, [w]);
      order.push(key);
    }
  }
  return order.map((item) => {
    if (typeof item !== 'string') return { text: stripStop(item.message), details: [] };
    const list = byKey.get(item) ?? [];
    if (list.length === 1) return { text: stripStop(list[0].message), details: [] };
    const g = list[0].group!;
    return {
      text: `${stripStop(g.summary)}; in ${list.length} groups of ${g.column}: ${list.map((w) => w.group!.value).join(', ')}`,
      details: list.map((w) => stripStop(w.message)),
    };
  });
}
