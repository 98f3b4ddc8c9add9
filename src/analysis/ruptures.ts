/**
 * `alliance ruptures`: alliance rupture-repair episodes per client, the clients' classes
 * (none / repaired / unrepaired / unresolved) and outcome change by class, with Welch t
 * tests of repaired against unrepaired and against no-rupture clients. Definitions and
 * references: docs/ruptures.md.
 *
 * Flow: one streaming scan fills a SessionStore (session, alliance, outcome, group); pass 1
 * computes the pooled within-client SD of the alliance (for the default drop); pass 2 walks
 * each client's rated sessions in session order and finds the episodes.
 */
import type { Dataset } from '../dataset/types.js';
import { UserError } from '../errors.js';
import { compareCells, groupKey } from './by-column.js';
import type { By } from '../names.js';
import type { Instrument } from '../instruments/types.js';
import { welchTTest } from '../stats/welch.js';
import { compareDifference, compareScores, scoreDifference } from '../stats/threshold.js';
import { SessionStore } from './trend/store.js';
import { fitRupturesModel, RupturesModelRows, type ClientClass, type RupturesModel } from './ruptures-model.js';
import { mean, sd, tInterval, wilsonInterval } from '../stats/descriptive.js';

export type { ClientClass };
export const CLIENT_CLASSES: ClientClass[] = ['none', 'repaired', 'unrepaired', 'unresolved'];
export type EpisodeStatus = 'repaired' | 'unrepaired' | 'unresolved';

/** Default multiple of the pooled within-client SD of the alliance that is a rupture. */
export const DEFAULT_SD_MULTIPLE = 2;
/** Default repair window, in sessions after the rupture session. */
export const DEFAULT_REPAIR_WINDOW = 3;

export interface RupturesOptions {
  /** Rupture: a drop of at least this many points from the previous rated session. */
  ruptureDrop?: number;
  /** Without ruptureDrop: this multiple of the pooled within-client SD (default 2). */
  ruptureSd?: number;
  /** A repair must come within this many sessions after the rupture (default 3). */
  repairWindow?: number;
  /** Group column(s): the therapist column name (or "therapist") or a --group column; several are nested. */
  by?: By;
  /** Groups with fewer assessed clients are suppressed (default 5). */
  minClients?: number;
  /** Keep the per-client rows (episodes) in the result. */
  clients?: boolean;
  /** Also fit outcome ~ session * class + (1 | client) (ruptures-model.ts). */
  model?: boolean;
}

export interface Episode {
  /** Session number of the rupture (the session with the drop). */
  session: number;
  /** The previous rated session, whose score is the pre-rupture level. */
  previousSession: number;
  preLevel: number;
  score: number;
  /** Points below the pre-rupture level (in the worse direction). */
  drop: number;
  status: EpisodeStatus;
  /** Session that reached the pre-rupture level (repaired only). */
  repairSession: number | null;
}

export interface ClientRuptures {
  client: string;
  ratedSessions: number;
  /** null when the client has fewer than 2 rated alliance sessions (not assessed). */
  class: ClientClass | null;
  episodes: Episode[];
  /** Outcome change post - pre (first and last outcome session), as `alliance trend`. */
  change: number | null;
}

export interface ClassRow {
  class: ClientClass;
  clients: number;
  /** Share of assessed clients, Wilson score interval. */
  share: number | null;
  shareCi: [number, number] | null;
  /** Clients of this class with an outcome change. */
  n: number;
  meanChange: number | null;
  sdChange: number | null;
  meanChangeCi: [number, number] | null;
  notEstimable: Record<string, string>;
}

export interface Comparison {
  /** e.g. "repaired - unrepaired": the difference is mean change of the first minus the second. */
  contrast: string;
  first: ClientClass;
  second: ClientClass;
  n1: number;
  n2: number;
  difference: number | null;
  t: number | null;
  df: number | null;
  p: number | null;
  ci: [number, number] | null;
  reason?: string;
}

