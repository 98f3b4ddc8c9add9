/** A Float64Array that grows by doubling: the dataset layer's (the range reducers fill one too). */
export { GrowableF64 } from '../../dataset/intern.js';
