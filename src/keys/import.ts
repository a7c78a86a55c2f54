/**
 * `sif key import`: keys from a file (binary, armored, or several armored
 * blocks cat-ed together) into the keyrings. Public keys keep the exact bytes
 * of the file. Secret keys go to pgp-secret — checked against their
 * passphrase first, re-encrypted only with --new-password — and their public
 * part to pgp-public. Either every key of the file is added or none is.
 */
import { readFile } from 'node:fs/promises';
import * as openpgp from 'openpgp';
import { fromSystemError, KeyError, UsageError } from '../errors.js';
import { entryFromKey, indexOfFingerprint, parseKeyBlocks, type KeyringEntry } from './keyring.js';
import { loadKeyrings, updateKeyrings, type KeyringSet, type Loaded } from './keyrings.js';
import { GLOBAL_HAS_NO_SECRETS, type KeyringLocation } from './location.js';
import type { LockOptions } from './lock.js';
import { hasPrimarySecret, isLocked, lockKey, unlockKey } from './protect.js';
import { armoredKeyBlocks } from './read.js';

/** Reads every key of a key file, keeping each key's bytes as they are in the file. */
export async function readImportFile(path: string): Promise<KeyringEntry[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw fromSystemError(e, path);
  }
  return parseImportBytes(bytes, path);
}

/** The keys of a key file's bytes (`source` names it in errors), as readImportFile reads them. */
export async function parseImportBytes(bytes: Buffer, source: string): Promise<KeyringEntry[]> {
  const entries = await parseKeyBlocks(await dearmor(bytes, source), source);
  if (entries.length === 0) throw new KeyError('SIF_KEY_INVALID', `${source}: no OpenPGP keys found`);
  return entries;
}

async function dearmor(bytes: Buffer, path: string): Promise<Uint8Array> {
  const text = bytes.toString('latin1');
  if (!text.includes('-----BEGIN PGP')) return bytes;
  const blocks = armoredKeyBlocks(text);
  if (blocks.length === 0) throw new KeyError('SIF_KEY_INVALID', `${path}: not a valid OpenPGP key file: no complete armored key block`);
  const parts: Uint8Array[] = [];
  for (const block of blocks) {
    try {
      const { data } = await openpgp.unarmor(block);
      // For string input openpgp.js returns the bytes, not a stream.
      parts.push(data as unknown as Uint8Array);
    } catch (e) {
      throw new KeyError('SIF_KEY_INVALID', `${path}: not a valid OpenPGP key file: ${(e as Error).message}`, { cause: e });
    }
  }
  return Buffer.concat(parts);
}

export interface ImportOptions {
  /** The passphrase of an encrypted secret key; asked once per such key, in file order. */
  passphraseFor(fingerprint: string): Promise<string>;
  /** With --new-password: the passphrase every imported secret key is re-encrypted with ('' = none). Asked once. */
  newPassphrase?: () => Promise<string>;
  lock?: LockOptions;
}

export interface ImportOutcome {
  readonly fingerprint: string;
  /** Added to pgp-secret. */
  readonly secretAdded: boolean;
  /** Added to the public keyring; false when a secret key's public part was there already. */
  readonly publicAdded: boolean;
  /** The stored secret key is not protected by a passphrase. */
  readonly unprotected: boolean;
}

interface Prepared extends ImportOutcome {
  readonly secretEntry: KeyringEntry | undefined;
  readonly publicEntry: KeyringEntry;
}

