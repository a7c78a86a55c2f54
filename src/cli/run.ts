/**
 * Every command line launch.ts does not run itself. Kept free of yargs and the
 * commands so that an early start (early-verify.ts) begins before they load,
 * and a plain `sif verify` runs without yargs (hot-commands.ts).
 */
import { abandonEarlyVerify, startEarlyVerify } from './early-verify.js';
import { runPlainCommand } from './hot-commands.js';
import { processIo } from './io.js';
import { exitOnInterrupt } from './outcome.js';

/** Runs the command line and returns its exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  await startEarlyVerify(argv);
  exitOnInterrupt();
  try {
    const [name, ...rest] = argv;
    const io = processIo();
    const plain = name === 'verify' ? await runPlainCommand((await import('./commands/verify.js')).verifyCommand(io), rest, io) : undefined;
    return plain ?? (await (await import('./main.js')).main(argv));
  } finally {
    await abandonEarlyVerify();
  }
}
