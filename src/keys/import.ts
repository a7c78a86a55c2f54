/**
 * `sif key import`: keys from a file (binary, armored, or several armored
 * blocks cat-ed together) into the keyrings. Public keys keep the exact bytes
 * of the file. Secret keys go to pgp-secret — checked against their
 * passphrase first, re-encrypted only with --new-password — and their public
 * part to pgp-public. A key the keyrings already hold is merged with what the
 * file brings (revocations, new expiry, user IDs, subkeys), as gpg does.
 * Either every key of the file is taken or none is.
 */
import type * as openpgp from 'openpgp';
import { readWholeFile } from '../bounded-read.js';
import { fromSystemError, KeyError, UsageError } from '../errors.js';
import {
  entryFromKey,
  fingerprintOf,
  indexOfFingerprint,
  isSkipped,
  withAdded,
  withReplaced,
  type Keyring,
  type KeyringEntry,
  type SkippedSegment,
} from './keyring.js';
import { loadKeyrings, updateKeyrings, type KeyringSet, type Loaded } from './keyrings.js';
import { GLOBAL_HAS_NO_SECRETS, type KeyringLocation } from './location.js';
import type { LockOptions } from './lock.js';
import { mergeKey } from './merge.js';
import { hasPrimarySecret, isLocked, lockKey, unlockKey } from './protect.js';
import { readKeyFileItems } from './read.js';

/** A key file's keys, with their bytes as they are in the file, and the parts Apptainer would skip. */
export interface ImportFile {
  readonly entries: KeyringEntry[];
  /** Bytes go-crypto skips (v3 keys, unknown algorithms, marker packets): never imported. */
  readonly skipped: SkippedSegment[];
}

/** Reads every key of a key file. */
export async function readImportFile(path: string): Promise<ImportFile> {
  let bytes: Buffer;
  try {
    bytes = await readWholeFile(path, 'a key file');
  } catch (e) {
    throw fromSystemError(e, path);
  }
  return parseImportBytes(bytes, path);
}

/** The keys of a key file's bytes (`source` names it in errors), as readImportFile reads them. */
export async function parseImportBytes(bytes: Buffer, source: string): Promise<ImportFile> {
  const items = await readKeyFileItems(bytes, source);
  const entries = items.filter((i): i is KeyringEntry => !isSkipped(i));
  const skipped = items.filter(isSkipped);
  if (entries.length === 0) {
    const why = skipped.length > 0 ? ` that Apptainer can read (skipped: ${skipped.map((s) => s.reason).join(', ')})` : '';
    throw new KeyError('SIF_KEY_INVALID', `${source}: no OpenPGP keys found${why}`);
  }
  return { entries, skipped };
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
  /** Added to the public keyring; false when it was there already. */
  readonly publicAdded: boolean;
  /** What the file brought to the key pgp-secret already held, e.g. ["revocation"]; empty when nothing. */
  readonly secretMerged: readonly string[];
  /** What the file brought to the key the public keyring already held; empty when nothing. */
  readonly publicMerged: readonly string[];
  /** The stored secret key is not protected by a passphrase. */
  readonly unprotected: boolean;
}

type Action = 'add' | 'merge' | 'none';

interface Plan {
  readonly secret: Action;
  readonly public: Action;
}

interface Prepared {
  readonly unprotected: boolean;
  /** For a secret key added: the entry to store. */
  readonly secretEntry: KeyringEntry | undefined;
  /** For a key added to the public keyring: the entry to store. */
  readonly publicEntry: KeyringEntry;
}

