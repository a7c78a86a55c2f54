/**
 * Registry authentication, as go-containerregistry does it for Apptainer:
 * anonymous first; on a 401, Basic with the credentials, or the Bearer-token
 * flow (a token from the challenge's realm, for the challenge's service and
 * this repository's scope, asked with the credentials when there are any).
 * Credentials come from --username/--password-stdin or Docker's config.json
 * (plain `auths` entries); they are sent only to the registry's origin and
 * its token realm, and never appear in a message.
 */
import { join } from 'node:path';
import { readWholeFile } from '../bounded-read.js';
import { RemoteError, UsageError } from '../errors.js';
import { homeDirectory } from '../home.js';
import { shownUrl, type Authorizer, type HttpClient } from './http-client.js';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** Largest token reply read. */
const TOKEN_LIMIT = 1 << 20;

export class RegistryAuth implements Authorizer {
  private header: string | undefined;
  private tried = new Set<string>();

  constructor(
    /** The registry's origin: the only one that gets the header. */
    private readonly origin: string,
    /** `repository:NAME:pull` (or `pull,push`). */
    private readonly scope: string,
    private readonly credentials: Credentials | undefined,
  ) {}

  headerFor(url: URL): string | undefined {
    return url.origin === this.origin ? this.header : undefined;
  }

  async challenge(wwwAuthenticate: string | null, client: HttpClient): Promise<boolean> {
    const { scheme, params } = parseChallenge(wwwAuthenticate ?? '');
    if (scheme === 'basic') {
      if (!this.credentials || this.tried.has('basic')) return false;
      this.tried.add('basic');
      this.header = basic(this.credentials);
      return true;
    }
    if (scheme === 'bearer' && params.realm) {
      const key = `bearer ${params.realm} ${params.scope ?? this.scope}`;
      if (this.tried.has(key)) return false;
      this.tried.add(key);
      this.header = `Bearer ${await this.token(client, params)}`;
      return true;
    }
    return false;
  }

  /** The token of the Bearer flow (distribution's token spec): {token} or {access_token}. */
  private async token(client: HttpClient, params: Record<string, string>): Promise<string> {
    const realm = new URL(params.realm!);
    if (params.service) realm.searchParams.set('service', params.service);
    realm.searchParams.set('scope', this.scope);
    const headers: Record<string, string> = this.credentials ? { authorization: basic(this.credentials) } : {};
    // Plain fetch through the client, without the authorizer: the realm is another origin.
    const reply = await client.request(realm, { headers, accept: [401, 403] });
    if (reply.response.status !== 200) {
      await reply.discard();
      throw new RemoteError('SIF_REMOTE_DENIED', `GET ${shownUrl(realm)}: the token server refused the ${this.credentials ? 'credentials' : 'anonymous request'} (${reply.response.status})`);
    }
    let body: { token?: unknown; access_token?: unknown };
    try {
      body = JSON.parse((await reply.bytes(TOKEN_LIMIT)).toString('utf8')) as typeof body;
    } catch (e) {
      if (e instanceof RemoteError) throw e;
      throw new RemoteError('SIF_REMOTE', `GET ${shownUrl(realm)}: the token reply is not JSON`);
    }
    const token = body.token ?? body.access_token;
    if (typeof token !== 'string' || token === '') throw new RemoteError('SIF_REMOTE', `GET ${shownUrl(realm)}: the token reply has no token`);
    return token;
  }
}

const basic = (c: Credentials) => `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;

/** `Bearer realm="…",service="…",scope="…"` → its scheme (lower case) and parameters. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const m = /^\s*(\S+)\s*(.*)$/.exec(header);
  const params: Record<string, string> = {};
  for (const p of (m?.[2] ?? '').matchAll(/([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
  }
  return { scheme: (m?.[1] ?? '').toLowerCase(), params };
}

/**
 * The credentials Docker's config.json holds for `registry` (plain `auths`
 * entries: `auth` as base64 user:password, or `username`/`password`);
 * credential helpers are not run. $DOCKER_CONFIG, else ~/.docker.
 */
export async function dockerCredentials(registry: string, env: NodeJS.ProcessEnv): Promise<Credentials | undefined> {
  const home = homeDirectory(env);
  const dir = env.DOCKER_CONFIG || (home === undefined ? undefined : join(home, '.docker'));
  if (dir === undefined) return undefined;
  const file = join(dir, 'config.json');
  let text: string;
  try {
    text = (await readWholeFile(file, "Docker's config.json")).toString('utf8');
  } catch {
    return undefined;
  }
  let auths: Record<string, { auth?: string; username?: string; password?: string }>;
  try {
    auths = (JSON.parse(text) as { auths?: typeof auths }).auths ?? {};
  } catch {
    throw new UsageError(`${file}: not valid JSON`);
  }
  const keys = registry === 'index.docker.io' ? ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io'] : [registry];
  for (const [key, entry] of Object.entries(auths)) {
    const host = key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    if (!keys.includes(key) && !keys.includes(host)) continue;
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    if (entry.username && entry.password) return { username: entry.username, password: entry.password };
  }
  return undefined;
}