export interface GroupRow {
  /** The cell's label: the level, or the levels joined with ' / ' when `by` names several columns. */
  group: string;
  /** With several `by` columns: the cell's value in each, in `by` order. */
  levels?: string[];
  /** Assessed clients (>= 2 rated alliance sessions). */
  clients: number;
  ratedSessions: number;
  withRupture: number;
  share: number | null;
  shareCi: [number, number] | null;
  episodes: number;
  /** Episodes per 100 rated sessions. */
  per100Sessions: number | null;
  repaired: number;
  unrepaired: number;
  unresolved: number;
  /** Share of episodes with a known end (repaired or unrepaired) that were repaired. */
  repairedShare: number | null;
  repairedCi: [number, number] | null;
  classes: Record<ClientClass, number>;
}

export interface MeasureInfo {
  column: string;
  instrument: string | null;
  higherIsBetter: boolean | null;
}

export interface RupturesResult {
  measures: { alliance: MeasureInfo; outcome: MeasureInfo | null };
  rows: number;
  clients: number;
  method: {
    drop: number;
    dropSource: 'given' | 'within-client-sd';
    sdMultiple: number | null;
    /** Pooled within-client SD of the alliance: sqrt(sum of squares around each client's mean / (ratings - clients)). */
    withinSd: number | null;
    withinSdDf: number;
    repairWindow: number;
    allianceHigherIsBetter: boolean;
  };
  assessed: number;
  notAssessed: number;
  episodes: { total: number; repaired: number; unrepaired: number; unresolved: number };
  classes: ClassRow[];
  comparisons: Comparison[];
  outcomeNote: string | null;
  groups: { by: By; minClients: number; rows: GroupRow[]; suppressed: string[]; withoutLevel: number } | null;
  clientRows: ClientRuptures[] | null;
  /** --model: the mixed model of outcome over sessions by class (undefined unless asked). */
  model?: RupturesModel;
}

/**
 * Whether the drop from `pre` to `cur` (in the worse direction, `dir` = +1 when higher is
 * better) is at least `drop` points, at the data's decimal precision (src/stats/threshold.ts,
 * issue 9.1): 33.3 -> 31.3 is a drop of 2, although 33.3 - 31.3 is 1.9999999999999964 in
 * binary floating point. A drop with no decimal precision (the default, a multiple of an
 * SD) is compared in floating point.
 */
export function dropsBy(pre: number, cur: number, drop: number, dir = 1): boolean {
  return (dir > 0 ? compareDifference(pre, cur, drop) : compareDifference(cur, pre, drop)) >= 0;
}

/** Whether `score` reaches the pre-rupture level `pre` (at the data's decimal precision). */
export function reaches(score: number, pre: number, dir = 1): boolean {
  return dir * compareScores(score, pre) >= 0;
}

function measureInfo(binding: { name: string; instrument: Instrument | null }, higher: boolean | undefined): MeasureInfo {
  return { column: binding.name, instrument: binding.instrument?.id ?? null, higherIsBetter: higher ?? binding.instrument?.higherIsBetter ?? null };
}

/**
 * The episodes of one client's rated alliance series (session order). `dir` is +1 when a
 * higher alliance is better. Pure, so tests can drive it directly.
 */
