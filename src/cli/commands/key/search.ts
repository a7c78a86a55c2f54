import type { CommandModule } from 'yargs';
import { KeyserverError } from '../../../errors.js';
import { write, type Io } from '../../io.js';
import { goLocalZone } from '../../render/go-local-time.js';
import { keyserversFor, urlOption, type UrlArgs } from './keyserver.js';

interface SearchArgs extends UrlArgs {
  'search-string': string;
  'long-list': boolean;
}

/** Upper-case hex of 8+ digits is a key ID or fingerprint, which HKP wants as 0x… (Apptainer's rule, upper case only). */
const HEX_ID = /^[0-9A-F]{8,}$/;

/** `sif key search`: Apptainer's request, table and messages. */
export function searchCommand(io: Io): CommandModule<object, SearchArgs> {
  return {
    command: 'search <search-string>',
    describe: 'Search for keys on a key server (as Apptainer key search)',
    builder: (y) =>
      urlOption(y)
        .positional('search-string', { type: 'string', demandOption: true, describe: 'a name, email, key ID or fingerprint' })
        .option('long-list', { alias: 'l', type: 'boolean', default: false, describe: 'fingerprint, algorithm, dates and status of each key' }),
    handler: async (a) => {
      const { servers, hkp } = await keyserversFor(a, io);
      const search = HEX_ID.test(a['search-string']) ? `0x${a['search-string']}` : a['search-string'];
      const { hkpLookup } = await import('../../../keyserver/hkp.js');
      const { lookupRefusal } = await import('../../../keyserver/fetch-key.js');
      const fail = (why: string, cause?: unknown) => new KeyserverError(`search failed: ${why}`, { cause });
      const reply = await hkpLookup(servers, { fingerprint: 'on', op: 'index', options: 'mr', search, 'x-pagesize': '256' }, hkp).catch((e: KeyserverError) => {
        throw fail(`failed to get key: ${e.message}`, e);
      });
      const refusal = lookupRefusal(reply);
      if (refusal) throw fail(refusal.message, refusal);
      const { formatSearchIndex } = await import('../../render/key-search.js');
      const result = formatSearchIndex(reply.body, a['long-list'], goLocalZone(io.env));
      await write(io.stdout, Buffer.concat([Buffer.from(`Showing ${result.count} results\n\n`), result.table]));
      if (result.error) throw fail(result.error);
    },
  };
}
