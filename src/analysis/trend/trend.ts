/**
 * `alliance trend`: per-client trajectories, reliable and clinically significant change,
 * alliance alerts, "not on track" flags against an expected-treatment-response band built
 * from the data, and cohort series by period and by group.
 *
 * Flow (memory linear in sessions at 2-4 bytes per kept column, never the rows themselves):
 *   scan    one streaming pass fills a SessionStore (session, date, alliance, outcome; only
 *           the parts of a row used are parsed). While each client's rows come together,
 *           in client order (runs.ts), pass A and the session part of pass D are done for
 *           the client as its rows end; else they are done from the store after the scan.
 *           Without periods, groups or client rows, runs in order are not written to the
 *           store, and past the first rows not kept at all (streamed, runs.ts): passes B to
 *           D then need nothing but the change steps (in codes of their own, steps.ts), and
 *           when they cannot serve, the input is read again into a store of every row.
 *   pass A  per client, sorted by session: intake and the pre/post values of the change
 *           (kept per client: runs.ts, LocatedClients); in runs, also each later session's
 *           change so far in outcome code steps (steps.ts), which passes B and D then count
 *           instead of reading the store (pass D only without periods and groups).
 *           -> SD / mean of pre scores (Jacobson-Truax), intake severity bands.
 *           The change methods (methods.ts) that need no pre scores (by points, the
 *           instrument's cut-off, norms given) are known before the scan: then, in runs and
 *           without periods or groups, pass D's change part is done here too.
 *   pass B  count the change-so-far values per (band, sessions since intake) cell, with
 *           integer codes in histograms of code steps as they are counted.
 *   pass C  the band quantile of each cell large enough: read off the histograms, or sorted
 *           (B and C: etr.ts). Types: types.ts; cohort accumulators: cohort.ts.
 *   pass D  per client: the session part (alliance alerts, cohort session counts), the
 *           not-on-track flags, the change and its category, added to the cohort
 *           accumulators (clients.ts, which also makes the --clients rows, one at a time,
 *           when they are written).
 * Passes B to D read only what they use from the store; the per-value threshold tests
 * (alliance cut-off and drops, clinical status, reliable change by points) are memoised per
 * value or per difference at the data's decimal precision (exact.ts).
 */