export function findEpisodes(sessions: ArrayLike<number>, scores: ArrayLike<number>, drop: number, window: number, dir = 1): Episode[] {
  const n = sessions.length;
  const out: Episode[] = [];
  let i = 1;
  while (i < n) {
    const pre = scores[i - 1];
    if (!dropsBy(pre, scores[i], drop, dir)) {
      i++;
      continue;
    }
    const s0 = sessions[i];
    const end = s0 + window;
    let repairAt = -1;
    let j = i + 1;
    for (; j < n && sessions[j] <= end; j++) {
      if (reaches(scores[j], pre, dir)) {
        repairAt = j;
        break;
      }
    }
    let status: EpisodeStatus;
    if (repairAt >= 0) status = 'repaired';
    else if (n > 0 && sessions[n - 1] >= end) status = 'unrepaired';
    else status = 'unresolved';
    out.push({
      session: s0,
      previousSession: sessions[i - 1],
      preLevel: pre,
      score: scores[i],
      drop: dir > 0 ? scoreDifference(pre, scores[i]) : scoreDifference(scores[i], pre),
      status,
      repairSession: repairAt >= 0 ? sessions[repairAt] : null,
    });
    if (status === 'unresolved') break;
    // The next search starts after the repair, or after the window.
    if (repairAt >= 0) i = repairAt + 1;
    else {
      i = j;
      while (i < n && sessions[i] <= end) i++;
    }
  }
  return out;
}

/** The class of a client from their episodes. */
export function classOf(episodes: Episode[]): ClientClass {
  if (episodes.length === 0) return 'none';
  if (episodes.some((e) => e.status === 'unrepaired')) return 'unrepaired';
  if (episodes.every((e) => e.status === 'repaired')) return 'repaired';
  return 'unresolved';
}

