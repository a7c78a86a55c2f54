/** Images signed by us, with a fresh openpgp.js key, for tests that need our own signatures. */
import { chmodSync, copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { signImage } from '../integrity/sign.js';

export interface SignedImage {
  image: string;
  /** Armored public key file of the signer. */
  keyring: string;
  /** The unlocked signing key. */
  key: openpgp.PrivateKey;
}

/** A fresh unprotected v4 key ('ecc' = Ed25519 legacy, or RSA 2048). */
export async function freshKey(type: 'ecc' | 'rsa' = 'ecc', name = 'sif test'): Promise<openpgp.PrivateKey> {
  const { privateKey } = await openpgp.generateKey({ type, rsaBits: 2048, userIDs: [{ name, email: 'test@example.com' }], format: 'object' });
  return privateKey;
}

/** A copy of `source` in `dir`, signed (one signature per group) by `key` (default a fresh Ed25519 key). */
export async function signedImage(dir: string, source: string, key?: openpgp.PrivateKey, name = 'signed.sif'): Promise<SignedImage> {
  const signer = key ?? (await freshKey());
  const image = join(dir, name);
  copyFileSync(source, image);
  chmodSync(image, 0o644);
  await signImage(image, { key: signer });
  const keyring = join(dir, `${name}.pub.asc`);
  writeFileSync(keyring, signer.toPublic().armor());
  return { image, keyring, key: signer };
}
