/**
 * `sif verify` on a plain command line (hot-commands.ts), from launch.ts. The
 * bundle builds this file alone, with all it reaches (the early start, the
 * keys, the checks) in it and nothing shared with the other commands but
 * openpgp (scripts/build-cli.mjs): loading the ~48 chunks of the shared bundle
 * that verify reaches cost more than parsing one file (docs/performance.md).
 * Any other verify line (help, an alias, a usage error) goes to run.ts, which
 * runs it through yargs as ever; so does a line that verifies with a
 * certificate, whose X.509 code (pkijs, ~600 kB) plain-verify.js leaves out.
 */
import { verifyCommand } from './commands/verify.js';
import { verifyKeySetOptionsFromArgs } from './commands/trust-flags.js';
import { abandonEarlyVerify, startEarlyVerify } from './early-verify.js';
import { hotArguments, runHandler } from './hot-commands.js';
import type { Io } from './io.js';
import { exitOnInterrupt } from './outcome.js';

/** Runs `sif verify` on argv (after the command name) if the line is plain and returns its exit code; undefined (having done nothing) otherwise. */
export async function runPlainVerify(argv: readonly string[], io: Io): Promise<number | undefined> {
  const command = verifyCommand(io);
  const args = hotArguments(command, argv);
  if (args === undefined || verifyKeySetOptionsFromArgs(args, io.env).certificate) return undefined;
  await startEarlyVerify(['verify', ...argv]);
  exitOnInterrupt(io);
  try {
    return await runHandler(command, args, io);
  } finally {
    await abandonEarlyVerify();
  }
}
