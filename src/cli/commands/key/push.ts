import type { CommandModule } from 'yargs';
import { KeyserverError, UsageError } from '../../../errors.js';
import { write, type Io } from '../../io.js';
import { keyserversFor, urlOption, type UrlArgs } from './keyserver.js';
import { keyringLocation, locationOptions, printWarnings, type LocationArgs } from './options.js';

interface PushArgs extends UrlArgs, LocationArgs {
  fingerprint: string;
}

/** `sif key push`: a public key of the keyring to a key server, as Apptainer key push. */
export function pushCommand(io: Io): CommandModule<object, PushArgs> {
  return {
    command: 'push <fingerprint>',
    describe: 'Upload a public key to a key server (as Apptainer key push)',
    builder: (y) => urlOption(locationOptions(y)).positional('fingerprint', { type: 'string', demandOption: true, describe: 'key ID (16 hex digits) or fingerprint (40)' }),
    handler: async (a) => {
      const arg = a.fingerprint;
      if (arg.length !== 16 && arg.length !== 40) throw new UsageError('please provide a keyid(16 chars) or a full fingerprint(40 chars)');
      if (!/^[0-9A-Fa-f]+$/.test(arg)) throw new UsageError(`invalid key ID or fingerprint ${JSON.stringify(arg)}: expected hex digits`);
      const location = keyringLocation(a, io);
      const { openKeyring } = await import('../../../keys/list.js');
      const { value: ring, warnings } = await openKeyring(location, false);
      await printWarnings(io, warnings);
      const { pushCandidate } = await import('../../../keys/keyserver-updates.js');
      const armored = pushCandidate(ring, arg);
      const { servers, hkp } = await keyserversFor(a, io);
      const { hkpAdd, httpErrorText, isSuccess } = await import('../../../keyserver/hkp.js');
      const { unauthorizedMessage } = await import('../../../keyserver/fetch-key.js');
      const fail = (why: string, cause?: unknown) => new KeyserverError(`push failed: ${why}`, { cause });
      const reply = await hkpAdd(servers, armored, hkp).catch((e: KeyserverError) => {
        throw fail(`key server did not accept PGP key: ${e.message}`, e);
      });
      if (reply.status === 401) throw fail(unauthorizedMessage(reply.url));
      if (!isSuccess(reply)) throw fail(`key server did not accept PGP key: ${httpErrorText(reply)}`);
      if (reply.body !== '') await write(io.stderr, `sif: keyserver response: ${reply.body}${reply.body.endsWith('\n') ? '' : '\n'}`);
      await write(io.stdout, `public key \`${arg}' pushed to server successfully\n`);
    },
  };
}
