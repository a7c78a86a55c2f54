/**
 * How long a soak test (the writers' kill tests, crash safety, fuzzing) runs.
 * CI (CI=true) always gets the test's full budget; a developer's `npm test`
 * gets LOCAL_SECONDS unless the test's variable (SIF_KILL_SECONDS,
 * SIF_FUZZ_SECONDS) asks for another length, up to the full budget or beyond.
 */
const LOCAL_SECONDS = 10;

/** Rounds a kill soak runs however short its budget, so it never checks nothing. */
export const MIN_ROUNDS = 3;

export type SoakVariable = 'SIF_KILL_SECONDS' | 'SIF_FUZZ_SECONDS';

export function soakSeconds(fullSeconds: number, variable: SoakVariable, env: NodeJS.ProcessEnv = process.env): number {
  if (env.CI === 'true') return fullSeconds;
  const given = env[variable];
  if (given === undefined || given === '') return LOCAL_SECONDS;
  const seconds = Number(given);
  // A typo must not turn the soak into a test that runs nothing and passes.
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`${variable}=${given}: expected a positive number of seconds`);
  return seconds;
}
