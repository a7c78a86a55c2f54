/**
 * Merging an update of a key we already hold — a revocation, a new expiry,
 * new user IDs or subkeys — into the stored key, as `gpg --import` does.
 * Only what the key itself signed is taken: a signature that does not verify
 * with the primary key is dropped, because go-crypto (Apptainer) refuses a
 * whole key over one bad self-signature or a revocation it cannot verify.
 * `sif key import` uses it, and so can anything else that fetches updates.
 */
import * as openpgp from 'openpgp';
import { entryFromKey, type KeyringEntry } from './keyring.js';

const SIG = openpgp.enums.signature;
/** Key flag "may sign data": such a subkey needs the primary-key binding signature go-crypto checks. */
const SIGN_DATA = openpgp.enums.keyFlags.signData;

export interface Merged {
  readonly entry: KeyringEntry;
  /** What the update brought, e.g. ["revocation", "1 user ID"]. */
  readonly added: readonly string[];
}

/**
 * `stored` with everything valid that `update` (the same primary key) adds;
 * undefined when it adds nothing. A secret stored key keeps its secret
 * material and passphrase; a public one stays public.
 */
export async function mergeKey(stored: KeyringEntry, update: openpgp.Key): Promise<Merged | undefined> {
  const source = await selfSignedParts(stored.key.isPrivate() ? update : update.toPublic());
  if (stored.key.isPrivate()) {
    // A secret key cannot hold a public-only subkey (openpgp.js refuses to read one back); signing never needs it.
    const held = (fingerprint: string) => stored.key.subkeys.some((s) => s.getFingerprint() === fingerprint);
    source.subkeys = source.subkeys.filter((s) => s.keyPacket instanceof openpgp.SecretSubkeyPacket || held(s.getFingerprint()));
  }
  // Dates are null: signatures are judged as go-crypto reads keys, without regard to expiry.
  const merged = await stored.key.update(source, null as unknown as Date);
  if (Buffer.from(merged.write()).equals(Buffer.from(stored.key.write()))) return undefined;
  const added = changes(stored.key, merged);
  // A newer binding signature (a new subkey expiry) replaces the old one rather than adding to it.
  return { entry: entryFromKey(merged), added: added.length > 0 ? added : ['newer self-signatures'] };
}

/** A copy of `key` holding only signatures its primary key made and that verify. */
async function selfSignedParts(key: openpgp.Key): Promise<openpgp.Key> {
  const copy = await openpgp.readKey({ binaryKey: key.write() });
  const primary = copy.keyPacket;
  copy.revocationSignatures = await verified(copy.revocationSignatures, SIG.keyRevocation, { key: primary });
  const direct = copy as unknown as DirectSignatures;
  direct.directSignatures = await verified(direct.directSignatures, SIG.key, { key: primary });
  for (const user of copy.users) {
    const data = { userID: user.userID, userAttribute: user.userAttribute, key: primary };
    user.selfCertifications = await verified(user.selfCertifications, SIG.certGeneric, data);
    user.revocationSignatures = await verified(user.revocationSignatures, SIG.certRevocation, data);
  }
  copy.users = copy.users.filter((u) => u.selfCertifications.length > 0 || u.revocationSignatures.length > 0);
  for (const subkey of copy.subkeys) {
    const data = { key: primary, bind: subkey.keyPacket };
    const bindings = await verified(subkey.bindingSignatures, SIG.subkeyBinding, data);
    subkey.bindingSignatures = [];
    for (const sig of bindings) if (await crossSigned(sig, subkey.keyPacket, data)) subkey.bindingSignatures.push(sig);
    subkey.revocationSignatures = await verified(subkey.revocationSignatures, SIG.subkeyRevocation, data);
  }
  copy.subkeys = copy.subkeys.filter((s) => s.bindingSignatures.length > 0);
  return copy;
}

type Signature = openpgp.SignaturePacket;

/** A member openpgp.js keys have but its type declarations omit. */
interface DirectSignatures {
  directSignatures: Signature[];
}

/** A signing subkey must sign the primary key back (go-crypto: "signing subkey is missing cross-signature"). */
async function crossSigned(binding: Signature, subkey: openpgp.PublicSubkeyPacket | openpgp.SecretSubkeyPacket, data: object): Promise<boolean> {
  if (((binding.keyFlags?.[0] ?? 0) & SIGN_DATA) === 0) return true;
  const back = binding.embeddedSignature;
  if (!back) return false;
  return back.verify(subkey as unknown as openpgp.PublicKeyPacket, SIG.keyBinding, data, null as unknown as Date).then(
    () => true,
    () => false,
  );
}

/** The signatures of `sigs` that the primary key made and that verify over `data`. */
async function verified(sigs: readonly Signature[], type: openpgp.enums.signature, data: object): Promise<Signature[]> {
  const key = (data as { key: openpgp.PublicKeyPacket }).key;
  const ok = await Promise.all(
    sigs.map((sig) =>
      sig.verify(key, type, data, null as unknown as Date).then(
        () => true,
        () => false,
      ),
    ),
  );
  return sigs.filter((_, i) => ok[i]);
}

/** What `after` holds beyond `before`, in words. */
function changes(before: openpgp.Key, after: openpgp.Key): string[] {
  const count = (key: openpgp.Key) => ({
    revocations: key.revocationSignatures.length,
    users: key.users.length,
    subkeys: key.subkeys.length,
    signatures:
      (key as unknown as DirectSignatures).directSignatures.length +
      key.users.reduce((n, u) => n + u.selfCertifications.length + u.revocationSignatures.length + u.otherCertifications.length, 0) +
      key.subkeys.reduce((n, s) => n + s.bindingSignatures.length + s.revocationSignatures.length, 0),
  });
  const [b, a] = [count(before), count(after)];
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  return [
    ...(a.revocations > b.revocations ? ['revocation'] : []),
    ...(a.users > b.users ? [plural(a.users - b.users, 'user ID')] : []),
    ...(a.subkeys > b.subkeys ? [plural(a.subkeys - b.subkeys, 'subkey')] : []),
    ...(a.signatures > b.signatures ? [plural(a.signatures - b.signatures, 'signature')] : []),
  ];
}
