/**
 * The describe section: `alliance describe` and the report's data section — what an
 * export holds, and which column was taken for what. It has no options: a `describe:`
 * config section may hold no keys.
 */
import { describe, type DescribeResult } from '../../analysis/describe.js';
import { checkKeys, configPlace } from '../../config/keys.js';
import { describeDocument } from './document.js';
import { describeManuscript } from '../../report/manuscript/describe.js';
import { toFixedR } from '../../report/number.js';
import { NO_DATA } from '../../report/html/page.js';
import type { Section } from '../section.js';

export const describeSection: Section<Record<string, never>, DescribeResult> = {
  name: 'describe',
  keys: [],
  reportDefault: true,
  // Measured on the 1M-row bench file (README Performance); portable: yes, plain data.
  readCost: { seconds: 0.1, portable: true },
  options(src) {
    const sec = src.config?.sections.describe;
    if (sec && src.config)
      checkKeys(sec, {
        section: 'describe',
        known: [],
        at: src.report?.at ?? configPlace(src.config),
        hint: 'The describe section accepts no keys (describe has no options)',
      });
    return {};
  },
  run: (dataset) => describe(dataset),
  manuscript: (result, dataset) => describeManuscript(result, dataset),
  document(result, dataset, _opts, ctx) {
    const doc = describeDocument(result, dataset);
    if (ctx.filtered) {
      // The scanner counts missing and unusable cells for the whole input; say so.
      const measures = doc.tables.find((t) => t.id === 'measures');
      measures?.notes?.push(
        'With filters: n, mean, SD, min, max and intake figures cover the selected sessions; the missing and unusable counts cover the whole input.',
      );
    }
    return doc;
  },
  html: { id: 'data', heading: 'Data' },
  headlinesFirst: true,
  headlines(d) {
    if (d.clients === 0) return [{ label: 'clients', value: NO_DATA, detail: 'The export has no session rows (after the filters).' }];
    const out = [{ label: 'clients', value: String(d.clients), detail: `${d.rows} sessions, ${d.therapists} therapists` }];
    if (d.dateSpan)
      out.push({
        label: 'period',
        value: `${d.dateSpan.first.slice(0, 7)} to ${d.dateSpan.last.slice(0, 7)}`,
        detail: `${d.dateSpan.first} to ${d.dateSpan.last}`,
      });
    if (d.sessionsPerClient)
      out.push({ label: 'sessions per client', value: toFixedR(d.sessionsPerClient.mean, 1), detail: `median ${d.sessionsPerClient.median}` });
    return out;
  },
  references: [],
};
