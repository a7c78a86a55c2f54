/**
 * Every command line launch.ts does not run itself (or through
 * plain-verify.ts). Kept free of yargs and the commands so that an early start
 * (early-verify.ts) begins before they load.
 */
import { abandonEarlyVerify, startEarlyVerify } from './early-verify.js';
import { exitOnInterrupt } from './outcome.js';

/** Runs the command line and returns its exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  await startEarlyVerify(argv);
  exitOnInterrupt();
  try {
    return await (await import('./main.js')).main(argv);
  } finally {
    await abandonEarlyVerify();
  }
}
