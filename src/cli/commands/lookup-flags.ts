/**
 * The keyserver-lookup flags of the commands that verify (`verify`,
 * `bootstrap-check`): `-u/--url URL` (repeatable) or $SIF_KEYSERVER /
 * $APPTAINER_URL turn the lookup on, `-l/--local` (or Apptainer's
 * $APPTAINER_LOCAL_VERIFY) turns it off whatever else says. Without them sif
 * touches no network (docs/compat.md).
 */
import type { Argv } from 'yargs';
import { UsageError } from '../../errors.js';
import type { RemoteLookup } from '../../integrity/remote-keys.js';
import type { Io } from '../io.js';
import { repeatable } from '../repeated-flags.js';

/** The spellings of true Go's strconv.ParseBool accepts, as Apptainer reads a boolean variable. */
const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

export interface LookupArgs {
  url?: string[];
  local?: boolean;
}

export function lookupOptions<T>(y: Argv<T>) {
  return y
    .option('url', {
      ...repeatable,
      alias: 'u',
      describe: 'keyserver to ask for a signer no keyring holds (repeatable; default $SIF_KEYSERVER, $APPTAINER_URL, else none)',
    })
    .option('local', { alias: 'l', type: 'boolean', describe: 'never ask a keyserver, whatever the environment says' });
}

/** The keyservers to ask, or undefined for a run that must not touch the network. */
export async function remoteLookupFromArgs(a: LookupArgs, io: Io): Promise<RemoteLookup | undefined> {
  if (a.local) {
    if (a.url?.length) throw new UsageError('--local and --url contradict each other: pass one of them');
    return undefined;
  }
  if (GO_TRUE.has(io.env.APPTAINER_LOCAL_VERIFY ?? '')) return undefined; // Apptainer's environment form of -l
  const { explicitKeyservers, keyserverTimeoutMs } = await import('../../keyserver/choose.js');
  const servers = explicitKeyservers(a.url ?? [], io.env);
  if (servers.length === 0) return undefined;
  return {
    servers,
    hkp: { timeoutMs: keyserverTimeoutMs(io.env) },
    onWarning: (message) => io.stderr.write(`sif: warning: ${message}\n`),
  };
}
