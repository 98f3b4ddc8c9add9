/**
 * `alliance trend FILE...`: client trajectories, reliable and clinically significant
 * change, alliance alerts, not-on-track flags and cohort series by period or group. The
 * JSON shape and the methods are documented in docs/trend.md.
 */
import type { Command } from 'commander';
import { buildCommand, type CommandContext } from '../command.js';
import { COLOR_OPTIONS, FORMAT_OPTION, INPUT_OPTIONS, explicitOptions, type OptionSpec } from '../options.js';
import { decideColor, makeChalk } from '../color.js';
import { loadInput } from '../input.js';
import { UserError } from '../../errors.js';
import { analyzeTrend, type CohortStats, type Period, type TrendOptions, type TrendResult } from '../../analysis/trend/trend.js';
import { CHANGE_CATEGORIES } from '../../analysis/change.js';
import { sparkline } from '../../analysis/trend/sparkline.js';
import { F, type Cell, type Column, type ResultDocument, type TableModel } from '../../report/model.js';
import { render, type OutputFormat } from '../../report/render.js';
import { toFixedR } from '../../report/number.js';
import type { Dataset } from '../../dataset/types.js';

interface TrendFlags {
  format: OutputFormat;
  color?: boolean;
  groups?: string[];
  [key: string]: unknown;
}

const TREND_OPTIONS: OptionSpec[] = [
  { flags: '--clients', description: 'add the per-client table (and make it the --format csv output)' },
  { flags: '--pre <session>', description: 'pre time point: session number (with --post; default: first session with an outcome)' },
  { flags: '--post <session>', description: 'post time point: session number (with --pre; default: last session with an outcome)' },
  { flags: '--rc-threshold <points>', description: "reliable change in points (default: the outcome instrument's)" },
  { flags: '--reliability <r_xx>', description: 'use the Jacobson-Truax RCI with this reliability instead of a points threshold' },
  { flags: '--sd <sd>', description: 'SD of pre scores for the RCI (default: from the data)' },
  { flags: '--cutoff <type>', description: 'Jacobson-Truax clinical cut-off a, b or c (default: the instrument cut-off)', choices: ['a', 'b', 'c'] },
  { flags: '--functional-mean <m>', description: 'functional (non-clinical) population mean, for cut-offs b and c' },
  { flags: '--functional-sd <sd>', description: 'functional population SD, for cut-offs b and c' },
  { flags: '--clinical-mean <m>', description: 'clinical population mean (default: mean of pre scores)' },
  { flags: '--clinical-sd <sd>', description: 'clinical population SD (default: SD of pre scores)' },
  { flags: '--better <dir>', description: 'better direction of the outcome when it has no instrument: higher or lower', choices: ['higher', 'lower'] },
  { flags: '--alliance-cutoff <score>', description: "alliance below this is an alert (default: the instrument's, SRS 36)" },
  { flags: '--drop <points>', description: "alliance drop from the previous session that is an alert (default: the instrument's, SRS 1)" },
  { flags: '--ntp-quantile <q>', description: 'not on track: flag change below this quantile of the expected-response band (default 0.25)' },
  { flags: '--ntp-min-clients <n>', description: 'not on track: clients needed in a band cell before flagging against it (default 20)' },
  { flags: '--ntp-bands <k>', description: 'not on track: number of intake-severity bands, by intake quantiles (default 3)' },
  { flags: '--period <period>', description: 'cohort series by session date: month, quarter or year', choices: ['month', 'quarter', 'year'] },
  { flags: '--by <col>', description: 'cohort figures per therapist or group column, with confidence intervals' },
  { flags: '--min-clients <n>', description: 'suppress --by groups with fewer clients than this (default 5)' },
];

