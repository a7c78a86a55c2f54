import type { CommandModule } from 'yargs';
import { KeyserverError } from '../../../errors.js';
import { write, type Io } from '../../io.js';
import { keyserversFor, urlOption, type UrlArgs } from './keyserver.js';
import { keyringLocation, locationOptions, printWarnings, type LocationArgs } from './options.js';

interface PullArgs extends UrlArgs, LocationArgs {
  fingerprint: string;
}

/** `sif key pull`: a public key from a key server into the keyring, as Apptainer key pull. */
export function pullCommand(io: Io): CommandModule<object, PullArgs> {
  return {
    command: 'pull <fingerprint>',
    describe: 'Download a public key from a key server (as Apptainer key pull)',
    builder: (y) => urlOption(locationOptions(y)).positional('fingerprint', { type: 'string', demandOption: true, describe: 'key ID (8 hex digits) or fingerprint (40), no 0x' }),
    handler: async (a) => {
      const location = keyringLocation(a, io);
      const { pullKeyHex } = await import('../../../keyserver/key-id.js');
      const hex = pullKeyHex(a.fingerprint);
      const { servers, hkp } = await keyserversFor(a, io);
      const { fetchKeys } = await import('../../../keyserver/fetch-key.js');
      const fail = (why: string, cause?: unknown) => new KeyserverError(`pull failed: unable to pull key from server: ${why}`, { cause });
      const { entries } = await fetchKeys(servers, hex, hkp).catch((e: KeyserverError) => {
        throw fail(e.message, e);
      });
      if (entries.length === 0) throw fail('no keys in keyring');
      if (entries.length > 1) throw fail('server returned more than one key for unique fingerprint');
      const { addPulledKeys } = await import('../../../keys/keyserver-updates.js');
      const { value, warnings } = await addPulledKeys(location, entries);
      await printWarnings(io, warnings);
      await write(io.stdout, `${value} key(s) added to keyring of trust ${location.publicPath}\n`);
    },
  };
}
