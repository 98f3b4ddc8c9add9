/**
 * The correlate section: `alliance correlate` and the report's correlate section. The
 * JSON shape is documented in docs/correlate.md.
 */
import { runCorrelate, type CorrelateOptions, type CorrelateReport } from '../../analysis/correlate/index.js';
import { checkKeys, checkSection, configPlace } from '../../config/keys.js';
import { correlateDocument } from './document.js';
import { correlateCharts } from '../../report/html/charts.js';
import { correlateManuscript } from '../../report/manuscript/correlate.js';
import { correlateCards } from '../../report/cards.js';
import { byNeeds, type Section } from '../section.js';
import { correlateOptions, SECTION_KEYS } from './options.js';

export const correlateSection: Section<CorrelateOptions, CorrelateReport> = {
  name: 'correlate',
  keys: SECTION_KEYS,
  reportDefault: true,
  // Measured on the 1M-row bench file (README Performance); portable: yes, plain data.
  readCost: { seconds: 0.15, portable: true },
  options(src) {
    const sec = src.config?.sections.correlate;
    if (src.mode === 'report') {
      const minDefault = { minClients: src.report!.minClients };
      const at = src.report!.at;
      return checkSection(sec ?? {}, 'correlate', SECTION_KEYS, at, (s) =>
        correlateOptions({ format: 'table' }, { ...minDefault, ...s }, new Set(), { section: 'correlate', at, only: true }),
      );
    }
    // Flags first (their errors name the flag), then the config section under them.
    const fromFlags = correlateOptions(src.flags, {}, new Set(src.explicit));
    if (!sec || !src.config) return fromFlags;
    checkKeys(sec, { section: 'correlate', known: SECTION_KEYS, at: configPlace(src.config) });
    return correlateOptions(src.flags, sec, new Set(src.explicit), { section: 'correlate', at: configPlace(src.config) });
  },
  groups: (opts) => byNeeds(opts.by),
  run: (dataset, opts) => runCorrelate(dataset, opts),
  document: (report, dataset) => correlateDocument(report, dataset),
  manuscript: (report, dataset) => correlateManuscript(report, dataset),
  html: {
    id: 'correlations',
    heading: 'Alliance and outcome',
    intro: () => [
      'How strongly alliance scores go with outcome scores, at each level: across all sessions (pooled), between clients (client averages), within clients (session to session), and early alliance with later outcome.',
    ],
  },
  charts: correlateCharts,
  headlines: (c, ctx) => correlateCards(c, ctx.name),
  minClients: (opts) => opts.minClients,
  references: [
    'Bakdash, J. Z., & Marusich, L. R. (2017). Repeated measures correlation. Frontiers in Psychology, 8, 456. doi:10.3389/fpsyg.2017.00456 (within-client correlation, rmcorr).',
    'Flückiger, C., Del Re, A. C., Wampold, B. E., & Horvath, A. O. (2018). The alliance in adult psychotherapy: A meta-analytic synthesis. Psychotherapy, 55(4), 316-340. doi:10.1037/pst0000172 (benchmark r = .278).',
    'Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal of Statistics, 6(2), 65-70 (adjusted p).',
    'Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate. Journal of the Royal Statistical Society B, 57(1), 289-300. doi:10.1111/j.2517-6161.1995.tb02031.x (BH adjustment, when chosen).',
  ],
};
