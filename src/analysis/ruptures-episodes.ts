/**
 * Rupture-repair episodes of one client (docs/ruptures.md): the drop test, the episode
 * search, the client's class, and the facts `alliance ruptures` keeps of each client, which
 * pass 2 and the per-client rows (made again from the session store while they are written,
 * issue 16) both take from `clientFacts`.
 */
import { compareDifference, compareScores, scoreDifference } from '../stats/threshold.js';
import { clientCell } from './by-column.js';
import type { ClientSessions } from './trend/store.js';
import type { ClientClass } from './ruptures-model.js';

export type EpisodeStatus = 'repaired' | 'unrepaired' | 'unresolved';

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

/** What `alliance ruptures` takes of one client (sessions in session order). */
export interface ClientFacts {
  /** Rated alliance sessions. */
  rated: number;
  /** The client's cell: the group of their first session with a level (clientCell); -1 without. */
  group: number;
  /** Outcome change as `alliance trend` defines it (last minus first, at a later session); NaN without. */
  change: number;
  /** null with fewer than 2 rated sessions, or without a drop (not assessed). */
  cls: ClientClass | null;
  episodes: Episode[];
}

/**
 * The facts of one client. `sess` and `score` are scratch arrays (reused between clients);
 * `grouped` says whether there is a group column. Without a drop (null: none given and
 * none derivable) the client is not classed, but their rated sessions and change are kept.
 */
export function clientFacts(
  s: ClientSessions,
  grouped: boolean,
  drop: number | null,
  window: number,
  dir: number,
  sess: number[] = [],
  score: number[] = [],
): ClientFacts {
  sess.length = 0;
  score.length = 0;
  const group = grouped ? clientCell(s.group, s.n) : -1;
  let firstO = -1;
  let lastO = -1;
  for (let k = 0; k < s.n; k++) {
    if (!Number.isNaN(s.alliance[k])) {
      sess.push(s.session[k]);
      score.push(s.alliance[k]);
    }
    if (!Number.isNaN(s.outcome[k])) {
      if (firstO < 0) firstO = k;
      lastO = k;
    }
  }
  const change = firstO >= 0 && s.session[lastO] > s.session[firstO] ? s.outcome[lastO] - s.outcome[firstO] : NaN;
  if (sess.length < 2 || drop === null) return { rated: sess.length, group, change, cls: null, episodes: [] };
  const episodes = findEpisodes(sess, score, drop, window, dir);
  return { rated: sess.length, group, change, cls: classOf(episodes), episodes };
}
