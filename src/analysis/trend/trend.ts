/**
 * `alliance trend`: per-client trajectories, reliable and clinically significant change,
 * alliance alerts, "not on track" flags against an expected-treatment-response band built
 * from the data, and cohort series by period and by group.
 *
 * Flow (memory linear in sessions at 2-4 bytes per kept column, never the rows themselves):
 *   scan    one streaming pass fills a SessionStore (session, date, alliance, outcome; only
 *           the parts of a row used are parsed).
 *   pass A  per client, sorted by session: intake and the pre/post values of the change.
 *           -> SD / mean of pre scores (Jacobson-Truax), intake severity bands.
 *   pass B  count the change-so-far values per (band, sessions since intake) cell.
 *   pass C  the band quantile of each cell large enough: counted in histograms of integer
 *           codes, or sorted (B and C: etr.ts). Types: types.ts; cohort accumulators: cohort.ts.
 *   pass D  per client summary, flags and categories; cohort accumulators (clients.ts,
 *           which also makes the --clients rows, one at a time, when they are written).
 * Passes A to C read only session numbers and outcomes; per-session threshold tests are
 * answered from per-code tables when the columns hold integer codes (exact.ts).
 */
import type { Dataset } from '../../dataset/types.js';
import { compareCells, groupKey } from '../by-column.js';
import {
  direction,
  isClinical,
  jtBoundary,
  jtCutoff,
  pointsChange,
  rciChange,
  RCI_CRITICAL,
  sDiff,
  type ClinicalBoundary,
  type ReliableDirection,
} from '../change.js';
import { SessionStore, type ClientSessions } from './store.js';
import { mean as meanOf, sd as sdOf } from '../../stats/descriptive.js';
import { finalize, measureInfo, toNull } from './cohort.js';
import { ETR_BATCH, fillEtrCells, type EtrCells } from './etr.js';
import { dropTest, scoreTest } from './exact.js';
import { clientRows, CohortTally, passClient, type ClientSetup, type Located } from './clients.js';
import { type GroupRow, type TrendRunOptions, type TrendResult } from './types.js';

export * from './types.js';