import type { Dataset } from '../../dataset/types.js';
import { compareCells, groupKey } from '../by-column.js';
import { direction, isClinical, type ClinicalBoundary } from '../change.js';
import { SessionStore, type ClientSessions, type RowPick } from './store.js';
import { directionReason, methodsOf, noOutcome, staticMethods, type ChangeMethods, type PreStats } from './methods.js';
import { mean as meanOf, sd as sdOf } from '../../stats/descriptive.js';
import { finalize, measureInfo } from './cohort.js';
import { ETR_BATCH, fillEtrCells, stepsSuffice, type EtrCells } from './etr.js';
import { dropTest, exactDifference, scoreTest } from './exact.js';
import {
  addFlags,
  addFlagsFromSteps,
  addSessions,
  changeOf,
  clientRows,
  CohortTally,
  FlagCounts,
  SessionCounts,
  type ClientSetup,
  type Located,
  type PrePost,
} from './clients.js';
import { ChangeSteps } from './steps.js';
import { LocatedClients, RunCollector, STREAM_AFTER } from './runs.js';
import { trendReduction } from './range.js';
import { GrowableF64 } from '../../dataset/intern.js';
import { compareDifference, scoreDifference } from '../../stats/threshold.js';
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

  // Alliance alerts (their tests run during the scan).
  const tables = opts.codeTables !== false;
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
  // The per-session alliance tests, memoised per score (exact.ts) unless a test asks for the plain functions.
  // (They are given each rating's scoreCode too, which only the memoised forms read.)
  const belowTest = aBoundary ? (x: number) => isClinical(x, aBoundary) : null;
  const belowCut = belowTest === null ? null : tables ? scoreTest(belowTest).coded : (_c: number, x: number) => belowTest(x);
  const dropped =
    drop === undefined
      ? null
      : tables
        ? dropTest(drop, aDir).coded
        : (_pc: number, _c: number, prev: number, a: number) => (aDir > 0 ? compareDifference(prev, a, drop) : compareDifference(a, prev, drop)) >= 0;

  // Where a client's intake and pre/post values are (indices into the sorted sessions, -1
  // when absent).
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

  // What pass D needs; the methods and the ETR cells are filled in once known.
  const setup: ClientSetup = {
    hasOutcome: oIdx >= 0,
    fixed,
    locate,
    belowCut,
    dropped,
    etr: null,
    classify: null,
    classifyReason: undefined,
    clinicalPre: null,
    clinicalPost: null,
    difference: tables ? exactDifference : scoreDifference,
    period: opts.period,
    grouped: groupKind,
    names: ds.clients,
  };

  // ---- pass A: who is used, pre scores (for the RCI and clinical norms), intakes (bands) ----
  let tally = new CohortTally(opts.period);
  const noExclusions = () => ({ total: 0, missingPre: 0, missingPost: 0, oneMeasurement: 0, noOutcome: 0 });
  let excluded = noExclusions();
  let usedPre = new GrowableF64();
  let intakes = new GrowableF64();
  const located = new LocatedClients();
  const passA = (c: number, s: ClientSessions, oN: number): Located => {
    const at = locate(s);
    located.set(c, at, oN, s);
    if (at.first >= 0) intakes.push(s.outcome[at.first]);
    if (at.reason === null) usedPre.push(s.outcome[at.pre]);
    else if (oIdx >= 0) {
      excluded.total++;
      if (at.reason === 'missingBoth') {
        excluded.missingPre++;
        excluded.missingPost++;
      } else excluded[at.reason]++;
    }
    return at;
  };

  // Methods that need no pre scores are known now: then, without periods or groups, each
  // client's change is classified in the scan as its run ends (methods.ts).
  const methodInput = { opts, hasOutcome: oIdx >= 0, outcomeHigher, outcomeInst, tables };
  const preStatic = staticMethods(methodInput);
  const useMethods = (m: ChangeMethods): void => {
    setup.classify = m.classify;
    setup.classifyReason = m.method.reason;
    setup.clinicalPre = m.clinicalPre;
    setup.clinicalPost = m.clinicalPost;
  };
  const changeInScan = preStatic !== null && !opts.period && !groupKind;
  if (changeInScan) useMethods(preStatic);

  // ---- scan ----
  // Keep only the per-session values this run uses (dates: periods and client rows).
  const columns = {
    date: opts.period !== undefined || opts.clients === true,
    alliance: aIdx >= 0,
    outcome: oIdx >= 0,
    group: groupKind,
  };
  let store = new SessionStore(columns);
  // While clients come in runs in order (runs.ts), each run has pass A and the session part
  // of pass D done as it ends; else both are done from the store after the scan.
  const counts = new SessionCounts();
  // Without periods, groups or client rows, passes B to D need no store when the runs come
  // in order: the runs are not written to it, and past the first STREAM_AFTER rows in
  // order not kept at all (streamed, runs.ts).
  const streamable = tables && !opts.period && !groupKind && !opts.clients;
  // The change steps passes B and D count from (memoised runs only: steps.ts).
  const steps = new ChangeSteps(tables && oIdx >= 0, !streamable);
  const runs = new RunCollector(
    store,
    (c, s) => {
      addSessions(setup, s, tally, null, null, counts);
      const at = passA(c, s, counts.oN);
      steps.add(c, s, at.first);
      if (changeInScan) changeOf(setup, s, at, counts.oN, tally, false);
    },
    streamable ? (opts.streamAfter ?? STREAM_AFTER) : Infinity,
  );
  // Only the parts of a row this run uses are parsed (dates for periods and client rows,
  // the therapist and group columns for --by, the alliance and outcome measures).
  const keepDate = store.date !== null;
  const need = { date: keepDate, therapist: groupKind, groups: groupKind, measures: [aIdx, oIdx].filter((i) => i >= 0) };
  // Without --by the read's workers (when there are) reduce the client runs (range.ts).
  const reduce = key === null ? { reduce: trendReduction(runs, { alliance: aIdx, outcome: oIdx }, keepDate) } : {};
  // What a row gives trend (the runs, or a store when the input is read again).
  const pick: RowPick = { date: keepDate, alliance: aIdx, outcome: oIdx, group: key };
  const stats = await ds.scan((row) => runs.addRow(row, pick), { need, ...reduce });
  runs.finish();
  let inOrder = runs.inOrder;
  const K = Math.max(1, Math.floor(opts.ntpBands));
  // Whether the store holds no rows (a streamed scan, runs.ts).
  let streamed = runs.streamed;
  if (streamed) {
    // A streamed scan left no store: the passes count from the change steps (in their own
    // codes), unless the order broke after the log of the first rows was let go (runs.ts:
    // lost), the steps gave up, or the cells' histograms would not fit (etr.ts
    // stepsSuffice); then the input is read again into a store of every row (the digest
    // check makes sure it is the same input) and every pass is made from it, as for a file
    // not in client order.
    const codes = steps.codes();
    const etrAhead = oIdx >= 0 && outcomeHigher !== undefined;
    if (!(inOrder && (!etrAhead || (steps.usable(codes?.scale ?? null) && stepsSuffice(codes, K, steps.maxOffset))))) {
      const full = new SessionStore(columns);
      store = full;
      await ds.scan((row) => full.addRow(row, pick), { need });
      inOrder = false;
      streamed = false;
    }
  }
  // The change of every client was counted in the scan (else in pass D).
  const changeDone = changeInScan && inOrder;
  const nClients = streamed ? runs.clients : Math.max(store.clients, 0);
  const read = streamed ? null : store.reader();
  // Passes A to C read only session numbers and outcomes.
  const readOutcome = streamed ? null : store.reader({ date: false, alliance: false, group: false });
  const outcomeCodes = !tables ? null : streamed ? steps.codes() : (store.outcome?.codes() ?? null);
  const useSteps = inOrder && steps.usable(outcomeCodes?.scale ?? null);
  if (!useSteps) steps.drop();
  if (!inOrder) {
    tally = new CohortTally(opts.period);
    excluded = noExclusions();
    usedPre = new GrowableF64();
    intakes = new GrowableF64();
    for (let c = 0; c < nClients; c++) {
      const s = readOutcome!(c);
      if (s.n > 0) passA(c, s, 0);
    }
  }

  // ---- methods: reliable change and clinical boundary ----
  let preStats: PreStats | null = null;
  const changeMethods =
    preStatic ?? methodsOf(methodInput, () => (preStats ??= { mean: usedPre.length > 0 ? meanOf(usedPre.view()) : NaN, sd: sdOf(usedPre.view()) }));
  const { method, clinical } = changeMethods;

  // ---- ETR bands ----
  const q = opts.ntpQuantile;
  const minCell = opts.ntpMinClients;
  const ntpMethod: TrendResult['methods']['notOnTrack'] = { quantile: q, minClients: minCell, bands: K, bandLimits: [], cellsUsed: 0, cellsTooSmall: 0 };
  let etr: EtrCells | null = null;
  if (oIdx < 0) ntpMethod.reason = noOutcome;
  else if (outcomeHigher === undefined) ntpMethod.reason = directionReason;
  else {
    etr = fillEtrCells(
      {
        nClients,
        read: readOutcome,
        first: (cs, c) => (cs.n > 0 ? located.firstOf(c) : -1),
        intakes: intakes.view(),
        higherIsBetter: outcomeHigher,
        quantile: q,
        minCell,
        batch: opts.etrBatch ?? ETR_BATCH,
        codes: outcomeCodes,
        tables,
        steps: useSteps ? { steps, has: (c) => located.sessions(c) > 0 && located.firstOf(c) >= 0, intake: (c) => located.intake(c) } : null,
      },
      ntpMethod,
    );
  }
  setup.etr = etr;
  useMethods(changeMethods);

  // ---- pass D: per client (clients.ts); the session part was done in the scan when the runs came in order ----
  const at: Located = { first: -1, pre: -1, post: -1, reason: null };
  const flags = new FlagCounts();
  if (inOrder && !opts.period && !groupKind && (etr === null || (useSteps && etr.histogram))) {
    // Without periods or groups the flags come from the change steps and the change from
    // the values pass A kept: the store is not read again.
    addFlagsFromSteps(etr, steps, tally);
    const values: PrePost = { pre: NaN, post: NaN };
    if (!changeDone)
      for (let c = 0; c < nClients; c++) {
        if (located.sessions(c) === 0) continue;
        located.get(c, at);
        changeOf(setup, null, at, located.outcomes(c), tally, false, located.prePost(c, values));
      }
  } else {
    const readD = inOrder ? store.reader({ alliance: false }) : read!;
    for (let c = 0; c < nClients; c++) {
      const s = readD(c);
      if (s.n === 0) continue;
      let oN: number;
      if (inOrder) oN = located.outcomes(c);
      else {
        addSessions(setup, s, tally, null, null, counts);
        oN = counts.oN;
      }
      located.get(c, at);
      addFlags(setup, s, c, at.first, tally, null, flags);
      if (!changeDone) changeOf(setup, s, at, oN, tally, false);
    }
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
