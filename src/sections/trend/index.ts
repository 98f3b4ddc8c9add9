/**
 * The trend section: `alliance trend` and the report's trend section. The JSON shape and
 * the methods are documented in docs/trend.md.
 */
import { UserError, headerLocation } from '../../errors.js';
import { analyzeTrend, type TrendOptions, type TrendResult } from '../../analysis/trend/trend.js';
import { checkSection } from '../../config/keys.js';
import { trendDocument } from './document.js';
import { trendManuscript } from '../../report/manuscript/trend.js';
import { trendCharts } from '../../report/html/charts.js';
import { trendCards } from '../../report/cards.js';
import { byNeeds, checkByTherapist, type Section } from '../section.js';
import { readTable } from '../../config/option-table.js';
import { SECTION_KEYS, TREND_TABLE, trendOptions, trendRunOptions } from './options.js';

export const trendSection: Section<TrendOptions, TrendResult> = {
  name: 'trend',
  keys: SECTION_KEYS,
  reportDefault: true,
  // Measured on the 1M-row bench file (README Performance); portable: no, its client rows (--clients, clientTables) are made on demand, not data.
  readCost: { seconds: 0.28, portable: false },
  options(src) {
    const config = src.config;
    const sec = config?.sections.trend;
    if (src.mode === 'report') {
      const r = src.report!;
      return checkSection(sec ?? {}, 'trend', SECTION_KEYS, r.at, (s) => {
        if (s.clients !== undefined) throw new UserError("client tables are set by 'report.clientTables', not 'trend.clients'");
        return trendOptions({ format: 'table' }, { minClients: r.minClients, ...s, clients: r.clientTables }, new Set(), config!.path, config!.lines, true);
      });
    }
    // Flags first (a bad value names its flag), then the config section under them. The
    // checks across options (--pre with --post, --cutoff b with the norms, --sd with
    // --reliability) run on the merged options only: one half of a pair may stand in the
    // config and the other on the command line.
    const explicit = new Set(src.explicit);
    if (!sec || !config) return trendOptions(src.flags, {}, explicit);
    readTable(TREND_TABLE, { flags: src.flags, explicit });
    return trendOptions(src.flags, sec, explicit, config.path, config.lines);
  },
  groups: (opts) => byNeeds(opts.by),
  check(dataset, opts, src) {
    const m = dataset.mapping;
    const report = src.mode === 'report';
    const cfg = src.config;
    if (!m.measures.some((x) => x.role === 'outcome') && !m.measures.some((x) => x.role === 'alliance')) {
      throw new UserError('no alliance or outcome column found', {
        location: report ? { file: cfg!.path } : headerLocation(dataset.files[0]),
        hint: report ? 'Name them with alliance: COL and/or outcome: COL' : 'Name them with --alliance COL and/or --outcome COL',
      });
    }
    if (opts.period && !m.date) {
      if (report) {
        throw new UserError('trend.period needs session dates, and no date column was found', {
          location: { file: cfg!.path, line: src.report!.at.line('trend.period') },
          hint: 'Name it with date: COL',
        });
      }
      throw new UserError('--period needs session dates, and no date column was found', {
        location: headerLocation(dataset.files[0]),
        hint: 'Name it with --date COL',
      });
    }
    // (In a report, every section's --by therapist is checked where the input is opened.)
    if (!report) checkByTherapist(dataset, opts.by);
  },
  run: (dataset, opts) => analyzeTrend(dataset, trendRunOptions(opts)),
  manuscript: (result, dataset, opts) => trendManuscript(result, dataset, opts),
  document: (result, dataset, opts) => trendDocument(result, dataset, opts),
  html: { id: 'trends', heading: 'Trends, change and alerts' },
  charts: trendCharts,
  headlines: (t, ctx) => trendCards(t, ctx.name),
  minClients: (opts) => opts.minClients ?? null,
  references: [
    'Jacobson, N. S., & Truax, P. (1991). Clinical significance: A statistical approach to defining meaningful change in psychotherapy research. Journal of Consulting and Clinical Psychology, 59(1), 12-19. doi:10.1037/0022-006X.59.1.12 (reliable and clinically significant change).',
    'Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference. Journal of the American Statistical Association, 22(158), 209-212. doi:10.1080/01621459.1927.10502953 (intervals for shares).',
    'Instrument cut-offs and reliable-change thresholds: see the sources named in the trend notes (alliance instruments registry, `alliance instruments`).',
  ],
};