/** Config keys of the `trend:` section (camelCase; kebab-case accepted). */
export const SECTION_KEYS = [
  'clients',
  'pre',
  'post',
  'rcThreshold',
  'reliability',
  'sd',
  'cutoff',
  'functionalMean',
  'functionalSd',
  'clinicalMean',
  'clinicalSd',
  'better',
  'allianceCutoff',
  'drop',
  'ntpQuantile',
  'ntpMinClients',
  'ntpBands',
  'period',
  'by',
  'minClients',
];

const camel = (k: string): string => k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const flagName = (k: string): string => '--' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

function num(key: string, value: unknown, check: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean; integer?: boolean } = {}): number {
  const s = String(value).trim();
  const v = Number(s);
  const name = flagName(key);
  const ok =
    s !== '' &&
    Number.isFinite(v) &&
    (!check.integer || Number.isInteger(v)) &&
    (check.min === undefined || (check.minExclusive ? v > check.min : v >= check.min)) &&
    (check.max === undefined || (check.maxExclusive ? v < check.max : v <= check.max));
  if (!ok) {
    const range =
      check.min !== undefined && check.max !== undefined
        ? `between ${check.min} and ${check.max}${check.minExclusive || check.maxExclusive ? ' (exclusive)' : ''}`
        : check.min !== undefined
          ? `${check.minExclusive ? '>' : '>='} ${check.min}`
          : 'a number';
    throw new UserError(`${name} must be ${check.integer ? 'a whole number ' : ''}${range}, got "${s}"`, {
      hint: `For example ${name} ${check.integer ? Math.max(check.min ?? 1, 1) : check.max !== undefined && check.max <= 1 ? '0.8' : '5'}`,
    });
  }
  return v;
}

