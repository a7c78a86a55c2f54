/**
 * Which keyservers a command asks, in one place: `-u/--url`, else
 * $SIF_KEYSERVER, else $APPTAINER_URL (the environment form of Apptainer's
 * -u), else Apptainer's remote.yaml, else Apptainer's default keyserver with
 * its warning. Also the per-keyserver timeout ($SIF_KEYSERVER_TIMEOUT).
 */
import { UsageError } from '../errors.js';
import { normalizeKeyserverUrl, type Keyserver } from './url.js';

export interface KeyserverChoice {
  readonly servers: Keyserver[];
  /** Apptainer's fallback warning, when neither a URL nor a remote.yaml named a keyserver. */
  readonly warning: string | undefined;
}

/** URLs named on the command line or in the environment ($SIF_KEYSERVER, $APPTAINER_URL; comma-separated); empty when none. */
export function explicitKeyservers(urls: readonly string[], env: NodeJS.ProcessEnv): Keyserver[] {
  const named = urls.length > 0 ? urls : splitList(env.SIF_KEYSERVER || env.APPTAINER_URL || '');
  return named.map((u) => ({ url: normalizeKeyserverUrl(u) }));
}

const splitList = (text: string) => text.split(',').map((s) => s.trim()).filter((s) => s !== '');

/**
 * The keyservers for `sif key search|pull|push|refresh`: the explicit ones,
 * else remote.yaml's primary one, else Apptainer's default.
 */
export async function chooseKeyservers(urls: readonly string[], env: NodeJS.ProcessEnv): Promise<KeyserverChoice> {
  const explicit = explicitKeyservers(urls, env);
  if (explicit.length > 0) return { servers: explicit, warning: undefined };
  // Loaded here: every `sif verify` asks explicitKeyservers(), only the key commands read remote.yaml.
  const { DEFAULT_KEYSERVER, remoteYamlKeyservers } = await import('./remote-config.js');
  const configured = await remoteYamlKeyservers(env, false);
  if (configured) return { servers: configured, warning: undefined };
  return {
    servers: [{ url: normalizeKeyserverUrl(DEFAULT_KEYSERVER) }],
    warning: `No default remote in use, falling back to default keyserver: ${DEFAULT_KEYSERVER}`,
  };
}

/**
 * Apptainer's per-keyserver timeout. Here rather than in hkp.ts, so that
 * choosing (which every verify does) does not load node:http.
 */
export const DEFAULT_TIMEOUT_MS = 5000;

/** $SIF_KEYSERVER_TIMEOUT (seconds, > 0), else Apptainer's 5 s. */
export function keyserverTimeoutMs(env: NodeJS.ProcessEnv): number {
  const text = env.SIF_KEYSERVER_TIMEOUT;
  if (text === undefined || text === '') return DEFAULT_TIMEOUT_MS;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`SIF_KEYSERVER_TIMEOUT=${JSON.stringify(text)}: expected a number of seconds above 0`);
  return Math.round(seconds * 1000);
}
