/** What `sif key search|pull|push|refresh` share: -u/--url, the keyserver choice and its warning, and the timeout. */
import type { Argv } from 'yargs';
import type { HkpOptions } from '../../../keyserver/hkp.js';
import type { Keyserver } from '../../../keyserver/url.js';
import type { Io } from '../../io.js';
import { printWarnings } from './options.js';

export interface UrlArgs {
  url?: string;
}

export function urlOption<T>(y: Argv<T>) {
  return y.option('url', {
    alias: 'u',
    type: 'string',
    describe: "key server URL (default $SIF_KEYSERVER, $APPTAINER_URL, else Apptainer's remote.yaml)",
  });
}

/** The keyservers to ask and how; prints Apptainer's fallback warning when it applies. */
export async function keyserversFor(a: UrlArgs, io: Io): Promise<{ servers: Keyserver[]; hkp: HkpOptions }> {
  const { chooseKeyservers, keyserverTimeoutMs } = await import('../../../keyserver/choose.js');
  const hkp = { timeoutMs: keyserverTimeoutMs(io.env) };
  const choice = await chooseKeyservers(a.url === undefined ? [] : [a.url], io.env);
  if (choice.warning) await printWarnings(io, [choice.warning]);
  return { servers: choice.servers, hkp };
}