/** Flags (and the `trend:` config section; explicit flags win) -> analysis options. */
export function trendOptions(flags: TrendFlags, section: Record<string, unknown> = {}, explicit = new Set<string>(), configPath = 'config'): TrendOptions {
  const sec: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(section)) {
    const key = camel(k);
    if (!SECTION_KEYS.includes(key)) {
      throw new UserError(`unknown key '${k}' in the trend section of ${configPath}`, { hint: `Known keys: ${SECTION_KEYS.join(', ')}` });
    }
    sec[key] = v;
  }
  const pick = (key: string): unknown => (explicit.has(key) || sec[key] === undefined ? flags[key] : sec[key]);
  const o: TrendOptions = {};
  const n = (key: string, check?: Parameters<typeof num>[2]): number | undefined => {
    const v = pick(key);
    return v === undefined || v === null ? undefined : num(key, v, check);
  };
  o.clients = Boolean(pick('clients'));
  o.pre = n('pre');
  o.post = n('post');
  if ((o.pre === undefined) !== (o.post === undefined)) {
    throw new UserError('--pre and --post go together', { hint: 'Give both session numbers, e.g. --pre 1 --post 4' });
  }
  if (o.pre !== undefined && o.post !== undefined && !(o.post > o.pre)) {
    throw new UserError(`--post (${o.post}) must be a later session than --pre (${o.pre})`, { hint: 'For example --pre 1 --post 4' });
  }
  o.rcThreshold = n('rcThreshold', { min: 0, minExclusive: true });
  o.reliability = n('reliability', { min: 0, max: 1, maxExclusive: true });
  o.sd = n('sd', { min: 0, minExclusive: true });
  o.functionalMean = n('functionalMean');
  o.functionalSd = n('functionalSd', { min: 0, minExclusive: true });
  o.clinicalMean = n('clinicalMean');
  o.clinicalSd = n('clinicalSd', { min: 0, minExclusive: true });
  const cutoff = pick('cutoff');
  if (cutoff !== undefined) {
    if (!['a', 'b', 'c'].includes(String(cutoff))) throw new UserError(`--cutoff must be a, b or c, got "${String(cutoff)}"`);
    o.cutoff = String(cutoff) as 'a' | 'b' | 'c';
    if (o.cutoff !== 'a' && (o.functionalMean === undefined || o.functionalSd === undefined)) {
      throw new UserError(`--cutoff ${o.cutoff} needs the functional population's mean and SD`, {
        hint: 'Give --functional-mean and --functional-sd (published norms for the instrument), or use --cutoff a',
      });
    }
  } else if (o.functionalMean !== undefined || o.functionalSd !== undefined || o.clinicalMean !== undefined || o.clinicalSd !== undefined) {
    throw new UserError('population norms were given without --cutoff', { hint: 'Add --cutoff a, b or c to use them' });
  }
  if (o.sd !== undefined && o.reliability === undefined) {
    throw new UserError('--sd is only used with --reliability', { hint: 'Add --reliability r_xx for the Jacobson-Truax RCI, or drop --sd' });
  }
  if (o.rcThreshold !== undefined && o.reliability !== undefined) {
    throw new UserError('--rc-threshold and --reliability cannot be combined', { hint: 'Use a points threshold or the Jacobson-Truax RCI, not both' });
  }
  const better = pick('better');
  if (better !== undefined) {
    if (!['higher', 'lower'].includes(String(better))) throw new UserError(`--better must be higher or lower, got "${String(better)}"`);
    o.outcomeHigherIsBetter = better === 'higher';
  }
  o.allianceCutoff = n('allianceCutoff');
  o.drop = n('drop', { min: 0, minExclusive: true });
  o.ntpQuantile = n('ntpQuantile', { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  o.ntpMinClients = n('ntpMinClients', { min: 1, integer: true });
  o.ntpBands = n('ntpBands', { min: 1, max: 10, integer: true });
  const period = pick('period');
  if (period !== undefined) {
    if (!['month', 'quarter', 'year'].includes(String(period))) throw new UserError(`--period must be month, quarter or year, got "${String(period)}"`);
    o.period = String(period) as Period;
  }
  const by = pick('by');
  if (by !== undefined && String(by).trim() !== '') o.by = String(by).trim();
  o.minClients = n('minClients', { min: 1, integer: true });
  return o;
}

// ---------------------------------------------------------------------------------------
// Result document

const NE = 'n/e';

function cell(v: number | null | undefined): Cell {
  return v === null || v === undefined || !Number.isFinite(v) ? NE : v;
}

function list(xs: number[]): string {
  return xs.join(' ');
}

function cohortCells(s: CohortStats): Record<string, Cell> {
  return {
    sessions: s.sessions,
    clients: s.clients,
    alliance_mean: cell(s.allianceMean),
    alliance_below: cell(s.allianceBelowShare),
    outcome_mean: cell(s.outcomeMean),
    completed: s.completed,
    mean_change: cell(s.meanChange),
    mean_change_ci: s.meanChangeCi ?? NE,
    d: cell(s.d),
    dz: cell(s.dz),
    improved: cell(s.reliablyImproved.share),
    improved_ci: s.reliablyImproved.ci ?? NE,
    recovered: cell(s.recovered.share),
    recovered_ci: s.recovered.ci ?? NE,
    deteriorated: cell(s.deteriorated.share),
    deteriorated_ci: s.deteriorated.ci ?? NE,
  };
}

function cohortColumns(first: Column, allianceCut: number | null, hasAlliance: boolean, hasOutcome: boolean): Column[] {
  const cut = allianceCut === null ? 'cut-off' : String(allianceCut);
  const share = (key: string, header: string): Column[] => [
    { key, header, format: F.percent(1) },
    { key: `${key}_ci`, header: '95% CI', format: F.interval(3) },
  ];
  return [
    first,
    { key: 'sessions', header: 'sessions', format: F.int },
    { key: 'clients', header: 'clients', format: F.int },
    ...(hasAlliance
      ? [
          { key: 'alliance_mean', header: 'alliance', format: F.fixed(2) },
          { key: 'alliance_below', header: `< ${cut}`, format: F.percent(1) },
        ]
      : []),
    ...(hasOutcome
      ? [
          { key: 'outcome_mean', header: 'outcome', format: F.fixed(2) },
          { key: 'completed', header: 'n', format: F.int },
          { key: 'mean_change', header: 'change', format: F.fixed(2) },
          { key: 'mean_change_ci', header: '95% CI', format: F.interval(2) },
          { key: 'd', header: 'd', format: F.fixed(2) },
          { key: 'dz', header: 'd_z', format: F.fixed(2) },
          ...share('improved', 'improved'),
          ...share('recovered', 'recovered'),
          ...share('deteriorated', 'deteriorated'),
        ]
      : []),
  ];
}

const COHORT_LEGEND =
  'alliance: mean over rated sessions; < cut-off: share of rated sessions below the alliance cut-off; outcome: mean over scored sessions; n: clients with a change whose post session falls here; change: mean post - pre with t interval; d, d_z: pre-post effect sizes; improved (reliably improved, recovered included), recovered, deteriorated (harmed included): shares of clients with a classified change, Wilson score interval (R prop.test, correct = FALSE).';

function fmt(x: number | null, digits = 2): string {
  return x === null || !Number.isFinite(x) ? NE : toFixedR(x, digits);
}

function methodNotes(r: TrendResult): string[] {
  const m = r.methods;
  const notes: string[] = [];
  const oc = r.measures.outcome;
  if (!oc) notes.push('no outcome measure: change, clinical status and not-on-track flags are not assessed.');
  const dirWord = oc?.higherIsBetter === true ? 'higher is better' : oc?.higherIsBetter === false ? 'lower is better' : 'direction unknown';
  if (oc) notes.push(`outcome: ${oc.column}${oc.instrument ? ` (${oc.instrument})` : ''}, ${dirWord}; change = post - pre, so on a lower-is-better scale a negative change is improvement; d = mean change / SD of pre scores, d_z = mean change / SD of change.`);
  if (oc) notes.push(
    m.timePoints.mode === 'fixed'
      ? `time points: pre = session ${m.timePoints.pre}, post = session ${m.timePoints.post}; clients without an outcome at either are left out (counted below).`
      : 'time points: pre = the first session with an outcome (intake), post = the last session with an outcome; clients with one measurement are left out.',
  );
  const c = m.change;
  if (!oc) {
    // nothing more about change
  } else if (c.method === 'points') {
    notes.push(
      c.threshold !== null
        ? `reliable change: a change of >= ${c.threshold} points in the better direction is reliable improvement, >= ${c.threshold} in the worse direction reliable deterioration (${c.source}).`
        : `reliable change: not assessed (${c.reason}).`,
    );
  } else {
    notes.push(
      `reliable change: Jacobson & Truax (1991) RCI = (post - pre) / S_diff, S_diff = sqrt(2) * SD_pre * sqrt(1 - r_xx) = ${fmt(c.sDiff, 3)} (r_xx = ${c.reliability}, SD_pre = ${fmt(c.sdPre, 3)} ${c.sdSource === 'data' ? 'from the pre scores of the clients used' : 'as given'}); reliable when |RCI| > ${toFixedR(c.critical, 6)} (qnorm(0.975), as the clinicalsignificance R package).` +
        (c.reason ? ` Not assessed: ${c.reason}.` : ''),
    );
  }
  const cl = m.clinical;
  if (!oc) {
    // no clinical status without an outcome
  } else if (cl.source === 'instrument') notes.push(`clinical: score ${cl.clinicalIf} ${cl.cutoff} (${cl.citation}); recovered = reliably improved, clinical at pre and not at post; harmed = reliably deteriorated, not clinical at pre and clinical at post.`);
  else if (cl.source === 'jacobson-truax') {
    const clin = `clinical M ${fmt(cl.clinicalMean, 3)} SD ${fmt(cl.clinicalSd, 3)} (${cl.clinicalNormsSource === 'data' ? 'pre scores' : 'given'})`;
    const func = cl.functionalMean !== null ? `; functional M ${fmt(cl.functionalMean, 3)} SD ${fmt(cl.functionalSd, 3)}` : '';
    const norms = clin + func;
    notes.push(
      `clinical: Jacobson-Truax cut-off ${cl.type} = ${fmt(cl.cutoff, 3)} (${norms}); clinical at pre and functional at post are strict inequalities as in clinicalsignificance; categories recovered / improved / unchanged / deteriorated / harmed as that package names them.` +
        (cl.reason ? ` Not available: ${cl.reason}.` : ''),
    );
  } else notes.push(`clinical: ${cl.reason}; recovered and harmed are not assessed.`);
  const a = m.allianceAlerts;
  if (r.measures.alliance) {
    notes.push(
      `alliance alerts: sessions with ${r.measures.alliance.column} below ${a.cutoff ?? '(no cut-off)'} (${a.cutoffSource}); drops of >= ${a.drop ?? '(none)'} point(s) from the previous rated session (${a.dropSource}).`,
    );
  }
  const t = m.notOnTrack;
  if (!oc) {
    // no expected-response band without an outcome
  } else if (t.reason) notes.push(`not on track: not assessed (${t.reason}).`);
  else {
    notes.push(
      `not on track: an expected-treatment-response band built from this data. Clients are split into ${t.bands} intake-severity band(s) by quantiles of intake${t.bandLimits.length ? ` (limits ${t.bandLimits.map((x) => fmt(x, 2)).join(', ')}; ties go to the lower band)` : ''}. For each band and number of sessions since intake, the change so far (oriented so positive = better) of every client with an outcome there forms the band; a client is flagged at a session where their change is below the band's ${t.quantile} quantile (R type 7), only where the band has >= ${t.minClients} clients (${t.cellsUsed} band cells used, ${t.cellsTooSmall} too small). Each client is part of their own band.`,
    );
  }
  notes.push('clients are attributed to the period and group of their post session; sessions to their own date and group. Shares of sessions below the alliance cut-off count rated sessions.');
  return notes;
}

/** camelCase keys -> snake_case, recursively (the JSON output convention). */
function snake(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(snake);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())] = snake(x);
    return out;
  }
  return v;
}

