import type { CommandModule } from 'yargs';
import type { Io } from '../io.js';
import { addCommand } from './add.js';
import { attestCommand } from './attest.js';
import { bootstrapCheckCommand } from './bootstrap-check.js';
import { digestCommand } from './digest.js';
import { dumpCommand, headerCommand, infoCommand, listCommand } from './inspect.js';
import { keyCommand } from './key/index.js';
import { pullCommand, pushCommand } from './push-pull.js';
import { signCommand } from './sign.js';
import { verifyCommand } from './verify.js';
import { verifyArtifactsCommand } from './verify-artifacts.js';
import { verifyAttestationCommand } from './verify-attestation.js';
import { webCommand } from './web.js';
import { delCommand, newCommand, setprimCommand } from './write.js';

/** Every top-level command, in the order `sif --help` lists them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each command has its own argument type; yargs' CommandModule is invariant in it
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
    bootstrapCheckCommand(io),
    pushCommand(io),
    pullCommand(io),
    digestCommand(io),
    attestCommand(io),
    verifyAttestationCommand(io),
    verifyArtifactsCommand(io),
    keyCommand(io),
    webCommand(io),
  ];
}
