/**
 * Keys as the reference's go-crypto judges them at verification time, read
 * from openpgp.js key objects: which key packets may make a signature
 * (KeysByIdUsage with the sign flag), the entity's primary identity
 * (PrimaryIdentity: fewest revocations, then the primary-user flag, then the
 * newest self-signature), and whether a key is revoked or expired "now".
 */
import type * as openpgp from 'openpgp';

type SignaturePacket = openpgp.SignaturePacket;
type KeyPacket = openpgp.Key['keyPacket'] | openpgp.Subkey['keyPacket'];

/** One key packet go-crypto would try, with the self-signature and revocations it judges it by. */
export interface SigningKey {
  readonly entity: openpgp.Key;
  readonly keyPacket: KeyPacket;
  /** The primary identity's self-signature for the primary key, the newest binding signature for a subkey. */
  readonly selfSignature: SignaturePacket | undefined;
  readonly revocations: readonly SignaturePacket[];
}

interface Identity {
  readonly user: openpgp.User;
  readonly selfSignature: SignaturePacket | undefined;
  readonly revocations: readonly SignaturePacket[];
}

const KEY_FLAG = { certify: 1, sign: 2, encryptCommunications: 4, encryptStorage: 8 } as const;
const KEY_COMPROMISED = 2;

const byPrimary = (entity: openpgp.Key) => (s: SignaturePacket) => s.issuerKeyID.equals(entity.getKeyID());

/** The newest of `sigs` by creation time (the first of equals, as go-crypto keeps the first). */
function newest(sigs: readonly SignaturePacket[]): SignaturePacket | undefined {
  let best: SignaturePacket | undefined;
  for (const s of sigs) if (!best || (s.created?.getTime() ?? 0) > (best.created?.getTime() ?? 0)) best = s;
  return best;
}

/** The identities go-crypto keeps: user IDs with a self-signature or a self-revocation, the last of equal IDs. */
function identities(entity: openpgp.Key): Identity[] {
  const byId = new Map<string, Identity>();
  for (const user of entity.users) {
    if (!user.userID) continue;
    const selfSignature = newest(user.selfCertifications.filter(byPrimary(entity)));
    const revocations = user.revocationSignatures.filter(byPrimary(entity));
    if (selfSignature || revocations.length > 0) byId.set(user.userID.userID, { user, selfSignature, revocations });
  }
  return [...byId.values()];
}

const isPrimaryFlag = (s: SignaturePacket | undefined) => s?.isPrimaryUserID === true;

/** go-crypto shouldPreferIdentity. */
function prefer(existing: Identity | undefined, candidate: Identity): boolean {
  if (!existing) return true;
  if (existing.revocations.length !== candidate.revocations.length) return existing.revocations.length > candidate.revocations.length;
  if (!existing.selfSignature) return true;
  if (isPrimaryFlag(existing.selfSignature) !== isPrimaryFlag(candidate.selfSignature)) return isPrimaryFlag(candidate.selfSignature);
  return (candidate.selfSignature?.created?.getTime() ?? 0) > (existing.selfSignature.created?.getTime() ?? 0);
}

/** go-crypto PrimaryIdentity (its map order breaks ties at random; we keep the first in the key). */
export function primaryIdentity(entity: openpgp.Key): Identity | undefined {
  let chosen: Identity | undefined;
  for (const id of identities(entity)) if (prefer(chosen, id)) chosen = id;
  return chosen;
}

/** A self-signature's key flags allow signing, or it has none (go-crypto KeysByIdUsage). */
function maySign(selfSignature: SignaturePacket | undefined): boolean {
  const flags = selfSignature?.keyFlags;
  if (!flags || flags.length === 0) return true;
  const usage = flags[0]! & (KEY_FLAG.certify | KEY_FLAG.sign | KEY_FLAG.encryptCommunications | KEY_FLAG.encryptStorage);
  return (usage & KEY_FLAG.sign) !== 0;
}

/** Key packets of `keys` with key ID `keyId` (16 hex) that go-crypto lets sign, in keyring order. */
export function signingKeys(keys: readonly openpgp.Key[], keyId: string): SigningKey[] {
  const id = keyId.toLowerCase();
  const out: SigningKey[] = [];
  for (const entity of keys) {
    const primary = primaryIdentity(entity);
    if (primary && entity.getKeyID().toHex() === id) {
      out.push({ entity, keyPacket: entity.keyPacket, selfSignature: primary.selfSignature, revocations: entity.revocationSignatures.filter(byPrimary(entity)) });
    }
    for (const sub of entity.subkeys) {
      if (sub.getKeyID().toHex() !== id) continue;
      out.push({ entity, keyPacket: sub.keyPacket, selfSignature: newest(sub.bindingSignatures), revocations: sub.revocationSignatures });
    }
  }
  return out.filter((k) => maySign(k.selfSignature));
}

/** go-crypto Signature.SigExpired: created after now, or past a non-zero lifetime. */
export function signatureExpired(created: number, lifetime: number | undefined, now: Date): boolean {
  const at = now.getTime() / 1000;
  if (created > at) return true;
  return lifetime !== undefined && lifetime !== 0 && at > created + lifetime;
}

const seconds = (d: Date | null | undefined) => Math.floor((d?.getTime() ?? 0) / 1000);

/** go-crypto revoked(): a key-compromise revocation always counts, another once created. */
function revoked(revocations: readonly SignaturePacket[], now: Date): boolean {
  return revocations.some(
    (r) => r.reasonForRevocationFlag === KEY_COMPROMISED || !signatureExpired(seconds(r.created), r.signatureExpirationTime ?? undefined, now),
  );
}

/** After the maths held: is the key, its entity or its primary identity revoked, or the key expired (go-crypto's order)? */
export function keyRevoked(key: SigningKey, now: Date): boolean {
  const identity = primaryIdentity(key.entity);
  return revoked(key.revocations, now) || revoked(key.entity.revocationSignatures.filter(byPrimary(key.entity)), now) || (identity !== undefined && revoked(identity.revocations, now));
}

/** go-crypto KeyExpired on the key's self-signature, or that self-signature expired. */
export function keyExpired(key: SigningKey, now: Date): boolean {
  const self = key.selfSignature;
  if (!self) return false;
  const created = seconds(key.keyPacket.created);
  if (signatureExpired(created, self.keyExpirationTime ?? undefined, now)) return true;
  return signatureExpired(seconds(self.created), self.signatureExpirationTime ?? undefined, now);
}
