/**
 * The keyservers Apptainer's remote.yaml names, read only: the system file
 * synced into the user's as Apptainer's SyncFrom does, the active remote's
 * `Keyservers` (skipped ones left out), TLS laxity (`Insecure`) and the
 * `Authorization` each one gets — the remote's token for its own keyserver,
 * the stored `Credentials` entry for an external one.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readWholeFile } from '../bounded-read.js';
import { fromSystemError, KeyserverError, UsageError } from '../errors.js';
import { homeDirectory } from '../home.js';
import { normalizeKeyserverUrl, type Keyserver } from './url.js';
import { parseYamlSubset, type YamlMap, type YamlValue } from './yaml-subset.js';

/** Apptainer's system remote.yaml for distribution packages and for source builds. */
export const APPTAINER_SYSTEM_REMOTE_YAML = ['/etc/apptainer/remote.yaml', '/usr/local/etc/apptainer/remote.yaml'];
/** The remote Apptainer ships, whose keyserver is hard-coded rather than discovered. */
const CLOUD_URI = 'cloud.apptainer.org';
export const DEFAULT_KEYSERVER = 'https://keys.openpgp.org';

interface ServiceConfig {
  readonly uri: string;
  readonly skip: boolean;
  readonly external: boolean;
  readonly insecure: boolean;
}
interface Endpoint {
  readonly uri: string;
  readonly token: string;
  readonly system: boolean;
  readonly exclusive: boolean;
  readonly keyservers: readonly ServiceConfig[];
}
interface Credential {
  readonly uri: string;
  readonly auth: string;
}
interface RemoteConfig {
  active: string;
  readonly remotes: Map<string, Endpoint>;
  readonly credentials: readonly Credential[];
}

/** The remote.yaml files that exist: $SIF_SYSTEM_REMOTE_YAML or Apptainer's system file, and the user's. */
export function remoteYamlPaths(env: NodeJS.ProcessEnv): { system: string | undefined; user: string | undefined } {
  const system = env.SIF_SYSTEM_REMOTE_YAML || APPTAINER_SYSTEM_REMOTE_YAML.find((p) => existsSync(p));
  const home = homeDirectory(env);
  const configDir = env.APPTAINER_CONFIGDIR || (home === undefined ? undefined : join(home, '.apptainer'));
  return { system, user: configDir === undefined ? undefined : join(configDir, 'remote.yaml') };
}

/**
 * The active remote's keyservers in order — all of them for `all` (verify),
 * else the primary one — or undefined when neither file exists or no remote
 * is active (Apptainer then falls back to its default keyserver).
 */
export async function remoteYamlKeyservers(env: NodeJS.ProcessEnv, all: boolean): Promise<Keyserver[] | undefined> {
  const paths = remoteYamlPaths(env);
  const system = paths.system === undefined ? undefined : await readConfig(paths.system);
  const user = paths.user === undefined ? undefined : await readConfig(paths.user);
  if (!system && !user) return undefined;
  const config = user ?? { active: '', remotes: new Map(), credentials: [] };
  if (system) syncFrom(config, system);
  const endpoint = config.remotes.get(config.active);
  if (!endpoint) return undefined;
  const servers = endpointKeyservers(config.active, endpoint, config.credentials);
  return all ? servers : servers.slice(0, 1);
}