export async function analyzeRuptures(ds: Dataset, opts: RupturesOptions = {}): Promise<RupturesResult> {
  const measures = ds.mapping.measures;
  const aIdx = measures.findIndex((m) => m.role === 'alliance');
  const oIdx = measures.findIndex((m) => m.role === 'outcome');
  if (aIdx < 0) {
    throw new UserError('no alliance column found', { location: { file: ds.files[0]?.display, line: 1 }, hint: 'Name it with --alliance COL' });
  }
  const allianceInst = measures[aIdx].instrument;
  const higher = allianceInst?.higherIsBetter ?? true;
  const dir = higher ? 1 : -1;
  const window = opts.repairWindow ?? DEFAULT_REPAIR_WINDOW;

  const key = groupKey(ds, opts.by);
  const groupKind = key !== null;

  const store = new SessionStore({ date: false, alliance: true, outcome: oIdx >= 0, group: groupKind });
  const stats = await ds.scan((row) => {
    const g = key ? key.read(row) : -1;
    store.add(row.client, row.session, NaN, row.values[aIdx], oIdx >= 0 ? row.values[oIdx] : NaN, g);
  });
  const nClients = store.clients;
  const read = store.reader();

  // ---- pass 1: pooled within-client SD of the alliance ----
  let ss = 0;
  let ratings = 0;
  let rated = 0;
  for (let c = 0; c < nClients; c++) {
    const s = read(c);
    let n = 0;
    let sum = 0;
    for (let k = 0; k < s.n; k++)
      if (!Number.isNaN(s.alliance[k])) {
        n++;
        sum += s.alliance[k];
      }
    if (n === 0) continue;
    const m = sum / n;
    for (let k = 0; k < s.n; k++) if (!Number.isNaN(s.alliance[k])) ss += (s.alliance[k] - m) ** 2;
    ratings += n;
    rated++;
  }
  const withinDf = ratings - rated;
  const withinSd = withinDf > 0 ? Math.sqrt(ss / withinDf) : NaN;
  let drop: number;
  let sdMultiple: number | null = null;
  if (opts.ruptureDrop !== undefined) drop = opts.ruptureDrop;
  else {
    sdMultiple = opts.ruptureSd ?? DEFAULT_SD_MULTIPLE;
    if (!(withinSd > 0)) {
      throw new UserError(
        withinDf > 0
          ? 'the alliance does not vary within any client, so no default rupture drop can be derived'
          : 'no client has two rated alliance sessions, so no default rupture drop can be derived',
        { location: { file: ds.files[0]?.display }, hint: 'Give the drop in score points with --rupture-drop POINTS' },
      );
    }
    drop = sdMultiple * withinSd;
  }

  // ---- pass 2: episodes, classes, change ----
  const levels = key ? key.levels() : [];
  const changes: Record<ClientClass, number[]> = { none: [], repaired: [], unrepaired: [], unresolved: [] };
  const counts: Record<ClientClass, number> = { none: 0, repaired: 0, unrepaired: 0, unresolved: 0 };
  const episodes = { total: 0, repaired: 0, unrepaired: 0, unresolved: 0 };
  let assessed = 0;
  let notAssessed = 0;
  let withoutChange = 0;
  const groupAcc = new Map<number, GroupRow>();
  let withoutLevel = 0;
  const clientRows: ClientRuptures[] | null = opts.clients ? [] : null;
  const modelRows = opts.model && oIdx >= 0 ? new RupturesModelRows() : null;
  const sess: number[] = [];
  const score: number[] = [];
  let clientsSeen = 0;
  for (let c = 0; c < nClients; c++) {
    const s = read(c);
    if (s.n === 0) continue;
    clientsSeen++;
    sess.length = 0;
    score.length = 0;
    let group = -1;
    let firstO = -1;
    let lastO = -1;
    for (let k = 0; k < s.n; k++) {
      if (!Number.isNaN(s.alliance[k])) {
        sess.push(s.session[k]);
        score.push(s.alliance[k]);
        if (group < 0 && s.group[k] >= 0) group = s.group[k];
      }
      if (!Number.isNaN(s.outcome[k])) {
        if (firstO < 0) firstO = k;
        lastO = k;
      }
    }
    if (group < 0 && groupKind) for (let k = 0; k < s.n && group < 0; k++) if (s.group[k] >= 0) group = s.group[k];
    // Change as `alliance trend` defines it: last minus first outcome, at a later session.
    const change = firstO >= 0 && s.session[lastO] > s.session[firstO] ? s.outcome[lastO] - s.outcome[firstO] : NaN;
    let cls: ClientClass | null = null;
    let eps: Episode[] = [];
    if (sess.length >= 2) {
      assessed++;
      eps = findEpisodes(sess, score, drop, window, dir);
      cls = classOf(eps);
      counts[cls]++;
      if (modelRows) for (let k = 0; k < s.n; k++) modelRows.add(c, s.session[k], s.outcome[k], cls);
      for (const e of eps) {
        episodes.total++;
        episodes[e.status]++;
      }
      if (Number.isNaN(change)) withoutChange++;
      else changes[cls].push(change);
      if (key) {
        if (group < 0) withoutLevel++;
        else {
          let g = groupAcc.get(group);
          if (!g) {
            g = {
              group: levels[group] ?? String(group),
              ...(key.columns.length > 1 ? { levels: key.values(group) } : {}),
              clients: 0,
              ratedSessions: 0,
              withRupture: 0,
              share: null,
              shareCi: null,
              episodes: 0,
              per100Sessions: null,
              repaired: 0,
              unrepaired: 0,
              unresolved: 0,
              repairedShare: null,
              repairedCi: null,
              classes: { none: 0, repaired: 0, unrepaired: 0, unresolved: 0 },
            };
            groupAcc.set(group, g);
          }
          g.clients++;
          g.ratedSessions += sess.length;
          if (eps.length > 0) g.withRupture++;
          g.episodes += eps.length;
          for (const e of eps) g[e.status]++;
          g.classes[cls]++;
        }
      }
    } else notAssessed++;
    if (clientRows) {
      clientRows.push({
        client: ds.clients[c] ?? String(c),
        ratedSessions: sess.length,
        class: cls,
        episodes: eps,
        change: Number.isNaN(change) ? null : change,
      });
    }
  }

  const classes: ClassRow[] = CLIENT_CLASSES.map((k) => {
    const x = changes[k];
    const n = x.length;
    const notEstimable: Record<string, string> = {};
    if (oIdx < 0) notEstimable.meanChange = 'no outcome measure';
    else if (n === 0) notEstimable.meanChange = 'no client of this class with a pre and post outcome';
    if (oIdx >= 0 && n < 2) notEstimable.meanChangeCi = 'needs at least 2 clients with a change';
    const m = n > 0 ? mean(x) : null;
    const sdc = n >= 2 ? sd(x) : null;
    return {
      class: k,
      clients: counts[k],
      share: assessed > 0 ? counts[k] / assessed : null,
      shareCi: wilsonInterval(counts[k], assessed),
      n,
      meanChange: m,
      sdChange: sdc,
      meanChangeCi: m !== null && sdc !== null ? tInterval(m, sdc, n) : null,
      notEstimable,
    };
  });

  const compare = (a: ClientClass, b: ClientClass): Comparison => {
    const base = { contrast: `${a} - ${b}`, first: a, second: b, n1: changes[a].length, n2: changes[b].length };
    if (oIdx < 0) return { ...base, difference: null, t: null, df: null, p: null, ci: null, reason: 'no outcome measure' };
    const w = welchTTest(changes[a], changes[b]);
    if (typeof w === 'string') return { ...base, difference: null, t: null, df: null, p: null, ci: null, reason: w };
    return { ...base, difference: w.difference, t: w.t, df: w.df, p: w.p, ci: w.ci };
  };
  const comparisons = [compare('repaired', 'unrepaired'), compare('repaired', 'none')];

  let groups: RupturesResult['groups'] = null;
  if (key) {
    const minClients = opts.minClients ?? 5;
    const all = [...groupAcc.entries()].sort(([a], [b]) => compareCells(key.values(a), key.values(b))).map(([, g]) => g);
    const rows: GroupRow[] = [];
    const suppressed: string[] = [];
    for (const g of all) {
      if (g.clients < minClients) {
        suppressed.push(g.group);
        continue;
      }
      g.share = g.withRupture / g.clients;
      g.shareCi = wilsonInterval(g.withRupture, g.clients);
      g.per100Sessions = g.ratedSessions > 0 ? (100 * g.episodes) / g.ratedSessions : null;
      const ended = g.repaired + g.unrepaired;
      g.repairedShare = ended > 0 ? g.repaired / ended : null;
      g.repairedCi = wilsonInterval(g.repaired, ended);
      rows.push(g);
    }
    groups = {
      by: key.by,
      minClients,
      rows,
      suppressed,
      withoutLevel,
    };
  }

  return {
    measures: {
      alliance: measureInfo(measures[aIdx], allianceInst?.higherIsBetter),
      outcome: oIdx >= 0 ? measureInfo(measures[oIdx], measures[oIdx].instrument?.higherIsBetter) : null,
    },
    rows: stats.rows,
    clients: clientsSeen,
    method: {
      drop,
      dropSource: opts.ruptureDrop !== undefined ? 'given' : 'within-client-sd',
      sdMultiple,
      withinSd: Number.isFinite(withinSd) ? withinSd : null,
      withinSdDf: withinDf,
      repairWindow: window,
      allianceHigherIsBetter: higher,
    },
    assessed,
    notAssessed,
    episodes,
    classes,
    comparisons,
    outcomeNote:
      oIdx < 0
        ? 'no outcome measure: change by class is not estimable'
        : withoutChange > 0
          ? `${withoutChange} assessed client(s) without a pre and post outcome are counted in their class but not in its change`
          : null,
    groups,
    clientRows,
    ...(opts.model ? { model: modelRows ? fitRupturesModel(modelRows, measures[oIdx].name) : noOutcomeModel() } : {}),
  };
}

function noOutcomeModel(): RupturesModel {
  return {
    formula: 'outcome ~ session * class + (1 | client)',
    reference: null,
    nobs: 0,
    clients: 0,
    fixed: [],
    contrasts: [],
    clientVariance: null,
    residualVariance: null,
    singular: false,
    converged: false,
    notEstimable: 'no outcome measure',
  };
}