/** Adds or merges `incoming` into the keyrings at `location`; a key that brings nothing, or a wrong passphrase, changes nothing. */
export async function importKeys(location: KeyringLocation, incoming: readonly KeyringEntry[], options: ImportOptions): Promise<Loaded<ImportOutcome[]>> {
  if (location.secretPath === undefined && incoming.some((e) => e.key.isPrivate())) {
    throw new UsageError(`${GLOBAL_HAS_NO_SECRETS}: the file holds a private key; import its public key instead`);
  }
  assertNoRepeats(incoming);
  // A key that brings nothing is known before any passphrase is asked for...
  const early = await loadKeyrings(location);
  const plan = planActions(early.value, incoming);
  const refusal = await applyPlan(early.value, incoming, plan, []).then(() => undefined, (e: unknown) => e);
  const prepared = refusal === undefined ? await prepare(incoming, plan, options) : [];
  const updated = await updateKeyrings(
    location,
    async (current) => {
      if (JSON.stringify(planActions(current, incoming)) !== JSON.stringify(plan)) {
        throw new KeyError('SIF_KEY_EXISTS', 'the keyring changed while importing; run the import again');
      }
      // ...but refused under the lock, so that the import still breaks a dead writer's lock.
      if (refusal !== undefined) throw refusal;
      const { rings, outcomes } = await applyPlan(current, incoming, plan, prepared);
      return { changes: { public: rings.public, secret: rings.secret }, result: outcomes };
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

/** What each key does to each keyring: added where it is missing, merged where it is present. */
function planActions(current: KeyringSet, incoming: readonly KeyringEntry[]): Plan[] {
  return incoming.map(({ key, fingerprint }) => {
    const inSecret = current.secret !== undefined && indexOfFingerprint(current.secret.entries, fingerprint) >= 0;
    return {
      secret: inSecret ? 'merge' : current.secret !== undefined && key.isPrivate() ? 'add' : 'none',
      public: indexOfFingerprint(current.public.entries, fingerprint) >= 0 ? 'merge' : 'add',
    };
  });
}

/**
 * The keyrings with the plan carried out, and each key's outcome. `prepared`
 * is empty for a dry run, which only refuses, with Apptainer's message, a key
 * that would change nothing.
 */
async function applyPlan(current: KeyringSet, incoming: readonly KeyringEntry[], plan: readonly Plan[], prepared: readonly Prepared[]) {
  let pub: Keyring = current.public;
  let secret: Keyring | undefined = current.secret;
  let [publicChanged, secretChanged] = [false, false];
  const outcomes: ImportOutcome[] = [];
  for (const [i, entry] of incoming.entries()) {
    const { secret: secretAction, public: publicAction } = plan[i]!;
    const secretMerge = secretAction === 'merge' ? await mergeCopies(secret!, entry.key) : undefined;
    const publicMerge = publicAction === 'merge' ? await mergeCopies(pub, entry.key) : undefined;
    if (secretAction !== 'add' && publicAction !== 'add' && !secretMerge?.added.length && !publicMerge?.added.length) {
      throw new KeyError('SIF_KEY_EXISTS', `the key with fingerprint ${entry.fingerprint} already belongs to the keyring`);
    }
    const ready = prepared[i];
    if (secretMerge?.added.length) secret = secretMerge.ring;
    if (publicMerge?.added.length) pub = publicMerge.ring;
    if (ready && secretAction === 'add' && ready.secretEntry) secret = withAdded(secret!, [ready.secretEntry]);
    if (ready && publicAction === 'add') pub = withAdded(pub, [ready.publicEntry]);
    secretChanged ||= secretAction === 'add' || Boolean(secretMerge?.added.length);
    publicChanged ||= publicAction === 'add' || Boolean(publicMerge?.added.length);
    outcomes.push({
      fingerprint: entry.fingerprint,
      secretAdded: secretAction === 'add',
      publicAdded: publicAction === 'add',
      secretMerged: secretMerge?.added ?? [],
      publicMerged: publicMerge?.added ?? [],
      unprotected: ready?.unprotected ?? false,
    });
  }
  return { rings: { public: publicChanged ? pub : undefined, secret: secretChanged ? secret : undefined }, outcomes };
}

/** `ring` with `update` merged into every copy of its key, and what it brought (empty: nothing); `sif key refresh` merges with it too. */
export async function mergeCopies(ring: Keyring, update: openpgp.Key): Promise<{ ring: Keyring; added: readonly string[] }> {
  let merged = ring;
  let added: readonly string[] = [];
  const fingerprint = fingerprintOf(update);
  for (const entry of ring.entries.filter((e) => e.fingerprint === fingerprint)) {
    const result = await mergeKey(entry, update);
    if (!result) continue;
    merged = withReplaced(merged, entry, result.entry);
    if (added.length === 0) added = result.added;
  }
  return { ring: merged, added };
}

async function prepare(incoming: readonly KeyringEntry[], plan: readonly Plan[], options: ImportOptions): Promise<Prepared[]> {
  let newPassphrase: string | undefined;
  const prepared: Prepared[] = [];
  for (const [i, entry] of incoming.entries()) {
    if (!entry.key.isPrivate() || plan[i]!.secret !== 'add') {
      prepared.push({ unprotected: false, secretEntry: undefined, publicEntry: publicPart(entry) });
      continue;
    }
    if (options.newPassphrase && newPassphrase === undefined) newPassphrase = await options.newPassphrase();
    prepared.push(await prepareSecret(entry, entry.key, newPassphrase, options));
  }
  return prepared;
}

async function prepareSecret(entry: KeyringEntry, key: openpgp.PrivateKey, newPassphrase: string | undefined, options: ImportOptions): Promise<Prepared> {
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
