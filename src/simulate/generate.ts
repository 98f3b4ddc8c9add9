/**
 * Streams synthetic session exports in the long format the reader takes (one row per client
 * session). Output is produced in chunks of about 64 KB, so memory stays flat however many
 * rows are asked for, and is a pure function of the spec: same spec and seed, same bytes.
 */
import type { Instrument } from '../instruments/types.js';
import { columnName } from '../instruments/registry.js';
import { Random } from '../stats/random.js';
import { SHARED_OUTCOME, attendedPmf, calibrate, profileFor, type Calibration, type SessionPlan } from './model.js';

export interface SimulateSpec {
  /** Number of clients; undefined = as many as `rows` needs. */
  clients?: number;
  therapists: number;
  sessions: SessionPlan;
  /** Probability of ending after each session before the planned last one. */
  dropout: number;
  alliance: Instrument;
  outcomes: Instrument[];
  between: number;
  within: number;
  lag: number;
  /** Probability that a measure cell is empty. */
  missing: number;
  /** Number of sites; 0 = no site column. */
  sites: number;
  /** First possible session date, days since 1970-01-01 (UTC). */
  start: number;
  /** Intakes are spread uniformly over this many days from `start` (default 365). */
  intakeDays?: number;
  seed: number;
  /** Stop after this many data rows; undefined = no limit. */
  rows?: number;
  /**
   * Therapist random effects (0 or absent = none): the SD of each therapist's shift of the
   * alliance (in units of the alliance's between-client SD) and of the outcomes (in units
   * of each outcome's between-client SD, in the better direction), and the correlation of
   * the two shifts over therapists. Drawn from their own stream, so the rest is unchanged.
   */
  therapistAlliance?: number;
  therapistOutcome?: number;
  therapistCorr?: number;
  /** Planted ruptures (absent = none); drawn from their own stream. */
  ruptures?: PlantedRuptures;
}

/**
 * Planted alliance ruptures: from session 2 on, each session starts a rupture with
 * probability `rate`; the alliance of that session is `depth` points lower (in the worse
 * direction). With probability `repair` the rupture is repaired (the next session is back
 * to the client's course: a V-shaped dip), else it persists (the alliance stays `depth`
 * points lower for the rest of treatment). The outcome is not affected.
 */
export interface PlantedRuptures {
  rate: number;
  depth: number;
  repair: number;
}

export const CHUNK_CHARS = 1 << 16;

/** The calibration the spec implies (throws CalibrationError when unreachable). */
export function calibrationFor(spec: SimulateSpec): Calibration {
  return calibrate({
    alliance: profileFor(spec.alliance),
    outcomes: spec.outcomes.map(profileFor),
    between: spec.between,
    within: spec.within,
    lag: spec.lag,
    pmf: attendedPmf(spec.sessions, spec.dropout),
  });
}

export function headerFor(spec: SimulateSpec): string[] {
  const h = ['client_id', 'therapist_id'];
  if (spec.sites > 0) h.push('site');
  h.push('session', 'date', columnName(spec.alliance), ...spec.outcomes.map(columnName));
  return h;
}