export function trendDocument(r: TrendResult, dataset: Dataset, o: TrendOptions): ResultDocument {
  const tables: TableModel[] = [];
  const s = r.summary;
  const aCut = r.methods.allianceAlerts.cutoff;
  const hasAlliance = r.measures.alliance !== null;
  const hasOutcome = r.measures.outcome !== null;

  // Change categories.
  const used = s.used;
  const catRows: Record<string, Cell>[] = CHANGE_CATEGORIES.map((c) => ({
    category: c,
    clients: s.categories[c],
    share: used > 0 && r.methods.change.reason === undefined ? s.categories[c] / used : NE,
  }));
  const ex = s.excluded;
  const exParts =
    r.methods.timePoints.mode === 'fixed'
      ? `${ex.missingPre} without an outcome at the pre session, ${ex.missingPost} without one at the post session`
      : `${ex.oneMeasurement} with one outcome measurement, ${ex.noOutcome} with none`;
  if (hasOutcome) tables.push({
    id: 'change',
    title: 'Reliable and clinically significant change',
    columns: [
      { key: 'category', header: 'category' },
      { key: 'clients', header: 'clients', format: F.int },
      { key: 'share', header: 'share', format: F.percent(1) },
    ],
    rows: catRows,
    notes: [
      `${used} of ${r.clients} clients used; ${ex.total} left out (${exParts}).`,
      ...(r.methods.change.reason ? [`reliable change not assessed: ${r.methods.change.reason}.`] : []),
    ],
  });

  // Cohort: per period and overall.
  const cohortRows: Record<string, Cell>[] = [];
  if (r.periods) for (const p of r.periods.rows) cohortRows.push({ period: p.period, ...cohortCells(p) });
  cohortRows.push({ period: 'all', ...cohortCells(s.overall) });
  const cohortNotes: string[] = [];
  if (r.periods && (r.periods.sessionsWithoutDate > 0 || r.periods.clientsWithoutPostDate > 0)) {
    cohortNotes.push(`${r.periods.sessionsWithoutDate} session(s) and ${r.periods.clientsWithoutPostDate} client post session(s) have no date and are only in 'all'.`);
  }
  cohortNotes.push(COHORT_LEGEND);
  tables.push({
    id: 'cohort',
    title: r.periods ? `Cohort by ${r.periods.period}` : 'Cohort',
    columns: cohortColumns({ key: 'period', header: r.periods ? r.periods.period : 'period' }, aCut, hasAlliance, hasOutcome),
    rows: cohortRows,
    notes: cohortNotes,
  });

  // Sparklines of the cohort series.
  if (r.periods && r.periods.rows.length > 0) {
    const rows = r.periods.rows;
    // [label, value, the measure it needs]
    const all: [string, (p: CohortStats) => number | null, 'alliance' | 'outcome' | null][] = [
      ['sessions', (p) => p.sessions, null],
      ['clients', (p) => p.clients, null],
      ['mean alliance', (p) => p.allianceMean, 'alliance'],
      [`alliance < ${aCut ?? 'cut-off'} (share)`, (p) => p.allianceBelowShare, 'alliance'],
      ['mean outcome', (p) => p.outcomeMean, 'outcome'],
      ['mean change', (p) => p.meanChange, 'outcome'],
      ['reliably improved (share)', (p) => p.reliablyImproved.share, 'outcome'],
      ['recovered (share)', (p) => p.recovered.share, 'outcome'],
      ['deteriorated (share)', (p) => p.deteriorated.share, 'outcome'],
    ];
    const series = all.filter(([, , needs]) => needs === null || (needs === 'alliance' ? hasAlliance : hasOutcome));
    tables.push({
      id: 'series',
      title: `Series by ${r.periods.period} (${rows[0].period} to ${rows[rows.length - 1].period})`,
      columns: [
        { key: 'series', header: 'series' },
        { key: 'trend', header: 'trend' },
        { key: 'first', header: 'first', format: F.fixed(3) },
        { key: 'last', header: 'last', format: F.fixed(3) },
        { key: 'min', header: 'min', format: F.fixed(3) },
        { key: 'max', header: 'max', format: F.fixed(3) },
      ],
      rows: series.map(([name, get]) => {
        const v = rows.map((p) => get(p) ?? NaN);
        const fin = v.filter(Number.isFinite);
        return {
          series: name,
          trend: sparkline(v),
          first: cell(fin.length ? fin[0] : null),
          last: cell(fin.length ? fin[fin.length - 1] : null),
          min: cell(fin.length ? Math.min(...fin) : null),
          max: cell(fin.length ? Math.max(...fin) : null),
        };
      }),
      notes: ['each sparkline is scaled from its own minimum to maximum; a blank is a period where the figure is not estimable.'],
    });
  }

  // Groups.
  if (r.groups) {
    const g = r.groups;
    const notes = [
      'rows in alphabetical order, not a ranking: compare groups by their confidence intervals, which are wide for small groups.',
      COHORT_LEGEND,
    ];
    if (g.suppressed.length > 0) notes.unshift(`suppressed (fewer than ${g.minClients} clients): ${g.suppressed.join(', ')}.`);
    if (g.missingLevel > 0) notes.push(`${g.missingLevel} session(s) without a ${g.by} value are left out of this table.`);
    tables.push({
      id: 'groups',
      title: `By ${g.by}`,
      columns: cohortColumns({ key: 'group', header: g.by }, aCut, hasAlliance, hasOutcome),
      rows: g.rows.map((row) => ({ group: row.group, ...cohortCells(row) })),
      notes,
    });
  }

  // Alerts.
  const al = s.allianceAlerts;
  const nt = s.notOnTrack;
  const alertRows: Record<string, Cell>[] = [];
  if (hasAlliance) {
    const noCut = aCut === null;
    const noDrop = r.methods.allianceAlerts.drop === null;
    alertRows.push(
      { alert: `alliance below ${aCut ?? 'cut-off'}`, clients: noCut ? NE : al.clientsBelowCutoff, events: noCut ? NE : al.sessionsBelowCutoff },
      { alert: `alliance drop >= ${r.methods.allianceAlerts.drop ?? '?'}`, clients: noDrop ? NE : al.clientsWithDrop, events: noDrop ? NE : al.drops },
    );
  }
  if (hasOutcome) {
    const no = r.methods.notOnTrack.reason !== undefined;
    alertRows.push(
      { alert: 'not on track (ever)', clients: no ? NE : nt.clientsFlagged, events: no ? NE : nt.flags },
      { alert: 'not on track (at last assessed session)', clients: no ? NE : nt.clientsCurrentlyFlagged, events: NE },
    );
  }
  tables.push({
    id: 'alerts',
    title: 'Alerts',
    columns: [
      { key: 'alert', header: 'alert' },
      { key: 'clients', header: 'clients', format: F.int },
      { key: 'events', header: 'sessions', format: F.int },
    ],
    rows: alertRows,
  });

  // Clients.
  if (r.clientRows) {
    const aBind = dataset.mapping.measures.find((m) => m.role === 'alliance');
    const oBind = dataset.mapping.measures.find((m) => m.role === 'outcome');
    const aRange = aBind?.instrument?.range.value;
    const oRange = oBind?.instrument?.range.value;
    const jt = r.methods.change.method === 'jacobson-truax';
    tables.push({
      id: 'clients',
      title: 'Clients',
      columns: [
        { key: 'client', header: 'client' },
        { key: 'sessions', header: 'sessions', format: F.int },
        { key: 'first_session', header: 'first', format: F.int },
        { key: 'last_session', header: 'last', format: F.int },
        { key: 'first_date', header: 'first date' },
        { key: 'last_date', header: 'last date' },
        ...(hasAlliance
          ? [
              { key: 'alliance_mean', header: 'mean alliance', format: F.fixed(2) },
              { key: 'alliance_slope', header: 'alliance slope', format: F.fixed(3) },
              { key: 'alliance_trend', header: 'alliance' },
              { key: 'alliance_below', header: 'below cut-off at' },
              { key: 'alliance_drops', header: 'drops at' },
            ]
          : []),
        ...(hasOutcome
          ? [
              { key: 'pre', header: 'pre', format: F.fixed(1) },
              { key: 'post', header: 'post', format: F.fixed(1) },
              { key: 'change', header: 'change', format: F.fixed(1) },
              ...(jt ? [{ key: 'rci', header: 'RCI', format: F.fixed(2) }] : []),
              { key: 'category', header: 'category' },
              { key: 'outcome_slope', header: 'outcome slope', format: F.fixed(3) },
              { key: 'outcome_trend', header: 'outcome' },
              { key: 'not_on_track', header: 'not on track at' },
            ]
          : []),
      ],
      rows: r.clientRows.map((c) => ({
        client: c.client,
        sessions: c.sessions,
        first_session: c.firstSession,
        last_session: c.lastSession,
        first_date: c.firstDate ?? '',
        last_date: c.lastDate ?? '',
        alliance_mean: cell(c.alliance.mean),
        alliance_slope: cell(c.alliance.slope),
        alliance_trend: sparkline(c.series.alliance, aRange?.[0], aRange?.[1]),
        alliance_below: list(c.alliance.belowCutoff),
        alliance_drops: list(c.alliance.drops),
        pre: cell(c.change.pre),
        post: cell(c.change.post),
        change: cell(c.change.change),
        rci: cell(c.change.rci),
        category: c.change.category ?? NE,
        outcome_slope: cell(c.outcome.slope),
        outcome_trend: sparkline(c.series.outcome, oRange?.[0], oRange?.[1]),
        not_on_track: list(c.notOnTrack.sessions),
      })),
      notes: [
        'trajectories: one block per session in session order, scaled to the instrument range (else the client\'s own range); a blank is a session without a value. Slopes: OLS over session number (>= 2 rated sessions).',
      ],
    });
  }

  const notes = methodNotes(r);
  const m = dataset.mapping;
  const measures = [r.measures.alliance, r.measures.outcome]
    .filter((x) => x !== null)
    .map((x) => `${x!.column}${x!.instrument ? ` (${x!.instrument})` : ''}`);
  return {
    title: 'alliance trend',
    preface: [
      `files: ${dataset.files.map((f) => f.display).join(', ')}`,
      `rows: ${r.rows}, clients: ${r.clients}; measures: ${measures.join(', ')}${r.measures.ignored.length ? ` (not used here: ${r.measures.ignored.join(', ')})` : ''}`,
      ...m.notes,
    ],
    tables,
    notes: [...notes, `${NE} = not estimable (the JSON output gives the reason).`],
    csvTable: r.clientRows ? 'clients' : r.groups ? 'groups' : 'cohort',
    json: snake({
      command: 'trend',
      schema: 1,
      options: { ...o, clients: Boolean(o.clients) },
      input: { files: dataset.files.map((f) => ({ path: f.display, rows: f.rows })), rows: r.rows, clients: r.clients },
      mapping: {
        client: m.client.name,
        session: m.session?.name ?? null,
        date: m.date?.name ?? null,
        therapist: m.therapist?.name ?? null,
        sessionSource: m.sessionSource,
        notes: m.notes,
      },
      measures: r.measures,
      methods: r.methods,
      summary: r.summary,
      periods: r.periods,
      groups: r.groups,
      clients: r.clientRows,
      notes,
    }),
  };
}

