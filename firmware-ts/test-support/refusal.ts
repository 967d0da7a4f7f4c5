import { CountylineError } from '../src/errors.js';

/** The coded error a promise rejects with; anything else (or no rejection) fails the test. */
export async function refusal(p: Promise<unknown>): Promise<CountylineError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof CountylineError)) throw new Error(`expected a CountylineError, got ${String(err)}`);
  return err;
}
