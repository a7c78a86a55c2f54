/**
 * Entry point of bin/sif. Kept free of yargs and the commands so that an early
 * start (early-verify.ts) begins before they load, and the hot reading
 * commands (hot-commands.ts) run without them.
 */
import { abandonEarlyVerify, startEarlyVerify } from './early-verify.js';
import { runHotCommand } from './hot-commands.js';
import { processIo } from './io.js';
import { exitOnInterrupt } from './outcome.js';

/** Runs the CLI on the process's arguments and sets its exit code. */
export async function launch(argv: readonly string[]): Promise<void> {
  await startEarlyVerify(argv);
  exitOnInterrupt();
  try {
    process.exitCode = (await runHotCommand(argv, processIo())) ?? (await (await import('./main.js')).main(argv));
  } finally {
    await abandonEarlyVerify();
  }
}
