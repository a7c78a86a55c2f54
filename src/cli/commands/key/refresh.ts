import type { CommandModule } from 'yargs';
import { KeyserverError } from '../../../errors.js';
import type { KeyringEntry } from '../../../keys/keyring.js';
import { write, type Io } from '../../io.js';
import { keyserversFor, urlOption, type UrlArgs } from './keyserver.js';
import { keyringLocation, locationOptions, printWarnings, type LocationArgs } from './options.js';

type RefreshArgs = UrlArgs & LocationArgs;

/**
 * `sif key refresh` (beyond Apptainer): every public key of the keyring asked
 * for again by fingerprint, and what the server adds merged in. Keys are
 * fetched before the keyring is locked and merged under the lock.
 */
export function refreshCommand(io: Io): CommandModule<object, RefreshArgs> {
  return {
    command: 'refresh',
    describe: 'Fetch every public key again from a key server and merge revocations, new expiry dates and user IDs',
    builder: (y) => urlOption(locationOptions(y)),
    handler: async (a) => {
      const location = keyringLocation(a, io);
      const { openKeyring } = await import('../../../keys/list.js');
      const { value: ring, warnings } = await openKeyring(location, false);
      await printWarnings(io, warnings);
      const { servers, hkp } = await keyserversFor(a, io);
      const { fetchKeys, NoMatchingKeyError } = await import('../../../keyserver/fetch-key.js');
      const updates: KeyringEntry[] = [];
      const lines: string[] = [];
      let failed = 0;
      for (const fingerprint of new Set(ring.entries.map((e) => e.fingerprint))) {
        try {
          const update = (await fetchKeys(servers, fingerprint, hkp)).entries.find((e) => e.fingerprint === fingerprint);
          if (update) updates.push(update);
          else lines.push(`${fingerprint}: the key server answered with another key; not used`);
        } catch (e) {
          if (e instanceof NoMatchingKeyError) lines.push(`${fingerprint}: not on the key server`);
          else {
            failed++;
            await printWarnings(io, [`${fingerprint}: ${(e as Error).message}`]);
          }
        }
      }
      const { mergeUpdates } = await import('../../../keys/keyserver-updates.js');
      const merged = await mergeUpdates(location, updates);
      await printWarnings(io, merged.warnings);
      for (const r of merged.value) lines.push(`${r.fingerprint}: ${r.added.length > 0 ? r.added.join(', ') : 'unchanged'}`);
      const changed = merged.value.filter((r) => r.added.length > 0).length;
      await write(io.stdout, lines.map((l) => `${l}\n`).join('') + `${changed} key(s) updated in keyring of trust ${location.publicPath}\n`);
      if (failed > 0) throw new KeyserverError(`refresh failed for ${failed} key(s); the others were refreshed`);
    },
  };
}
