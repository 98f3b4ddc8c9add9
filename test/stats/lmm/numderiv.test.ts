/**
 * numderiv.ts reproduces numDeriv::hessian() and numDeriv::jacobian() (Richardson, default
 * method.args), the two calls lmerTest builds the Satterthwaite df from. Expected values:
 * test/reference/lmm.R (`numderiv`).
 */
import { describe, expect, it } from 'vitest';
import { numDerivHessian, numDerivJacobian } from '../../../src/stats/lmm/numderiv.js';
import { REF_RAW } from './reference-data.js';

const nd = REF_RAW.numderiv as { x: number[]; hessian: number[][]; jacobian: number[][] };
const f = (x: number[]) => Math.exp(x[0] * x[1]) + Math.log(x[2]) * x[0] ** 3 + Math.sin(x[3] + x[1]) * x[2];
const g = (x: number[]) => [x[0] ** 2 * x[2], Math.exp(x[1]) - x[3] ** 3, x[0] * x[1] * x[2] * (1 + x[3])];

describe('numDeriv reproduction', () => {
  it('hessian (d = 0.1, eps = 1e-4, r = 4), including a coordinate at 0', () => {
    const H = numDerivHessian(f, nd.x);
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        // same steps and extrapolation as R: agreement to rounding, not to truncation error
        expect(Math.abs(H[i * 4 + j] - nd.hessian[i][j])).toBeLessThan(1e-10 * (1 + Math.abs(nd.hessian[i][j])));
      }
    }
  });
  it('jacobian (d = 1e-4)', () => {
    const J = numDerivJacobian(g, nd.x); // one column per x
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 4; c++) expect(Math.abs(J[c][r] - nd.jacobian[r][c])).toBeLessThan(1e-9 * (1 + Math.abs(nd.jacobian[r][c])));
    }
  });
});
