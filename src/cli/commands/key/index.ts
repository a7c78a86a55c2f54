/** `sif key …`: Apptainer-compatible key management (docs/keys.md). */
import type { CommandModule } from 'yargs';
import type { Io } from '../../io.js';
import { exportCommand } from './export.js';
import { importCommand } from './import.js';
import { listKeysCommand } from './list.js';
import { newpairCommand } from './newpair.js';
import { pullCommand } from './pull.js';
import { pushCommand } from './push.js';
import { refreshCommand } from './refresh.js';
import { removeCommand } from './remove.js';
import { searchCommand } from './search.js';

/** The `sif key` subcommands, in the order `sif key --help` lists them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each command has its own argument type; yargs' CommandModule is invariant in it
export const keySubcommands = (io: Io): CommandModule<object, any>[] =>
  [
    newpairCommand(io),
    listKeysCommand(io),
    importCommand(io),
    exportCommand(io),
    removeCommand(io),
    searchCommand(io),
    pullCommand(io),
    pushCommand(io),
    refreshCommand(io),
  ];

export function keyCommand(io: Io): CommandModule<object, object> {
  return {
    command: 'key',
    aliases: ['keys'],
    describe: 'Manage PGP keys in Apptainer-compatible keyrings (pgp-public, pgp-secret)',
    builder: (y) =>
      y
        .command(keySubcommands(io))
        .demandCommand(1, 'specify a key command: newpair, list, import, export, remove, search, pull, push or refresh'),
    handler: () => undefined,
  };
}
