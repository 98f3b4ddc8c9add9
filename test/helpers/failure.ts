import { expect } from 'vitest';
import { UserError } from '../../src/errors.js';

/** The one-line message of the UserError `p` rejects with (the test fails if it resolves or throws anything else). */
export async function failure(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(UserError);
  return (e as UserError).format();
}
