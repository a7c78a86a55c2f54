/**
 * PGP clear-sign behind the signature-format seam (../signature-format.ts):
 * the decoder opens a clear-signed message and verifies it with PGP keys; the
 * encoder clear-signs metadata. openpgp.js (clearsign.ts) is loaded only when
 * a signature is verified or made, so verify can start hashing while it loads.
 */
import type * as openpgp from 'openpgp';
import { isPgpKey, type KeySource, type TrustKey, type VerificationKey } from '../trust.js';
import type { DecodedSignature, DecodeFailure, OpenedSignature, SignatureDecoder, SignatureEncoder, Signer } from '../signature.js';
import type { PgpCheck, PgpFailure } from './clearsign.js';
import { decodeClearSigned, type ClearSigned } from './cleartext.js';
import { primaryIdentity, signingKeys } from './key-usage.js';

export const PGP_CLEARSIGN: SignatureDecoder = {
  open(object: Buffer): OpenedSignature | undefined {
    const cs = decodeClearSigned(object);
    return cs && { payload: cs.plaintext, verify: (keys, now) => verifyClearSigned(cs, keys, now) };
  },
};

/**
 * openpgp's signing and checking, loaded on first use (a reader that checks
 * no signature never loads openpgp); a page may call it early to have it ready.
 */
export const loadClearSign = () => import('./clearsign.js');

/** A clear-signing encoder for an unlocked key, signing as of `date`. */
export function pgpEncoder(key: openpgp.PrivateKey, date?: Date): SignatureEncoder {
  return {
    async sign(metadata) {
      const { clearSign } = await loadClearSign();
      const signed = await clearSign(metadata, key, date);
      return { bytes: Buffer.from(signed.text, 'utf8'), hashType: signed.hashType };
    },
  };
}

/** The failure kind of each openpgp check result other than an unknown signer. */
const PGP_FAILURES: Record<Exclude<PgpFailure, 'unknown-signer'>, DecodeFailure['kind']> = {
  invalid: 'bad-signature',
  expired: 'key-expired',
  revoked: 'key-revoked',
};

async function verifyClearSigned(cs: ClearSigned, material: readonly TrustKey[], now: Date): Promise<DecodedSignature> {
  const keys = material.filter(isPgpKey);
  if (cs.extraneous) return { signer: undefined, failure: { kind: 'not-clearsigned', reason: cs.extraneous } }; // stricter than the reference
  const { checkClearSigned } = await loadClearSign();
  const check = await checkClearSigned(cs, keys.map((k) => k.key), now);
  const signer = check.signer ? await signerOf(check, keys) : undefined;
  if (check.failure === undefined) return { signer, failure: undefined };
  const kind = check.failure === 'unknown-signer' ? 'unknown-signer' : PGP_FAILURES[check.failure];
  return { signer, failure: { kind, reason: check.reason ?? check.failure, keyId: check.issuerKeyId } };
}

async function signerOf(check: PgpCheck, keys: readonly VerificationKey[]): Promise<Signer> {
  const key = check.signer!;
  // Apptainer's label: a keyring "has" the signer when its primary key ID names a key allowed to sign there.
  const has = (source: KeySource) => signingKeys(keys.filter((k) => k.source === source).map((k) => k.key), key.getKeyID().toHex()).length > 0;
  const source = has('global') ? 'global' : has('local') ? 'local' : 'remote';
  const fetched = source === 'remote' ? keys.find((k) => k.source === 'remote' && k.key.getFingerprint() === key.getFingerprint()) : undefined;
  return {
    kind: 'pgp',
    fingerprint: key.getFingerprint().toUpperCase(),
    keyId: check.issuerKeyId ?? key.getKeyID().toHex().toUpperCase(),
    name: await primaryUserId(key),
    source,
    local: has('local'),
    ...(fetched ? { keyserver: fetched.path } : {}),
  };
}

/** The primary identity's User ID, chosen as go-crypto chooses it. */
async function primaryUserId(key: openpgp.Key): Promise<string | undefined> {
  return primaryIdentity(key)?.user.userID?.userID ?? key.users.find((u) => u.userID)?.userID?.userID;
}