/** Days since 1970-01-01 -> "YYYY-MM-DD" (Hinnant's civil_from_days). */
export function isoDate(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${y}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

/** "YYYY-MM-DD" -> days since 1970-01-01, or NaN when not a valid calendar date. */
export function parseIsoDate(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return NaN;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const days = t / 86400000;
  return isoDate(days) === s ? days : NaN;
}

function pad(n: number, width: number): string {
  const s = String(n);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
}

/**
 * The text of every score lo, lo + 10^-decimals, ..., hi, as the number prints (shortest
 * round-trip: 36 not 36.0, 36.2). Index = round((x - lo) * 10^decimals).
 */
export function scoreTable(lo: number, hi: number, decimals: number): string[] {
  const scale = Math.pow(10, decimals);
  const n = Math.round((hi - lo) * scale);
  const out: string[] = [];
  for (let i = 0; i <= n; i++) out.push(String(Math.round(lo * scale + i) / scale));
  return out;
}

/** Planned session count (>= 1). */
function drawPlanned(plan: SessionPlan, uniform: () => number): number {
  if (plan.kind === 'range') return plan.min + Math.floor(uniform() * (plan.max - plan.min + 1));
  // 1 + Poisson(mean - 1), by inversion (Knuth); capped like the calibration.
  const lambda = plan.mean - 1;
  const L = Math.exp(-lambda);
  let k = 0;
  let p = uniform();
  while (p > L && k < 1000) {
    k++;
    p *= uniform();
  }
  return 1 + k;
}

/**
 * The CSV text (header first), in chunks of about CHUNK_CHARS characters. Fields never
 * need quoting (ids, numbers, dates). Line ends are "\n".
 */
export function* generateCsv(spec: SimulateSpec): Generator<string, void, undefined> {
  const cal = calibrationFor(spec);
  const rng = new Random(spec.seed);
  // 32-bit uniforms suffice for the coin flips here (missingness, dropout, jitter).
  const U = (): number => rng.nextUint32() / 4294967296;
  const Nrm = (): number => rng.normal();
  const A = profileFor(spec.alliance);
  const [aLo, aHi] = spec.alliance.range.value;
  const K = spec.outcomes.length;
  const O = spec.outcomes.map(profileFor);
  const oLo = spec.outcomes.map((o) => o.range.value[0]);
  const oHi = spec.outcomes.map((o) => o.range.value[1]);
  const oDir = spec.outcomes.map((o) => (o.higherIsBetter ? 1 : -1));
  const gA = A.gain10 / Math.log(10);
  const gO = O.map((p) => p.gain10 / Math.log(10));
  const aScale = Math.pow(10, A.decimals);
  const oScale = O.map((p) => Math.pow(10, p.decimals));
  const bK = cal.between;
  const bRest = bK.map((b) => Math.sqrt(1 - b * b));
  const aK = cal.within;
  const aRest = aK.map((a) => Math.sqrt(1 - a * a));
  const c = cal.c;
  const lag = spec.lag;
  const sh = Math.sqrt(SHARED_OUTCOME);
  const sp = Math.sqrt(1 - SHARED_OUTCOME);
  const missing = spec.missing;
  const maxRows = spec.rows ?? Infinity;
  const maxClients = spec.clients ?? Infinity;
  const therapistIds: string[] = [];
  const therapistSite: string[] = [];
  for (let t = 0; t < spec.therapists; t++) {
    therapistIds.push(`T${pad(t + 1, 2)}`);
    if (spec.sites > 0) therapistSite.push(`S${(t % spec.sites) + 1}`);
  }
  // Therapist effects and planted ruptures come from their own streams, so a file made
  // without them is byte-identical to one made before they existed.
  const tEffA = new Float64Array(spec.therapists);
  const tEffO = new Float64Array(spec.therapists);
  const tA = spec.therapistAlliance ?? 0;
  const tO = spec.therapistOutcome ?? 0;
  if (tA > 0 || tO > 0) {
    const trng = new Random(`therapists:${spec.seed}`);
    const r = spec.therapistCorr ?? 0;
    const rRest = Math.sqrt(1 - r * r);
    for (let t = 0; t < spec.therapists; t++) {
      const za = trng.normal();
      const zo = r * za + rRest * trng.normal();
      tEffA[t] = tA * za;
      tEffO[t] = tO * zo;
    }
  }
  const planted = spec.ruptures && spec.ruptures.rate > 0 ? spec.ruptures : null;
  const rrng = planted ? new Random(`ruptures:${spec.seed}`) : null;
  const RU = (): number => rrng!.nextUint32() / 4294967296;
  const aDir = spec.alliance.higherIsBetter === false ? -1 : 1;
  const v = new Float64Array(K);
  const lnCache: number[] = [0];
  // Strings are looked up, not formatted: every score an instrument can take at its
  // resolution, every session number and date seen so far.
  const aText = scoreTable(aLo, aHi, A.decimals);
  const oText = O.map((p, k) => scoreTable(oLo[k], oHi[k], p.decimals));
  const sessionText: string[] = [];
  const dateText: string[] = [];
  const dateOf = (d: number): string => {
    const i = d - spec.start;
    let s = dateText[i];
    if (s === undefined) s = dateText[i] = isoDate(d);
    return s;
  };

  let buf = headerFor(spec).join(',') + '\n';
  let rows = 0;
  for (let client = 1; client <= maxClients && rows < maxRows; client++) {
    const t = Math.floor(U() * spec.therapists);
    const prefix = spec.sites > 0 ? `C${pad(client, 5)},${therapistIds[t]},${therapistSite[t]},` : `C${pad(client, 5)},${therapistIds[t]},`;
    const planned = drawPlanned(spec.sessions, U);
    const u = Nrm();
    const hShared = Nrm();
    for (let k = 0; k < K; k++) v[k] = bK[k] * u + bRest[k] * (sh * hShared + sp * Nrm());
    let date = spec.start + Math.floor(U() * (spec.intakeDays ?? 365));
    let xPrev = Nrm();
    const shiftA = A.sdB * tEffA[t];
    const shiftO = tEffO[t];
    let persistent = 0;
    for (let s = 1; rows < maxRows; s++) {
      const ln = s < lnCache.length ? lnCache[s] : (lnCache[s] = Math.log(s));
      let dip = 0;
      if (planted && s >= 2 && RU() < planted.rate) {
        if (RU() < planted.repair) dip = planted.depth;
        else persistent += planted.depth;
      }
      const x = Nrm();
      const zShared = Nrm();
      // Alliance
      let line = prefix + (sessionText[s] ?? (sessionText[s] = String(s))) + ',' + dateOf(date) + ',';
      if (U() < missing) {
        // empty cell
      } else {
        let a = A.mean + A.sdB * u + A.sdW * x + gA * ln + shiftA - aDir * (persistent + dip);
        a = a < aLo ? aLo : a > aHi ? aHi : a;
        line += aText[Math.round((a - aLo) * aScale)];
      }
      for (let k = 0; k < K; k++) {
        const wPrime = aK[k] * x + aRest[k] * (sh * zShared + sp * Nrm());
        const w = c * wPrime + lag * xPrev;
        const p = O[k];
        line += ',';
        if (U() < missing) continue;
        let o = p.mean + oDir[k] * (p.sdB * (v[k] + shiftO) + p.sdW * w + gO[k] * ln);
        o = o < oLo[k] ? oLo[k] : o > oHi[k] ? oHi[k] : o;
        line += oText[k][Math.round((o - oLo[k]) * oScale[k])];
      }
      buf += line + '\n';
      rows++;
      if (buf.length >= CHUNK_CHARS) {
        yield buf;
        buf = '';
      }
      xPrev = x;
      // Next session: about a week later (-2..+2 days), a skipped week one time in ten.
      const jitter = Math.floor(U() * 5) - 2;
      const skip = U() < 0.1 ? 7 : 0;
      const ends = s >= planned || U() < spec.dropout;
      if (ends) break;
      date += 7 + jitter + skip;
    }
  }
  if (buf.length > 0) yield buf;
}
