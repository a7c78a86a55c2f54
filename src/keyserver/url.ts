/**
 * Keyserver addresses as container-key-client reads them: `hkp://` is plain
 * HTTP on port 11371 unless one is given, `hkps://` is HTTPS, `http://` and
 * `https://` are taken as they are; the base always ends in `/` so that
 * `pks/lookup` resolves under it. Free of I/O.
 */
import { UsageError } from '../errors.js';

/** One keyserver to ask, and how. */
export interface Keyserver {
  /** The base URL, normalised: http(s), ending in `/`. */
  readonly url: string;
  /** The Authorization header value (`Bearer …`, `Basic …`) from Apptainer's remote.yaml. */
  readonly authorization?: string | undefined;
  /** remote.yaml's `Insecure: true`: TLS certificates are not verified, as in Apptainer. */
  readonly insecure?: boolean | undefined;
}

/** The HKP default port, used for `hkp://` without one. */
const HKP_PORT = '11371';

/** `text` as a keyserver base URL; a UsageError names what is wrong with it. */
export function normalizeKeyserverUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`invalid keyserver URL ${JSON.stringify(text)}: expected hkp://, hkps://, http:// or https://HOST`);
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme === 'hkp' || scheme === 'hkps') {
    // WHATWG URL cannot change a special scheme into another one's port rules, so rebuild it.
    const rebuilt = new URL(`${scheme === 'hkp' ? 'http' : 'https'}://${text.slice(url.protocol.length + 2)}`);
    if (scheme === 'hkp' && url.port === '') rebuilt.port = HKP_PORT; // the hkp URL's own port: http drops an explicit :80
    url = rebuilt;
  } else if (scheme !== 'http' && scheme !== 'https') {
    throw new UsageError(`unsupported protocol scheme ${JSON.stringify(scheme)} in keyserver URL ${JSON.stringify(text)}`);
  }
  if (url.hostname === '') throw new UsageError(`invalid keyserver URL ${JSON.stringify(text)}: no host`);
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.href;
}

/** The URL without user info, for messages. */
export function displayUrl(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.href;
}

/**
 * Go's url.QueryEscape: every byte but ASCII letters, digits and `-_.~` is
 * %-encoded, a space becomes `+`. container-key-client builds its queries
 * with it, so sif sends the same bytes.
 */
export function goQueryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Go's url.Values.Encode: keys sorted, each pair escaped. */
export function goQueryString(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${goQueryEscape(k)}=${goQueryEscape(params[k]!)}`)
    .join('&');
}
