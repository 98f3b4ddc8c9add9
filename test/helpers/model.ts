/** Arguments the `alliance model` tests share (the nested fixture: 60 clients of 12 therapists). */

/** The arguments with the nested fixture's outcome and alliance columns, unless they name an outcome. */
export const withMapping = (args: string[]): string[] => (args.includes('--outcome') ? args : [...args, '--outcome', 'outcome', '--alliance', 'alliance']);

/** `alliance model` on fixtures/model/nested.csv decomposed by therapist, then `more`. */
export const nestedDecompose = (...more: string[]): string[] => ['model', ...withMapping(['fixtures/model/nested.csv']), '--decompose', 'therapist', ...more];
