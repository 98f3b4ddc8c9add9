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
import { UserError, headerLocation } from '../errors.js';
import { compareCells, groupKey } from './by-column.js';
import type { By } from '../names.js';
import type { Instrument } from '../instruments/types.js';
import { welchTTest } from '../stats/welch.js';
import { SessionStore } from './trend/store.js';
import { classOf, clientFacts, dropsBy, findEpisodes, reaches, type Episode, type EpisodeStatus } from './ruptures-episodes.js';
import { sequence, type Sequence } from '../sequence.js';
import { fitRupturesModel, RupturesModelRows, unfittedModel, type ClientClass, type RupturesModel } from './ruptures-model.js';
import { mean, sd, tInterval, wilsonInterval } from '../stats/descriptive.js';

export type { ClientClass, Episode, EpisodeStatus };
export { classOf, dropsBy, findEpisodes, reaches };
export const CLIENT_CLASSES: ClientClass[] = ['none', 'repaired', 'unrepaired', 'unresolved'];

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

export interface ClientRuptures {
  client: string;
  ratedSessions: number;
  /** null when the client is not assessed: fewer than 2 rated alliance sessions, or no rupture drop (method.drop null). */
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
  /** Assessed clients (>= 2 rated alliance sessions, and a rupture drop to class them by). */
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
    /** null when no drop is given and none can be derived (`reason` says why): no client is then classed. */
    drop: number | null;
    dropSource: 'given' | 'within-client-sd';
    sdMultiple: number | null;
    /** Pooled within-client SD of the alliance: sqrt(sum of squares around each client's mean / (ratings - clients)). */
    withinSd: number | null;
    withinSdDf: number;
    repairWindow: number;
    allianceHigherIsBetter: boolean;
    /** Why drop is null (only then). */
    reason?: string;
  };
  assessed: number;
  notAssessed: number;
  episodes: { total: number; repaired: number; unrepaired: number; unresolved: number };
  classes: ClassRow[];
  comparisons: Comparison[];
  outcomeNote: string | null;
  groups: { by: By; minClients: number; rows: GroupRow[]; suppressed: string[]; withoutLevel: number } | null;
  /** Made from the session store each time they are read (src/sequence.ts). */
  clientRows: Sequence<ClientRuptures> | null;
  /** --model: the mixed model of outcome over sessions by class (undefined unless asked). */
  model?: RupturesModel;
}

function measureInfo(binding: { name: string; instrument: Instrument | null }, higher: boolean | undefined): MeasureInfo {
  return { column: binding.name, instrument: binding.instrument?.id ?? null, higherIsBetter: higher ?? binding.instrument?.higherIsBetter ?? null };
}

export async function analyzeRuptures(ds: Dataset, opts: RupturesOptions = {}): Promise<RupturesResult> {
  const measures = ds.mapping.measures;
  const aIdx = measures.findIndex((m) => m.role === 'alliance');
  const oIdx = measures.findIndex((m) => m.role === 'outcome');
  if (aIdx < 0) {
    throw new UserError('no alliance column found', { location: headerLocation(ds.files[0]), hint: 'Name it with --alliance COL' });
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
  let twoRated = 0;
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
    if (n >= 2) twoRated++;
  }
  const withinDf = ratings - rated;
  const withinSd = withinDf > 0 ? Math.sqrt(ss / withinDf) : NaN;
  // Without a given drop, the drop is a multiple of the within-client SD; when that SD is 0
  // or undefined, no drop can be derived (a given --rupture-sd cannot help either: it only
  // names the multiple). The run still completes: drop null with the reason, and no client
  // is classed (docs/ruptures.md, "When no drop can be derived").
  let drop: number | null;
  let dropReason: string | undefined;
  let sdMultiple: number | null = null;
  if (opts.ruptureDrop !== undefined) drop = opts.ruptureDrop;
  else {
    sdMultiple = opts.ruptureSd ?? DEFAULT_SD_MULTIPLE;
    if (withinSd > 0) drop = sdMultiple * withinSd;
    else {
      drop = null;
      const a = measures[aIdx].name;
      dropReason =
        withinDf > 0
          ? `${a} does not vary within any of the ${twoRated} client(s) with two or more rated sessions (pooled within-client SD 0), so no rupture drop can be derived from it`
          : `no client has two rated ${a} sessions, so there is no within-client SD to derive a rupture drop from`;
    }
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
  const modelRows = opts.model && oIdx >= 0 ? new RupturesModelRows() : null;
  const sess: number[] = [];
  const score: number[] = [];
  let clientsSeen = 0;
  for (let c = 0; c < nClients; c++) {
    const s = read(c);
    if (s.n === 0) continue;
    clientsSeen++;
    const { group, change, cls, episodes: eps } = clientFacts(s, groupKind, drop, window, dir, sess, score);
    if (cls !== null) {
      assessed++;
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
  }

  // The per-client rows are made again from the store while they are written (issue 16).
  const clientRows: Sequence<ClientRuptures> | null = opts.clients
    ? sequence(clientsSeen, function* () {
        const sess: number[] = []; // scratch of this iteration (two may run at once)
        const score: number[] = [];
        for (let c = 0; c < nClients; c++) {
          const s = read(c);
          if (s.n === 0) continue;
          const f = clientFacts(s, groupKind, drop, window, dir, sess, score);
          yield {
            client: ds.clients[c] ?? String(c),
            ratedSessions: f.rated,
            class: f.cls,
            episodes: f.episodes,
            change: Number.isNaN(f.change) ? null : f.change,
          };
        }
      })
    : null;

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
    if (drop === null) return { ...base, difference: null, t: null, df: null, p: null, ci: null, reason: 'no client is classed: no rupture drop' };
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
      ...(dropReason !== undefined ? { reason: dropReason } : {}),
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
    ...(opts.model
      ? {
          model: !modelRows
            ? noOutcomeModel()
            : dropReason !== undefined
              ? unclassedModel(measures[oIdx].name, dropReason)
              : fitRupturesModel(modelRows, measures[oIdx].name),
        }
      : {}),
  };
}

/** No drop: no client has a class, so there is no class to model. */
function unclassedModel(outcome: string, why: string): RupturesModel {
  return { ...unfittedModel(outcome, null, 0, 0), notEstimable: `no client is classed: ${why}` };
}

function noOutcomeModel(): RupturesModel {
  return { ...unfittedModel('outcome', null, 0, 0), notEstimable: 'no outcome measure' };
}