async function readConfig(path: string): Promise<RemoteConfig | undefined> {
  let text: string;
  try {
    text = (await readWholeFile(path, 'a remote.yaml')).toString('utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fromSystemError(e, path);
  }
  return toConfig(parseYamlSubset(text, path), path);
}

/** The user's config with the system's remotes, as Apptainer's Config.SyncFrom. */
function syncFrom(user: RemoteConfig, system: RemoteConfig): void {
  for (const [name, sys] of system.remotes) {
    const own = user.remotes.get(name);
    if (own && !own.system) continue;
    user.remotes.set(name, { uri: sys.uri, token: own?.token ?? '', system: true, exclusive: sys.exclusive, keyservers: sys.keyservers });
    if (sys.exclusive) user.active = name;
  }
  if (user.active === '') user.active = system.active;
}

function endpointKeyservers(name: string, endpoint: Endpoint, credentials: readonly Credential[]): Keyserver[] {
  const bearer = endpoint.token ? `Bearer ${endpoint.token}` : undefined;
  if (endpoint.keyservers.length === 0) {
    if (endpoint.uri !== CLOUD_URI) {
      throw new KeyserverError(
        `remote ${JSON.stringify(name)} (${endpoint.uri}) lists no Keyservers, and sif does not discover them from the remote's config.prod.json: pass -u URL or set SIF_KEYSERVER`,
      );
    }
    return [{ url: normalizeKeyserverUrl(DEFAULT_KEYSERVER), authorization: bearer }];
  }
  return endpoint.keyservers
    .filter((k) => !k.skip)
    .map((k) => {
      const url = normalizeKeyserverUrl(k.uri);
      const stored = k.external ? credentials.find((c) => sameKeyserver(c.uri, url))?.auth : bearer;
      return { url, authorization: stored || undefined, insecure: k.insecure };
    });
}

function sameKeyserver(uri: string, normalized: string): boolean {
  try {
    return normalizeKeyserverUrl(uri) === normalized;
  } catch {
    return false;
  }
}

// go-yaml with KnownFields(true), as Apptainer decodes: unknown keys are an error.
const TOP = ['Active', 'Remotes', 'Credentials'];
const ENDPOINT = ['URI', 'Token', 'System', 'Exclusive', 'Keyservers'];
const SERVICE = ['URI', 'Skip', 'External', 'Insecure'];
const CREDENTIAL = ['URI', 'Auth', 'Insecure'];

function toConfig(doc: YamlValue, path: string): RemoteConfig {
  const bad = (what: string): never => {
    throw new UsageError(`${path}: ${what}`);
  };
  /** `known`: the fields allowed; undefined for a mapping of names (Remotes). */
  const map = (v: YamlValue | undefined, where: string, known?: readonly string[]): YamlMap => {
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) return bad(`${where} must be a mapping`);
    const unknown = known && Object.keys(v).find((k) => !known.includes(k));
    if (unknown !== undefined) bad(`${where}: field ${unknown} not found in Apptainer's remote configuration`);
    return v;
  };
  const list = (v: YamlValue | undefined, where: string): YamlValue[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : bad(`${where} must be a list`));
  const str = (v: YamlValue | undefined, where: string): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : bad(`${where} must be a string`));
  const bool = (v: YamlValue | undefined, where: string): boolean => (v === undefined || v === null ? false : typeof v === 'boolean' ? v : bad(`${where} must be true or false`));

  const top = map(doc, 'the document', TOP);
  const remotes = new Map<string, Endpoint>();
  for (const [name, value] of Object.entries(map(top.Remotes, 'Remotes'))) {
    const where = `Remotes.${name}`;
    const e = map(value, where, ENDPOINT);
    remotes.set(name, {
      uri: str(e.URI, `${where}.URI`),
      token: str(e.Token, `${where}.Token`),
      system: bool(e.System, `${where}.System`),
      exclusive: bool(e.Exclusive, `${where}.Exclusive`),
      keyservers: list(e.Keyservers, `${where}.Keyservers`).map((k, i) => {
        const at = `${where}.Keyservers[${i}]`;
        const s = map(k, at, SERVICE);
        return { uri: str(s.URI, `${at}.URI`), skip: bool(s.Skip, `${at}.Skip`), external: bool(s.External, `${at}.External`), insecure: bool(s.Insecure, `${at}.Insecure`) };
      }),
    });
  }
  const credentials = list(top.Credentials, 'Credentials').map((c, i) => {
    const s = map(c, `Credentials[${i}]`, CREDENTIAL);
    return { uri: str(s.URI, `Credentials[${i}].URI`), auth: str(s.Auth, `Credentials[${i}].Auth`) };
  });
  return { active: str(top.Active, 'Active'), remotes, credentials };
}
