/**
 * `alliance trend`: per-client trajectories, reliable and clinically significant change,
 * alliance alerts, "not on track" flags against an expected-treatment-response band built
 * from the data, and cohort series by period and by group.
 *
 * Flow (memory linear in sessions at ~16 bytes each, never the rows themselves):
 *   scan    one streaming pass fills a SessionStore (session, date, alliance, outcome).
 *   pass A  per client, sorted by session: intake and the pre/post values of the change.
 *           -> SD / mean of pre scores (Jacobson-Truax), intake severity bands.
 *   pass B  count the change-so-far values per (band, sessions since intake) cell.
 *   pass C  fill those cells, sort, take the band quantile where the cell is large enough
 *           (B and C: etr.ts). Types: types.ts; cohort accumulators: cohort.ts.
 *   pass D  per client summary, flags and categories; cohort accumulators.
 */
import type { Dataset } from '../../dataset/types.js';
import { compareCells, groupKey } from '../by-column.js';
import {
  categorize,
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
import { compareDifference, compareScores, scoreDifference } from '../../stats/threshold.js';
import { mean as meanOf, olsSlope, sd as sdOf } from '../../stats/descriptive.js';
import { Acc, finalize, measureInfo, toNull } from './cohort.js';
import { ETR_BATCH, fillEtrCells, type EtrCell } from './etr.js';
import { isoDay, periodKey, type ClientTrend, type CohortStats, type ExclusionReason, type GroupRow, type TrendOptions, type TrendResult } from './types.js';

export * from './types.js';

export async function analyzeTrend(ds: Dataset, opts: TrendOptions = {}): Promise<TrendResult> {
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
  const stats = await ds.scan((row) => {
    const g = key ? key.read(row) : -1;
    store.add(row.client, row.session, row.date, aIdx >= 0 ? row.values[aIdx] : NaN, oIdx >= 0 ? row.values[oIdx] : NaN, g);
  });
  const nClients = Math.max(store.clients, 0);
  const read = store.reader();

  // Where a client's intake and pre/post values are (indices into the sorted sessions, -1
  // when absent). Recomputed in each pass rather than kept per client.
  const locate = (s: ClientSessions): { first: number; pre: number; post: number; reason: ExclusionReason | null } => {
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
    const s = read(c);
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
  const q = opts.ntpQuantile ?? 0.25;
  const minCell = opts.ntpMinClients ?? 20;
  const K = Math.max(1, Math.floor(opts.ntpBands ?? 3));
  const ntpMethod: TrendResult['methods']['notOnTrack'] = { quantile: q, minClients: minCell, bands: K, bandLimits: [], cellsUsed: 0, cellsTooSmall: 0 };
  const band = new Int8Array(nClients).fill(-1);
  const cells: Map<number, EtrCell>[] = [];
  if (oIdx < 0) ntpMethod.reason = noOutcome;
  else if (outcomeHigher === undefined) ntpMethod.reason = directionReason;
  else {
    fillEtrCells(
      { nClients, read, first: (cs) => locate(cs).first, intakes, higherIsBetter: outcomeHigher, quantile: q, minCell, batch: opts.etrBatch ?? ETR_BATCH },
      ntpMethod,
      band,
      cells,
    );
  }

  // ---- pass D: per client ----
  const summary: TrendResult['summary'] = {
    used: 0,
    excluded,
    categories: { recovered: 0, improved: 0, unchanged: 0, deteriorated: 0, harmed: 0 },
    reliable: { improved: 0, unchanged: 0, deteriorated: 0 },
    allianceAlerts: { clientsBelowCutoff: 0, sessionsBelowCutoff: 0, clientsWithDrop: 0, drops: 0 },
    notOnTrack: { clientsFlagged: 0, clientsCurrentlyFlagged: 0, flags: 0 },
    overall: undefined as unknown as CohortStats,
  };
  const overall = new Acc();
  const periodAcc = new Map<string, Acc>();
  let sessionsWithoutDate = 0;
  let clientsWithoutPostDate = 0;
  const groupAcc = new Map<number, Acc>();
  let missingLevel = 0;
  const periodCache = new Map<number, string>();
  const periodOf = (day: number): string => {
    let k = periodCache.get(day);
    if (k === undefined) {
      k = periodKey(day, opts.period!);
      periodCache.set(day, k);
    }
    return k;
  };
  const accFor = <K>(m: Map<K, Acc>, key: K): Acc => {
    let a = m.get(key);
    if (!a) {
      a = new Acc();
      m.set(key, a);
    }
    return a;
  };
  const clientRows: ClientTrend[] | null = opts.clients ? [] : null;
  const seenPeriods = new Set<string>();
  const seenGroups = new Set<number>();
  const clientNames = ds.clients;

  for (let c = 0; c < nClients; c++) {
    const s: ClientSessions = read(c);
    if (s.n === 0) continue;
    overall.clients++;
    seenPeriods.clear();
    seenGroups.clear();
    // Session-level series.
    const below: number[] = [];
    const drops: number[] = [];
    let prevA = NaN;
    let aN = 0;
    let aSum = 0;
    let oN = 0;
    for (let k = 0; k < s.n; k++) {
      const a = s.alliance[k];
      const o = s.outcome[k];
      const isBelow = !Number.isNaN(a) && aBoundary !== null && isClinical(a, aBoundary);
      if (!Number.isNaN(a)) {
        aN++;
        aSum += a;
        if (isBelow) below.push(s.session[k]);
        // A drop of exactly `drop` points at the scores' decimal precision counts (16.4 -> 15.4 is 1).
        if (drop !== undefined && !Number.isNaN(prevA) && (aDir > 0 ? compareDifference(prevA, a, drop) : compareDifference(a, prevA, drop)) >= 0)
          drops.push(s.session[k]);
        prevA = a;
      }
      if (!Number.isNaN(o)) oN++;
      const accs: Acc[] = [overall];
      if (opts.period) {
        if (Number.isNaN(s.date[k])) sessionsWithoutDate++;
        else {
          const key = periodOf(s.date[k]);
          const pa = accFor(periodAcc, key);
          accs.push(pa);
          if (!seenPeriods.has(key)) {
            seenPeriods.add(key);
            pa.clients++;
          }
        }
      }
      if (groupKind) {
        const g = s.group[k];
        if (g < 0) missingLevel++;
        else {
          const ga = accFor(groupAcc, g);
          accs.push(ga);
          if (!seenGroups.has(g)) {
            seenGroups.add(g);
            ga.clients++;
          }
        }
      }
      for (const acc of accs) {
        acc.sessions++;
        if (!Number.isNaN(a)) {
          acc.allianceN++;
          acc.allianceSum += a;
          if (aBoundary) {
            acc.allianceAssessed++;
            if (isBelow) acc.allianceBelow++;
          }
        }
        if (!Number.isNaN(o)) {
          acc.outcomeN++;
          acc.outcomeSum += o;
        }
      }
    }
    if (below.length > 0) {
      summary.allianceAlerts.clientsBelowCutoff++;
      summary.allianceAlerts.sessionsBelowCutoff += below.length;
    }
    if (drops.length > 0) {
      summary.allianceAlerts.clientsWithDrop++;
      summary.allianceAlerts.drops += drops.length;
    }

    // Not on track.
    const at = locate(s);
    const intakeSession = at.first >= 0 ? s.session[at.first] : NaN;
    const intake = at.first >= 0 ? s.outcome[at.first] : NaN;
    const ntpSessions: number[] = [];
    let assessed = 0;
    let current = false;
    if (band[c] >= 0) {
      const m = cells[band[c]];
      const dir = direction(outcomeHigher!);
      for (let k = at.first + 1; k < s.n; k++) {
        const o = s.outcome[k];
        const off = s.session[k] - intakeSession;
        if (Number.isNaN(o) || !(off > 0)) continue;
        const cell = m.get(off);
        if (!cell || Number.isNaN(cell.threshold)) continue;
        assessed++;
        current = compareScores(dir * scoreDifference(o, intake), cell.threshold) < 0;
        if (current) ntpSessions.push(s.session[k]);
      }
    }
    if (ntpSessions.length > 0) {
      summary.notOnTrack.clientsFlagged++;
      summary.notOnTrack.flags += ntpSessions.length;
    }
    if (current) summary.notOnTrack.clientsCurrentlyFlagged++;

    // Change.
    const used = at.reason === null && oIdx >= 0;
    const pre = used ? s.outcome[at.pre] : NaN;
    const post = used ? s.outcome[at.post] : NaN;
    const change: ClientTrend['change'] = {
      preSession: used ? s.session[at.pre] : null,
      pre: toNull(pre),
      postSession: used ? s.session[at.post] : null,
      post: toNull(post),
      change: null,
      rci: null,
      reliable: null,
      clinicalPre: null,
      clinicalPost: null,
      category: null,
    };
    if (used) {
      summary.used++;
      const ch = scoreDifference(post, pre);
      change.change = ch;
      const postIndex = at.post;
      const accs: Acc[] = [overall];
      if (opts.period) {
        const day = s.date[postIndex];
        if (Number.isNaN(day)) clientsWithoutPostDate++;
        else accs.push(accFor(periodAcc, periodOf(day)));
      }
      if (groupKind && s.group[postIndex] >= 0) accs.push(accFor(groupAcc, s.group[postIndex]));
      const res = classify ? classify(pre, post) : null;
      if (res) {
        change.rci = toNull(res.rci);
        change.reliable = res.rc;
        if (clinicalPreB && clinicalPostB) {
          change.clinicalPre = isClinical(pre, clinicalPreB);
          change.clinicalPost = isClinical(post, clinicalPostB);
        }
        change.category = categorize(res.rc, change.clinicalPre ?? undefined, change.clinicalPost ?? undefined);
        summary.reliable[res.rc]++;
        summary.categories[change.category]++;
      } else change.reason = method.reason ?? 'no reliable-change method';
      for (const acc of accs) {
        acc.pre.add(pre);
        acc.change.add(ch);
        if (change.category) {
          acc.classified++;
          if (change.category === 'recovered' || change.category === 'improved') acc.improved++;
          if (change.category === 'recovered') acc.recovered++;
          if (change.category === 'deteriorated' || change.category === 'harmed') acc.deteriorated++;
        }
      }
    } else if (fixed) change.reason = 'no outcome at the pre or post session';
    else change.reason = oN === 0 ? 'no outcome scores' : 'only one outcome measurement';

    if (clientRows) {
      let lastO = -1;
      for (let k = s.n - 1; k >= 0; k--)
        if (!Number.isNaN(s.outcome[k])) {
          lastO = k;
          break;
        }
      clientRows.push({
        client: clientNames[c] ?? String(c),
        sessions: s.n,
        firstSession: s.session[0],
        lastSession: s.session[s.n - 1],
        firstDate: Number.isNaN(s.date[0]) ? null : isoDay(s.date[0]),
        lastDate: Number.isNaN(s.date[s.n - 1]) ? null : isoDay(s.date[s.n - 1]),
        alliance: {
          n: aN,
          mean: aN > 0 ? aSum / aN : null,
          slope: toNull(olsSlope(s.session, s.alliance, s.n)),
          belowCutoff: below,
          drops,
        },
        outcome: {
          n: oN,
          intakeSession: toNull(intakeSession),
          intake: toNull(intake),
          lastSession: lastO >= 0 ? s.session[lastO] : null,
          last: lastO >= 0 ? s.outcome[lastO] : null,
          slope: toNull(olsSlope(s.session, s.outcome, s.n)),
        },
        change,
        notOnTrack: { band: band[c] >= 0 ? band[c] + 1 : null, assessed, sessions: ntpSessions, current },
        series: {
          session: Array.from(s.session.subarray(0, s.n)),
          alliance: Array.from(s.alliance.subarray(0, s.n)),
          outcome: Array.from(s.outcome.subarray(0, s.n)),
        },
      });
    }
  }
  summary.overall = finalize(overall);

  let periods: TrendResult['periods'] = null;
  if (opts.period) {
    const keys = [...periodAcc.keys()].sort();
    periods = {
      period: opts.period,
      rows: keys.map((k) => ({ period: k, ...finalize(periodAcc.get(k)!) })),
      sessionsWithoutDate,
      clientsWithoutPostDate,
      minClients: opts.minClients ?? 5,
    };
  }
  let groups: TrendResult['groups'] = null;
  if (key) {
    const minClients = opts.minClients ?? 5;
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
    clientRows,
    periods,
    groups,
  };
}
