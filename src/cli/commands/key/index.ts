/** `sif key …`: Apptainer-compatible key management (docs/keys.md). */
import type { CommandModule } from 'yargs';
import type { Io } from '../../io.js';
import { exportCommand } from './export.js';
import { importCommand } from './import.js';
import { listKeysCommand } from './list.js';
import { newpairCommand } from './newpair.js';
import { removeCommand } from './remove.js';

export function keyCommand(io: Io): CommandModule<object, object> {
  return {
    command: 'key',
    aliases: ['keys'],
    describe: 'Manage PGP keys in Apptainer-compatible keyrings (pgp-public, pgp-secret)',
    builder: (y) =>
      y
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        .command([newpairCommand(io), listKeysCommand(io), importCommand(io), exportCommand(io), removeCommand(io)] as CommandModule<object, any>[])
        .demandCommand(1, 'specify a key command: newpair, list, import, export or remove'),
    handler: () => undefined,
  };
}
