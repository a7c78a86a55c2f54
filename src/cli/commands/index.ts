import type { CommandModule } from 'yargs';
import type { Io } from '../io.js';
import { addCommand } from './add.js';
import { dumpCommand, headerCommand, infoCommand, listCommand } from './inspect.js';
import { signCommand } from './sign.js';
import { verifyCommand } from './verify.js';
import { delCommand, newCommand, setprimCommand } from './write.js';
import { keyCommand } from './key/index.js';

/** Every top-level command, in the order `sif --help` lists them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function commands(io: Io): CommandModule<object, any>[] {
  return [
    listCommand(io),
    infoCommand(io),
    headerCommand(io),
    dumpCommand(io),
    newCommand(),
    addCommand(io),
    delCommand(),
    setprimCommand(),
    signCommand(io),
    verifyCommand(io),
    keyCommand(io),
  ];
}