export function trendCommand(ctx: CommandContext): Command {
  return buildCommand<TrendFlags>(
    {
      name: 'trend',
      summary: 'client trajectories, reliable change, alliance alerts, not-on-track flags, cohort trends',
      args: '[files...]',
      options: [...INPUT_OPTIONS, ...TREND_OPTIONS, FORMAT_OPTION, ...COLOR_OPTIONS],
      examples: [
        'alliance trend sessions.csv --period month',
        'alliance trend sessions.csv --clients --format csv > clients.csv',
        'alliance trend sessions.csv --by therapist --min-clients 10',
        'alliance trend trial.csv --outcome bdi --instrument bdi=BDI-II --pre 1 --post 4 --reliability 0.801 --cutoff c --functional-mean 7.69 --functional-sd 7.52',
      ],
      async run(files, flags, cmd, io) {
        const explicit = explicitOptions(cmd);
        let opts = trendOptions(flags, {}, explicit);
        // The --by column must be read: add it to the grouping columns unless it is the therapist.
        if (opts.by && opts.by.toLowerCase() !== 'therapist') {
          const groups = flags.groups ?? [];
          if (!groups.includes(opts.by)) flags.groups = [...groups, opts.by];
        }
        const { dataset, config } = await loadInput(files, flags, cmd, io);
        const section = config?.sections?.trend;
        if (section) opts = trendOptions(flags, section, explicit, config!.path);
        const m = dataset.mapping;
        if (!m.measures.some((x) => x.role === 'outcome') && !m.measures.some((x) => x.role === 'alliance')) {
          throw new UserError('no alliance or outcome column found', { hint: 'Name them with --alliance COL and/or --outcome COL' });
        }
        if (opts.period && !m.date) {
          throw new UserError('--period needs session dates, and no date column was found', { hint: 'Name it with --date COL' });
        }
        if (opts.by && opts.by.toLowerCase() === 'therapist' && !m.therapist) {
          throw new UserError('--by therapist needs a therapist column, and none was found', { hint: 'Name it with --therapist COL' });
        }
        const result = await analyzeTrend(dataset, opts);
        const color = decideColor(flags.color, io);
        io.stdout.write(render(trendDocument(result, dataset, opts), flags.format, makeChalk(color), color));
        return 0;
      },
    },
    ctx,
  );
}
