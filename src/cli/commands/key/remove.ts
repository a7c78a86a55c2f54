import type { CommandModule } from 'yargs';
import { write, type Io } from '../../io.js';
import { keyringLocation, locationOptions, printWarnings, type LocationArgs } from './options.js';

interface RemoveArgs extends LocationArgs {
  fingerprint: string;
  public: boolean;
  secret: boolean;
  both: boolean;
}

export function removeCommand(io: Io): CommandModule<object, RemoveArgs> {
  return {
    command: 'remove <fingerprint>',
    describe: 'Remove a key from the public keyring (default), the private keyring, or both',
    builder: (y) =>
      locationOptions(y)
        .positional('fingerprint', { type: 'string', demandOption: true, describe: '40 hex digits, any case' })
        .option('public', { alias: 'p', type: 'boolean', default: false, describe: 'remove from the public keyring (the default)' })
        .option('secret', { alias: 's', type: 'boolean', default: false, describe: 'remove from the private keyring' })
        .option('both', { alias: 'b', type: 'boolean', default: false, describe: 'remove from both keyrings' }),
    handler: async (a) => {
      const location = keyringLocation(a, io);
      const from = a.both || (a.public && a.secret) ? 'both' : a.secret ? 'secret' : 'public';
      const { removeKey } = await import('../../../keys/remove.js');
      const { value, warnings } = await removeKey(location, a.fingerprint, from);
      await printWarnings(io, warnings);
      if (value.secret) await write(io.stdout, removedLine(value.fingerprint, value.secret, location.secretPath!));
      if (value.public) await write(io.stdout, removedLine(value.fingerprint, value.public, location.publicPath));
    },
  };
}

/** Apptainer's line for one copy; the count when a keyring held the key more than once. */
const removedLine = (fingerprint: string, copies: number, path: string) =>
  copies === 1 ? `Key with fingerprint ${fingerprint} removed from ${path}\n` : `${copies} copies of the key with fingerprint ${fingerprint} removed from ${path}\n`;
