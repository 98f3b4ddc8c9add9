/**
 * `alliance ruptures --model`: the outcome by rupture class in a mixed model of outcome over
 * sessions (issue 17), on every session with an outcome of the assessed clients:
 *
 *   outcome ~ session * class + (1 | client)
 *
 * by REML with Satterthwaite df (lme4 + lmerTest), class as a factor with treatment
 * contrasts against the first class present in the order none, repaired, unrepaired,
 * unresolved (R's default coding of factor(class, levels = ...) with empty levels dropped).
 * The session:class terms are differences in the outcome's slope over sessions from the
 * reference class; the contrast repaired - unrepaired of the slopes is tested as
 * lmerTest::contest1D does. Observational, like the change comparison.
 */
import { CrossProductAccumulator } from '../stats/lmm/data.js';
import { FLAT_CURVATURE, fitLmm, LmmError, satterthwaiteContrast } from '../stats/lmm/fit.js';
import { SingleFactorStructure } from '../stats/lmm/profile.js';
import { fixedRow } from './model/statistics.js';
import type { FixedEffect } from './model/types.js';

/** A client's rupture class (here so that ruptures.ts can import the model without a cycle; it re-exports it). */
export type ClientClass = 'none' | 'repaired' | 'unrepaired' | 'unresolved';

export interface RupturesModel {
  formula: string;
  reference: ClientClass | null;
  /** Sessions (rows) and clients used. */
  nobs: number;
  clients: number;
  fixed: FixedEffect[];
  /** The slope contrasts between classes (repaired - unrepaired, when both are present). */
  contrasts: FixedEffect[];
  clientVariance: number | null;
  residualVariance: number | null;
  singular: boolean;
  converged: boolean;
  notEstimable: string | null;
}

/** The rows of the model: one per session with an outcome (and session number) of an assessed client. */
export class RupturesModelRows {
  readonly client: number[] = [];
  readonly session: number[] = [];
  readonly outcome: number[] = [];
  readonly cls: ClientClass[] = [];
  add(client: number, session: number, outcome: number, cls: ClientClass): void {
    if (!Number.isFinite(session) || !Number.isFinite(outcome)) return;
    this.client.push(client);
    this.session.push(session);
    this.outcome.push(outcome);
    this.cls.push(cls);
  }
}

const ORDER: ClientClass[] = ['none', 'repaired', 'unrepaired', 'unresolved'];

/** The model's shape before (or without) a fit: no estimates; `outcome` names the response in the formula. */
export function unfittedModel(outcome: string, reference: ClientClass | null, nobs: number, clients: number): Omit<RupturesModel, 'notEstimable'> {
  return {
    formula: `${outcome} ~ session * class + (1 | client)`,
    reference,
    nobs,
    clients,
    fixed: [],
    contrasts: [],
    clientVariance: null,
    residualVariance: null,
    singular: false,
    converged: false,
  };
}

export function fitRupturesModel(rows: RupturesModelRows, outcome: string): RupturesModel {
  const present = ORDER.filter((k) => rows.cls.includes(k));
  const reference = present[0] ?? null;
  const others = present.slice(1);
  const terms = ['(Intercept)', 'session', ...others.map((k) => `class_${k}`), ...others.map((k) => `session:class_${k}`)];
  const clients = new Set(rows.client).size;
  const empty = unfittedModel(outcome, reference, rows.client.length, clients);
  const formula = empty.formula;
  if (clients < 2) return { ...empty, notEstimable: `${clients} client(s) with an outcome; a mixed model needs at least 2` };
  if (rows.client.length <= clients)
    return { ...empty, notEstimable: 'every client has a single outcome session: client and residual variance cannot be separated' };
  const p = terms.length;
  const n = rows.client.length;
  const x = (i: number): number[] => {
    const row = [1, rows.session[i]];
    for (const k of others) row.push(rows.cls[i] === k ? 1 : 0);
    for (const k of others) row.push(rows.cls[i] === k ? rows.session[i] : 0);
    return row;
  };
  const shift = new Array<number>(p).fill(0);
  let yShift = 0;
  for (let i = 0; i < n; i++) {
    x(i).forEach((v, j) => (shift[j] += v / n));
    yShift += rows.outcome[i] / n;
  }
  shift[0] = 0;
  const acc = new CrossProductAccumulator(p, { shift, yShift });
  for (let i = 0; i < n; i++) acc.add(rows.client[i], x(i), rows.outcome[i]);
  const data = acc.finish();
  let fit;
  try {
    fit = fitLmm(new SingleFactorStructure(data, [0]), n, p, true);
  } catch (e) {
    if (e instanceof LmmError) {
      const why =
        e.reason === 'rank-deficient' && e.column > 0
          ? `${terms[e.column]} is constant or a combination of the other terms (for example every client of a class has the same sessions)`
          : e.message;
      return { ...empty, notEstimable: why };
    }
    throw e;
  }
  if (!(fit.flatness > FLAT_CURVATURE)) return { ...empty, notEstimable: 'the data do not identify the client variance (the likelihood is flat in it)' };
  const fixed = terms.map((t, j) => fixedRow(t, fit.beta[j], fit.se[j], fit.df[j]));
  const contrasts: FixedEffect[] = [];
  const a = terms.indexOf('session:class_repaired');
  const b = terms.indexOf('session:class_unrepaired');
  if (a > 0 && b > 0) {
    const L = terms.map((_, j) => (j === a ? 1 : j === b ? -1 : 0));
    const c = satterthwaiteContrast(fit, L);
    contrasts.push(fixedRow('slope: repaired - unrepaired', c.estimate, c.se, c.df));
  }
  const s2 = fit.sigma * fit.sigma;
  return {
    formula,
    reference,
    nobs: n,
    clients,
    fixed,
    contrasts,
    clientVariance: s2 * fit.theta[0] ** 2,
    residualVariance: s2,
    singular: fit.singular,
    converged: fit.converged,
    notEstimable: null,
  };
}