/** Adds `incoming` to the keyrings at `location`; a duplicate or a wrong passphrase changes nothing. */
export async function importKeys(location: KeyringLocation, incoming: readonly KeyringEntry[], options: ImportOptions): Promise<Loaded<ImportOutcome[]>> {
  if (location.secretPath === undefined && incoming.some((e) => e.key.isPrivate())) {
    throw new UsageError(`${GLOBAL_HAS_NO_SECRETS}: the file holds a private key; import its public key instead`);
  }
  assertNoRepeats(incoming);
  // Refuse duplicates before asking for any passphrase; checked again under the lock.
  const early = await loadKeyrings(location);
  const plan = planAdditions(early.value, incoming);
  const prepared = await prepare(incoming, plan, options);
  const updated = await updateKeyrings(
    location,
    async (current) => {
      if (JSON.stringify(planAdditions(current, incoming)) !== JSON.stringify(plan)) {
        throw new KeyError('SIF_KEY_EXISTS', 'the keyring changed while importing; run the import again');
      }
      const secret = prepared.flatMap((p) => (p.secretAdded && p.secretEntry ? [p.secretEntry] : []));
      const pub = prepared.flatMap((p) => (p.publicAdded ? [p.publicEntry] : []));
      return {
        changes: {
          public: pub.length ? [...current.public.entries, ...pub] : undefined,
          secret: secret.length && current.secret ? [...current.secret.entries, ...secret] : undefined,
        },
        result: prepared.map(({ fingerprint, secretAdded, publicAdded, unprotected }) => ({ fingerprint, secretAdded, publicAdded, unprotected })),
      };
    },
    options.lock,
  );
  return { value: updated.value, warnings: [...early.warnings, ...updated.warnings] };
}

function assertNoRepeats(incoming: readonly KeyringEntry[]): void {
  const seen = new Set<string>();
  for (const { fingerprint } of incoming) {
    if (seen.has(fingerprint)) throw new KeyError('SIF_KEY_EXISTS', `the key with fingerprint ${fingerprint} appears twice in the file`);
    seen.add(fingerprint);
  }
}

interface Addition {
  secret: boolean;
  public: boolean;
}

/** What each key adds. A key that would add nothing is refused, with Apptainer's message. */
function planAdditions(current: KeyringSet, incoming: readonly KeyringEntry[]): Addition[] {
  return incoming.map(({ key, fingerprint }) => {
    const inPublic = indexOfFingerprint(current.public.entries, fingerprint) >= 0;
    const inSecret = current.secret !== undefined && indexOfFingerprint(current.secret.entries, fingerprint) >= 0;
    const addition = { secret: key.isPrivate() && !inSecret, public: !inPublic };
    if (!addition.secret && !addition.public) {
      throw new KeyError('SIF_KEY_EXISTS', `the key with fingerprint ${fingerprint} already belongs to the keyring`);
    }
    return addition;
  });
}

async function prepare(incoming: readonly KeyringEntry[], plan: readonly Addition[], options: ImportOptions): Promise<Prepared[]> {
  let newPassphrase: string | undefined;
  const prepared: Prepared[] = [];
  for (const [i, entry] of incoming.entries()) {
    const addition = plan[i]!;
    const base = { fingerprint: entry.fingerprint, secretAdded: addition.secret, publicAdded: addition.public };
    if (!entry.key.isPrivate() || !addition.secret) {
      prepared.push({ ...base, unprotected: false, secretEntry: undefined, publicEntry: publicPart(entry) });
      continue;
    }
    if (options.newPassphrase && newPassphrase === undefined) newPassphrase = await options.newPassphrase();
    prepared.push({ ...base, ...(await prepareSecret(entry, entry.key, newPassphrase, options)) });
  }
  return prepared;
}

async function prepareSecret(entry: KeyringEntry, key: openpgp.PrivateKey, newPassphrase: string | undefined, options: ImportOptions) {
  if (!hasPrimarySecret(key)) {
    throw new KeyError('SIF_KEY_INVALID', `key ${entry.fingerprint} has no private primary key (exported with gpg --export-secret-subkeys?)`);
  }
  const locked = isLocked(key);
  const unlocked = locked ? await unlockKey(key, await options.passphraseFor(entry.fingerprint)) : key;
  const publicEntry = entryFromKey(key.toPublic());
  if (newPassphrase === undefined) return { secretEntry: entry, publicEntry, unprotected: !locked };
  const relocked = newPassphrase === '' ? unlocked : await lockKey(unlocked, newPassphrase);
  return { secretEntry: entryFromKey(relocked), publicEntry, unprotected: newPassphrase === '' };
}

/** A public key keeps its bytes; a secret key contributes its public part. */
const publicPart = (entry: KeyringEntry): KeyringEntry => (entry.key.isPrivate() ? entryFromKey(entry.key.toPublic()) : entry);
