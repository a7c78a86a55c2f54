/**
 * Getting one public key from keyservers, as container-key-client's GetKey
 * asks (`GET pks/lookup?exact=on&op=get&search=0x<hex>`), with Apptainer's
 * errors for what comes back. The reply may be a bare armor block or SKS's
 * HTML page around one; as go-crypto's ReadArmoredKeyRing, only the first
 * armor block counts.
 */
import { KeyserverError } from '../errors.js';
import { isSkipped, type KeyringEntry } from '../keys/keyring.js';
import { armoredKeyBlocks, readKeyFileItems } from '../keys/read.js';
import { hkpLookup, httpErrorText, isSuccess, type HkpOptions, type HkpReply } from './hkp.js';
import type { Keyserver } from './url.js';

/** Apptainer's 401 message, with where sif takes credentials from in place of its four INFO lines. */
export const unauthorizedMessage = (url: string) =>
  `unauthorized or missing token (${new URL(url).origin}: log in with "apptainer keyserver login URL"; sif sends the credential Apptainer stores in remote.yaml)`;

/** The keyservers answered 404: they hold no such key. */
export class NoMatchingKeyError extends KeyserverError {
  constructor() {
    super('no matching keys found for fingerprint');
  }
}

/** Apptainer's error for a lookup answered with a non-2xx status (search and pull word it alike); undefined for 2xx. */
export function lookupRefusal(reply: HkpReply): KeyserverError | undefined {
  if (isSuccess(reply)) return undefined;
  if (reply.status === 401) return new KeyserverError(unauthorizedMessage(reply.url));
  if (reply.status === 404) return new NoMatchingKeyError();
  return new KeyserverError(`failed to get key: ${httpErrorText(reply)}`);
}

export interface FetchedKey {
  /** The keys of the reply's first armor block, with their bytes as served. */
  readonly entries: KeyringEntry[];
  /** The keyserver that answered. */
  readonly server: Keyserver;
}

/** The keys the keyservers hold for `hex` (8, 16 or 40 hex digits, no 0x); KeyserverError with Apptainer's wording otherwise. */
export async function fetchKeys(servers: readonly Keyserver[], hex: string, options: HkpOptions = {}): Promise<FetchedKey> {
  const reply = await hkpLookup(servers, { exact: 'on', op: 'get', search: `0x${hex.toLowerCase()}` }, options).catch((e: KeyserverError) => {
    throw new KeyserverError(`failed to get key: ${e.message}`, { cause: e });
  });
  const refusal = lookupRefusal(reply);
  if (refusal) throw refusal;
  const block = armoredKeyBlocks(reply.body)[0];
  if (block === undefined) throw new KeyserverError(`${reply.url}: the reply holds no armored public key (openpgp: invalid argument: no armored data found)`);
  let items;
  try {
    items = await readKeyFileItems(Buffer.from(block, 'latin1'), reply.url);
  } catch (e) {
    throw new KeyserverError(`${reply.url}: ${(e as Error).message}`, { cause: e });
  }
  return { entries: items.filter((i): i is KeyringEntry => !isSkipped(i)), server: reply.server };
}