export async function analyzeTrend(ds: Dataset, opts: TrendRunOptions): Promise<TrendResult> {
  const measures = ds.mapping.measures;
  const aIdx = measures.findIndex((m) => m.role === 'alliance');
  const oIdx = measures.findIndex((m) => m.role === 'outcome');
  const ignored = measures.filter((_, i) => i !== aIdx && i !== oIdx).map((m) => m.name);
  const allianceInst = aIdx >= 0 ? measures[aIdx].instrument : null;
  const outcomeInst = oIdx >= 0 ? measures[oIdx].instrument : null;
  const outcomeHigher: boolean | undefined = opts.outcomeHigherIsBetter ?? outcomeInst?.higherIsBetter;
  const allianceHigher = allianceInst?.higherIsBetter ?? true;
  const fixed = opts.pre !== undefined && opts.post !== undefined;

  // Grouping column.
  const key = groupKey(ds, opts.by);
  const groupKind = key !== null;

  // ---- scan ----
  // Keep only the per-session values this run uses (dates: periods and client rows).
  const store = new SessionStore({
    date: opts.period !== undefined || opts.clients === true,
    alliance: aIdx >= 0,
    outcome: oIdx >= 0,
    group: groupKind,
  });
  // Only the parts of a row this run uses are parsed (dates for periods and client rows,
  // the therapist and group columns for --by).
  const need = { date: store.date !== null, therapist: groupKind, groups: groupKind };
  const stats = await ds.scan(
    (row) => {
      const g = key ? key.read(row) : -1;
      store.add(row.client, row.session, row.date, aIdx >= 0 ? row.values[aIdx] : NaN, oIdx >= 0 ? row.values[oIdx] : NaN, g);
    },
    { need },
  );
  const nClients = Math.max(store.clients, 0);
  const tables = opts.codeTables !== false;
  const read = store.reader();
  // Passes A to C read only session numbers and outcomes.
  const readOutcome = store.reader({ date: false, alliance: false, group: false });

  // Where a client's intake and pre/post values are (indices into the sorted sessions, -1
  // when absent). Recomputed in each pass rather than kept per client.
  const locate = (s: ClientSessions): Located => {
    let first = -1;
    let last = -1;
    let fp = -1;
    let fq = -1;
    for (let k = 0; k < s.n; k++) {
      if (Number.isNaN(s.outcome[k])) continue;
      if (first < 0) first = k;
      last = k;
      if (fixed) {
        if (fp < 0 && s.session[k] === opts.pre) fp = k;
        if (fq < 0 && s.session[k] === opts.post) fq = k;
      }
    }
    if (fixed) {
      const reason = fp < 0 && fq < 0 ? 'missingBoth' : fp < 0 ? 'missingPre' : fq < 0 ? 'missingPost' : null;
      return { first, pre: reason ? -1 : fp, post: reason ? -1 : fq, reason };
    }
    if (first < 0) return { first, pre: -1, post: -1, reason: 'noOutcome' };
    if (s.session[last] <= s.session[first]) return { first, pre: -1, post: -1, reason: 'oneMeasurement' };
    return { first, pre: first, post: last, reason: null };
  };

  // ---- pass A: who is used, pre scores (for the RCI and clinical norms), intakes (bands) ----
  const excluded = { total: 0, missingPre: 0, missingPost: 0, oneMeasurement: 0, noOutcome: 0 };
  const usedPreAll = new Float64Array(nClients);
  const intakesAll = new Float64Array(nClients);
  let nUsed = 0;
  let nIntakes = 0;
  for (let c = 0; c < nClients; c++) {
    const s = readOutcome(c);
    if (s.n === 0) continue;
    const at = locate(s);
    if (at.first >= 0) intakesAll[nIntakes++] = s.outcome[at.first];
    if (at.reason === null) usedPreAll[nUsed++] = s.outcome[at.pre];
    else if (oIdx >= 0) {
      excluded.total++;
      if (at.reason === 'missingBoth') {
        excluded.missingPre++;
        excluded.missingPost++;
      } else excluded[at.reason]++;
    }
  }

  const usedPre = usedPreAll.subarray(0, nUsed);
  const intakes = intakesAll.subarray(0, nIntakes);

  // ---- methods: reliable change and clinical boundary ----
  const mPre = usedPre.length > 0 ? meanOf(usedPre) : NaN;
  const sdPreData = sdOf(usedPre);
  let method: TrendResult['methods']['change'];
  let classify: ((pre: number, post: number) => { rc: ReliableDirection; rci: number } | null) | null = null;
  const directionReason = 'the better direction of the outcome is unknown: give --better higher|lower or bind an instrument with --instrument COL=ID';
  const noOutcome = 'no outcome measure';
  if (oIdx < 0) {
    method = { method: 'points', threshold: null, source: '', reason: noOutcome };
  } else if (opts.reliability !== undefined) {
    const sdPre = opts.sd ?? sdPreData;
    const sd = Number.isFinite(sdPre) ? sDiff(sdPre, opts.reliability) : NaN;
    method = {
      method: 'jacobson-truax',
      reliability: opts.reliability,
      sdPre: toNull(sdPre),
      sdSource: opts.sd !== undefined ? 'given' : 'data',
      sDiff: toNull(sd),
      critical: RCI_CRITICAL,
    };
    if (outcomeHigher === undefined) method.reason = directionReason;
    else if (!(sd > 0)) method.reason = 'S_diff is not positive (fewer than 2 clients or SD of pre scores 0)';
    else {
      const higher = outcomeHigher;
      classify = (pre, post) => {
        const rci = (post - pre) / sd;
        return { rc: rciChange(rci, higher), rci };
      };
    }
  } else {
    const threshold = opts.rcThreshold ?? outcomeInst?.reliableChange?.value;
    const source = opts.rcThreshold !== undefined ? 'given' : (outcomeInst?.reliableChange?.source ?? '');
    method = { method: 'points', threshold: threshold ?? null, source };
    if (threshold === undefined) method.reason = 'no reliable-change threshold for this outcome (give --rc-threshold or --reliability)';
    else if (outcomeHigher === undefined) method.reason = directionReason;
    else {
      const higher = outcomeHigher;
      classify = (pre, post) => ({ rc: pointsChange(pre, post, threshold, higher), rci: NaN });
    }
  }

  let clinical: TrendResult['methods']['clinical'];
  let clinicalPreB: ClinicalBoundary | null = null;
  let clinicalPostB: ClinicalBoundary | null = null;
  if (oIdx < 0) {
    clinical = { source: 'none', reason: noOutcome };
  } else if (opts.cutoff !== undefined) {
    const cm = opts.clinicalMean ?? mPre;
    const cs = opts.clinicalSd ?? sdPreData;
    clinical = {
      source: 'jacobson-truax',
      type: opts.cutoff,
      cutoff: null,
      clinicalMean: toNull(cm),
      clinicalSd: toNull(cs),
      clinicalNormsSource: opts.clinicalMean !== undefined || opts.clinicalSd !== undefined ? 'given' : 'data',
      functionalMean: opts.functionalMean ?? null,
      functionalSd: opts.functionalSd ?? null,
    };
    if (outcomeHigher === undefined) clinical.reason = directionReason;
    else {
      const c = jtCutoff(
        opts.cutoff,
        { clinicalMean: cm, clinicalSd: cs, functionalMean: opts.functionalMean, functionalSd: opts.functionalSd },
        outcomeHigher,
      );
      if (typeof c === 'number') {
        clinical.cutoff = c;
        const b = jtBoundary(c, outcomeHigher);
        clinicalPreB = b.clinicalPre;
        clinicalPostB = b.functionalPost;
      } else clinical.reason = c.reason;
    }
  } else if (outcomeInst?.cutoff) {
    const cut = outcomeInst.cutoff;
    clinical = { source: 'instrument', cutoff: cut.value, clinicalIf: cut.clinicalIf, citation: cut.source };
    clinicalPreB = { value: cut.value, clinicalIf: cut.clinicalIf };
    clinicalPostB = clinicalPreB;
  } else {
    clinical = { source: 'none', reason: 'no clinical cut-off for this outcome (give --cutoff with norms)' };
  }

  // Alliance alerts.
  const aCut = opts.allianceCutoff ?? allianceInst?.cutoff?.value;
  const aCutIf = opts.allianceCutoff !== undefined ? (allianceHigher ? '<' : '>') : allianceInst?.cutoff?.clinicalIf;
  const aBoundary: ClinicalBoundary | null = aCut !== undefined && aCutIf ? { value: aCut, clinicalIf: aCutIf } : null;
  const drop = opts.drop ?? allianceInst?.allianceDrop?.value;
  const allianceAlerts = {
    cutoff: aBoundary ? aBoundary.value : null,
    cutoffSource: opts.allianceCutoff !== undefined ? 'given' : (allianceInst?.cutoff?.source ?? 'none'),
    drop: drop ?? null,
    dropSource: opts.drop !== undefined ? 'given' : (allianceInst?.allianceDrop?.source ?? 'none'),
  };
  const aDir = direction(allianceHigher);

  // ---- ETR bands ----
  const q = opts.ntpQuantile;
  const minCell = opts.ntpMinClients;
  const K = Math.max(1, Math.floor(opts.ntpBands));
  const ntpMethod: TrendResult['methods']['notOnTrack'] = { quantile: q, minClients: minCell, bands: K, bandLimits: [], cellsUsed: 0, cellsTooSmall: 0 };
  let etr: EtrCells | null = null;
  if (oIdx < 0) ntpMethod.reason = noOutcome;
  else if (outcomeHigher === undefined) ntpMethod.reason = directionReason;
  else {
    etr = fillEtrCells(
      {
        nClients,
        read: readOutcome,
        first: (cs) => locate(cs).first,
        intakes,
        higherIsBetter: outcomeHigher,
        quantile: q,
        minCell,
        batch: opts.etrBatch ?? ETR_BATCH,
        codes: tables ? (store.outcome?.codes() ?? null) : null,
      },
      ntpMethod,
    );
  }
  // The per-session alliance tests, by code where the column allows (exact.ts).
  const aCodes = tables ? (store.alliance?.codes() ?? null) : null;
  const belowCut = aBoundary ? scoreTest(aCodes, (x) => isClinical(x, aBoundary)) : null;
  const dropped = drop !== undefined ? dropTest(aCodes, drop, aDir) : null;

  // ---- pass D: per client (clients.ts) ----
  const setup: ClientSetup = {
    hasOutcome: oIdx >= 0,
    fixed,
    locate,
    belowCut,
    dropped,
    etr,
    classify,
    classifyReason: method.reason,
    clinicalPre: clinicalPreB,
    clinicalPost: clinicalPostB,
    period: opts.period,
    grouped: groupKind,
    names: ds.clients,
  };
  const tally = new CohortTally(opts.period);
  for (let c = 0; c < nClients; c++) {
    const s = read(c);
    if (s.n > 0) passClient(setup, s, c, tally, false);
  }
  const overall = tally.overall;
  const t = tally.summary;
  const summary: TrendResult['summary'] = {
    used: t.used,
    excluded,
    categories: t.categories,
    reliable: t.reliable,
    allianceAlerts: t.allianceAlerts,
    notOnTrack: t.notOnTrack,
    overall: finalize(overall),
  };
  const periodAcc = tally.periods;
  const groupAcc = tally.groups;
  const { sessionsWithoutDate, clientsWithoutPostDate, missingLevel } = tally;
  // Client rows are made when written, from the store (never all held at once).
  const rows = opts.clients ? clientRows(setup, nClients, overall.clients, store.reader()) : null;

  let periods: TrendResult['periods'] = null;
  if (opts.period) {
    const keys = [...periodAcc.keys()].sort();
    periods = {
      period: opts.period,
      rows: keys.map((k) => ({ period: k, ...finalize(periodAcc.get(k)!) })),
      sessionsWithoutDate,
      clientsWithoutPostDate,
      minClients: opts.minClients,
    };
  }
  let groups: TrendResult['groups'] = null;
  if (key) {
    const minClients = opts.minClients;
    const levels = key.levels();
    const nested = key.columns.length > 1;
    const entries = [...groupAcc.entries()].map(([g, acc]) => ({ name: levels[g] ?? String(g), values: key.values(g), acc }));
    entries.sort((x, y) => compareCells(x.values, y.values));
    const rows: GroupRow[] = [];
    const suppressed: string[] = [];
    for (const e of entries) {
      if (e.acc.clients < minClients) suppressed.push(e.name);
      else rows.push({ group: e.name, ...(nested ? { levels: e.values } : {}), ...finalize(e.acc) });
    }
    groups = {
      by: key.by,
      minClients,
      rows,
      suppressed,
      missingLevel,
    };
  }

  return {
    measures: {
      alliance: measureInfo(aIdx >= 0 ? measures[aIdx] : undefined, allianceInst?.higherIsBetter),
      outcome: measureInfo(oIdx >= 0 ? measures[oIdx] : undefined, outcomeHigher),
      ignored,
    },
    rows: stats.rows,
    clients: overall.clients,
    methods: {
      change: method,
      clinical,
      timePoints: fixed ? { mode: 'fixed', pre: opts.pre!, post: opts.post! } : { mode: 'first-last' },
      allianceAlerts,
      notOnTrack: ntpMethod,
    },
    summary,
    clientRows: rows,
    periods,
    groups,
  };
}
