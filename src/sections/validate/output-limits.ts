/**
 * validate's output limits, apart from the renderers, so that the command can declare its
 * defaults without loading them.
 */

/** Annotations per code by default (GitHub shows 10 error and 10 warning annotations per step). */
export const DEFAULT_MAX_ANNOTATIONS = 10;
