/**
 * Entry point of bin/sif. Kept free of yargs and the commands so that an early
 * start (early-verify.ts) begins before they load.
 */
import { abandonEarlyVerify, startEarlyVerify } from './early-verify.js';

/** Runs the CLI on the process's arguments and sets its exit code. */
export async function launch(argv: readonly string[]): Promise<void> {
  await startEarlyVerify(argv);
  const { main, exitOnInterrupt } = await import('./main.js');
  exitOnInterrupt();
  try {
    process.exitCode = await main(argv);
  } finally {
    await abandonEarlyVerify();
  }
}
