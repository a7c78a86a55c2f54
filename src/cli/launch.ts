/**
 * Entry point of bin/sif. `sif list|header|info|dump` with plain arguments,
 * which scripts call once per image, run from here, and a plain `sif verify`
 * from plain-verify.ts; every other command line goes to run.ts. The bundle
 * builds this file alone, with all it reaches in it and the other two left
 * outside (scripts/build-cli.mjs), so these commands load one file of ~50 kB
 * instead of ~20 chunks of the shared bundle (docs/performance.md).
 */
import type { CommandModule } from 'yargs';
import { dumpCommand, headerCommand, infoCommand, listCommand } from './commands/inspect.js';
import { runPlainCommand } from './hot-commands.js';
import { processIo, type Io } from './io.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each command has its own argument type; yargs' CommandModule is invariant in it
const INSPECT: Readonly<Record<string, (io: Io) => CommandModule<object, any>>> = { list: listCommand, header: headerCommand, info: infoCommand, dump: dumpCommand };

/** Runs the CLI on the process's arguments and sets its exit code. */
export async function launch(argv: readonly string[]): Promise<void> {
  const [name, ...rest] = argv;
  const inspect = name !== undefined && Object.hasOwn(INSPECT, name) ? INSPECT[name] : undefined;
  let code: number | undefined;
  if (inspect) {
    const io = processIo();
    code = await runPlainCommand(inspect(io), rest, io);
  } else if (name === 'verify') {
    code = await (await import('./plain-verify.js')).runPlainVerify(rest, processIo());
  }
  process.exitCode = code ?? (await (await import('./run.js')).run(argv));
}
