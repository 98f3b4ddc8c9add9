/**
 * The ruptures section: `alliance ruptures` and the report's ruptures section (run when
 * listed under report.sections). The JSON shape and the definitions are documented in
 * docs/ruptures.md.
 */
import { UserError } from '../../errors.js';
import { analyzeRuptures, type RupturesOptions, type RupturesResult } from '../../analysis/ruptures.js';
import { checkSection } from '../../config/keys.js';
import { rupturesDocument } from './document.js';
import { rupturesCharts } from '../../report/html/charts.js';
import { byNeeds, checkByTherapist, type Section } from '../section.js';
import { rupturesOptions, SECTION_KEYS } from './options.js';

export const rupturesSection: Section<RupturesOptions, RupturesResult> = {
  name: 'ruptures',
  keys: SECTION_KEYS,
  reportDefault: false,
  options(src) {
    const config = src.config;
    const sec = config?.sections.ruptures;
    if (src.mode === 'report') {
      const r = src.report!;
      return checkSection(sec ?? {}, 'ruptures', SECTION_KEYS, r.at, (s) => {
        if (s.clients !== undefined) throw new UserError("client tables are set by 'report.clientTables', not 'ruptures.clients'");
        return rupturesOptions({}, { minClients: r.minClients, ...s, clients: r.clientTables }, new Set(), config!.path, config!.lines, true);
      });
    }
    // Flags first (their errors name the flag), then the config section under them.
    const explicit = new Set(src.explicit);
    const fromFlags = rupturesOptions(src.flags, {}, explicit);
    if (!sec || !config) return fromFlags;
    return rupturesOptions(src.flags, sec, explicit, config.path, config.lines);
  },
  groups: (opts) => byNeeds(opts.by),
  check(dataset, opts, src) {
    // (In a report, every section's --by therapist is checked where the input is opened.)
    if (src.mode === 'command') checkByTherapist(dataset, opts.by);
  },
  run: (dataset, opts) => analyzeRuptures(dataset, opts),
  document: (result, dataset, opts, ctx) => rupturesDocument(result, dataset, opts, ctx.mode),
  html: {
    id: 'ruptures',
    heading: 'Alliance ruptures and repair',
    intro: () => [
      "A rupture is a marked drop in a client's alliance rating from one rated session to the next; it is repaired when the rating returns to its earlier level within a few sessions. The exact rule and its thresholds are under the episodes table. Only aggregates are drawn.",
    ],
  },
  charts: (result, firstId) => rupturesCharts(result, firstId),
  minClients: (opts) => opts.minClients ?? null,
  references: [
    'Stiles, W. B., Glick, M. J., Osatuke, K., Hardy, G. E., Shapiro, D. A., Agnew-Davies, R., Rees, A., & Barkham, M. (2004). Patterns of alliance development and the rupture-repair hypothesis: Are productive relationships U-shaped or V-shaped? Journal of Counseling Psychology, 51(1), 81-92. doi:10.1037/0022-0167.51.1.81 (rupture-repair sequences; the default drop here is not their rule, see docs/ruptures.md).',
    'Eubanks, C. F., Muran, J. C., & Safran, J. D. (2018). Alliance rupture repair: A meta-analysis. Psychotherapy, 55(4), 508-519. doi:10.1037/pst0000185 (rupture repair and outcome).',
    'Welch, B. L. (1947). The generalization of "Student\'s" problem when several different population variances are involved. Biometrika, 34(1-2), 28-35. doi:10.1093/biomet/34.1-2.28 (outcome change by class).',
  ],
};
