/**
 * A small HKP client over the global fetch (draft-shaw-openpgp-hkp-00, as
 * container-key-client speaks it): `GET pks/lookup` and `POST pks/add`.
 * Each keyserver gets its own deadline; on a network error or a non-2xx
 * answer the next one is asked and the last answer stands (Apptainer's
 * keyserverTransport). Replies are read up to a size limit, so a huge or
 * endless reply ends in an error, never in unbounded memory. TLS is Node's:
 * certificates are verified, and NODE_EXTRA_CA_CERTS adds trusted CAs;
 * only a keyserver remote.yaml marks Insecure skips that (insecure-fetch.ts).
 */
import { KeyserverError } from '../errors.js';
import { DEFAULT_TIMEOUT_MS } from './choose.js';
import { displayUrl, goQueryString, type Keyserver } from './url.js';

export interface HkpOptions {
  /** Per keyserver, for the whole exchange (headers and body); default 5000 ms, Apptainer's. */
  readonly timeoutMs?: number;
  /** The largest reply accepted; default 16 MiB. */
  readonly maxBytes?: number;
}

export const DEFAULT_MAX_REPLY_BYTES = 16 * 1024 * 1024;

/** A keyserver's answer, 2xx or not. */
export interface HkpReply {
  readonly server: Keyserver;
  /** The URL asked, without credentials. */
  readonly url: string;
  readonly status: number;
  readonly body: string;
}

/** True for a 2xx answer. */
export const isSuccess = (reply: HkpReply): boolean => reply.status >= 200 && reply.status < 300;

/**
 * A non-2xx answer as container-key-client prints it: `404 Not Found`, or
 * with the message of a Sylabs JSON error body, `400 Bad Request: <message>`.
 */
export function httpErrorText(reply: HkpReply): string {
  // node:http only here, on a failure: a static import would load it into every `sif verify` (docs/performance.md).
  const text = `${reply.status} ${process.getBuiltinModule('node:http').STATUS_CODES[reply.status] ?? ''}`.trimEnd();
  const message = jsonErrorMessage(reply.body);
  return message ? `${text}: ${message}` : text;
}

function jsonErrorMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } };
    const message = parsed?.error?.message;
    return typeof message === 'string' && message !== '' ? message : undefined;
  } catch {
    return undefined;
  }
}

/** `GET <base>pks/lookup?<sorted params>` on each keyserver in turn. */
export async function hkpLookup(servers: readonly Keyserver[], params: Readonly<Record<string, string>>, options: HkpOptions = {}): Promise<HkpReply> {
  return firstAnswer(servers, options, (server) => ({ url: `${server.url}pks/lookup?${goQueryString(params)}`, init: { method: 'GET' } }));
}

/** `POST <base>pks/add` with the armored key as the `keytext` form field, on each keyserver in turn. */
export async function hkpAdd(servers: readonly Keyserver[], armoredKey: string, options: HkpOptions = {}): Promise<HkpReply> {
  return firstAnswer(servers, options, (server) => ({
    url: `${server.url}pks/add`,
    init: {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: goQueryString({ keytext: armoredKey }),
    },
  }));
}

type Request = (server: Keyserver) => { url: string; init: RequestInit };

async function firstAnswer(servers: readonly Keyserver[], options: HkpOptions, request: Request): Promise<HkpReply> {
  if (servers.length === 0) throw new KeyserverError('no keyserver configured');
  const last = servers.length - 1;
  // As Apptainer's transport, silently: a failure of one but the last only moves on to the next.
  for (const server of servers.slice(0, last)) {
    const reply = await exchange(server, request(server), options).catch(() => undefined);
    if (reply && isSuccess(reply)) return reply;
  }
  return exchange(servers[last]!, request(servers[last]!), options);
}

async function exchange(server: Keyserver, { url, init }: { url: string; init: RequestInit }, options: HkpOptions): Promise<HkpReply> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const shown = displayUrl(url);
  const method = init.method === 'POST' ? 'Post' : 'Get';
  const signal = AbortSignal.timeout(timeoutMs);
  const headers = new Headers(init.headers);
  headers.set('User-Agent', 'sif (HKP client)');
  if (server.authorization) headers.set('Authorization', server.authorization);
  try {
    const insecure = server.insecure === true && url.startsWith('https:');
    const response = insecure ? await (await import('./insecure-fetch.js')).insecureFetch(url, { ...init, headers, signal }) : await fetch(url, { ...init, headers, signal, redirect: 'follow' });
    const body = await readBounded(response, options.maxBytes ?? DEFAULT_MAX_REPLY_BYTES, shown);
    return { server, url: shown, status: response.status, body };
  } catch (e) {
    if (e instanceof KeyserverError) throw e;
    const why = signal.aborted ? `no complete answer within ${timeoutMs / 1000} s` : networkReason(e);
    throw new KeyserverError(`${method} "${shown}": ${why}`, { cause: e });
  }
}

/** The body as text, refused past `maxBytes` (the rest is not read). */
async function readBounded(response: Response, maxBytes: number, shown: string): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new KeyserverError(`"${shown}": reply larger than ${maxBytes} bytes, not read further`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Why fetch failed, from undici's cause chain: "connect ECONNREFUSED 127.0.0.1:1", a certificate error… */
function networkReason(e: unknown): string {
  let reason = e instanceof Error ? e.message : String(e);
  for (let c: unknown = e instanceof Error ? e.cause : undefined; c instanceof Error; c = c.cause) reason = c.message;
  return reason;
}
