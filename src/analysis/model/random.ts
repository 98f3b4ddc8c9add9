/**
 * The random structure's by-products: each client's (and therapist's) conditional modes
 * (BLUPs) with their conditional SDs, and the structure in the form the Kenward-Roger
 * computation takes (src/stats/lmm/kr.ts).
 */
import type { Dataset } from '../../dataset/types.js';
import type { LmmFit } from '../../stats/lmm/fit.js';
import type { KrLayout } from '../../stats/lmm/kr.js';
import { SingleFactorStructure, type RandomStructure } from '../../stats/lmm/profile.js';
import { NestedInterceptStructure, SlopeTherapistStructure } from '../../stats/lmm/nested.js';
import type { RandomEffect } from './types.js';

/** The BLUPs and their conditional SDs (lme4 `ranef(condVar = TRUE)`); therapists first. */
export function listRandomEffects(dataset: Dataset, structure: RandomStructure, fit: LmmFit, clientOf: Int32Array, therapistIds: number[]): RandomEffect[] {
  const out: RandomEffect[] = [];
  const sd = (v: number): number => fit.sigma * Math.sqrt(Math.max(0, v));
  if (structure instanceof SlopeTherapistStructure) {
    const { client, therapist, clientVar, therapistVar } = structure.ranef(fit.theta, fit.beta);
    therapistIds.forEach((t, i) =>
      out.push({ level: 'therapist', id: dataset.therapists[t], intercept: therapist[i], slope: null, interceptSD: sd(therapistVar[i]), slopeSD: null }),
    );
    clientOf.forEach((c, g) =>
      out.push({
        level: 'client',
        id: dataset.clients[c],
        intercept: client[g * 2],
        slope: client[g * 2 + 1],
        interceptSD: sd(clientVar[g * 4]),
        slopeSD: sd(clientVar[g * 4 + 3]),
      }),
    );
  } else if (structure instanceof NestedInterceptStructure) {
    const { client, therapist, clientVar, therapistVar } = structure.ranef(fit.theta, fit.beta);
    therapistIds.forEach((t, i) =>
      out.push({ level: 'therapist', id: dataset.therapists[t], intercept: therapist[i], slope: null, interceptSD: sd(therapistVar[i]), slopeSD: null }),
    );
    clientOf.forEach((c, g) =>
      out.push({ level: 'client', id: dataset.clients[c], intercept: client[g], slope: null, interceptSD: sd(clientVar[g]), slopeSD: null }),
    );
  } else {
    const s = structure as SingleFactorStructure;
    const { modes, condVar } = s.ranef(fit.theta, fit.beta);
    const q = s.q;
    clientOf.forEach((c, g) =>
      out.push({
        level: 'client',
        id: dataset.clients[c],
        intercept: modes[g * q],
        slope: q > 1 ? modes[g * q + 1] : null,
        interceptSD: sd(condVar[g * q * q]),
        slopeSD: q > 1 ? sd(condVar[g * q * q + q + 1]) : null,
      }),
    );
  }
  return out;
}

/** Blocks of groups: one per therapist (`parent[g]` = therapist index of group g). */
function therapistBlocks(parent: Int32Array, therapists: number): number[][] {
  const blocks: number[][] = Array.from({ length: therapists }, () => []);
  parent.forEach((t, g) => blocks[t].push(g));
  return blocks;
}

/** sigma^2 T T' for a lower-triangular relative factor T (q x q, row-major). */
function covariance(T: ArrayLike<number>, q: number, s2: number): Float64Array {
  const C = new Float64Array(q * q);
  for (let i = 0; i < q; i++) for (let j = 0; j < q; j++) for (let l = 0; l < q; l++) C[i * q + j] += s2 * T[i * q + l] * T[j * q + l];
  return C;
}

/** The fitted random structure as the KR computation takes it: blocks, Z columns, VarCorr, sigma^2. */
export function krLayout(structure: RandomStructure, fit: LmmFit): KrLayout {
  const s2 = fit.sigma * fit.sigma;
  const th = fit.theta;
  if (structure instanceof NestedInterceptStructure) {
    return {
      blocks: therapistBlocks(structure.parent, structure.therapists),
      blockCols: [0],
      blockCov: [s2 * th[1] * th[1]],
      clientCols: [0],
      clientCov: [s2 * th[0] * th[0]],
      sigma2: s2,
    };
  }
  if (structure instanceof SlopeTherapistStructure) {
    return {
      blocks: therapistBlocks(structure.parent, structure.therapists),
      blockCols: [0],
      blockCov: [s2 * th[3] * th[3]],
      clientCols: [0, structure.slopeCol],
      clientCov: covariance([th[0], 0, th[1], th[2]], 2, s2),
      sigma2: s2,
    };
  }
  const s = structure as SingleFactorStructure;
  return {
    blocks: Array.from({ length: s.data.groups }, (_, g) => [g]),
    blockCols: [],
    blockCov: [],
    clientCols: s.zCols,
    clientCov: covariance(s.factor(th), s.q, s2),
    sigma2: s2,
  };
}
