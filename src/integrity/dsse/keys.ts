/**
 * PEM key files for DSSE, loaded through node:crypto: a private key to sign
 * with (PKCS#8, encrypted PKCS#8, PKCS#1 RSA, SEC 1 EC, legacy encrypted PEM)
 * and public keys to verify with (PKIX `PUBLIC KEY`, PKCS#1 `RSA PUBLIC KEY`).
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readBounded } from '../../bounded-read.js';
import { fromSystemError, KeyError } from '../../errors.js';
import type { PublicKeyMaterial } from '../trust.js';
import { sshKeyId } from './key-id.js';
import { pemBlocks, type PemBlock } from './pem.js';

/** A private key ready to sign DSSE envelopes. */
export interface DsseSigningKey {
  readonly privateKey: KeyObject;
  readonly keyId: string;
  readonly path: string;
}

/** Largest key file read: PEM keys are a few KiB. */
const MAX_KEY_FILE = 1 << 20;

const PRIVATE_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']);
const PUBLIC_LABELS = new Set(['PUBLIC KEY', 'RSA PUBLIC KEY']);

async function readKeyText(path: string): Promise<string> {
  try {
    const tooLarge = () => new KeyError('SIF_KEY_INVALID', `${path}: too large for a PEM key file (over ${MAX_KEY_FILE} bytes)`);
    return (await readBounded(path, MAX_KEY_FILE, tooLarge)).toString('latin1');
  } catch (e) {
    throw fromSystemError(e, path);
  }
}

function firstBlock(text: string, path: string): PemBlock {
  const block = pemBlocks(text)[0];
  if (!block) throw new KeyError('SIF_KEY_INVALID', `${path}: PEM decoding failed: no PEM block found`);
  return block;
}

const isEncrypted = (b: PemBlock) => b.label === 'ENCRYPTED PRIVATE KEY' || /ENCRYPTED/.test(b.headers.get('Proc-Type') ?? '');

/**
 * Whether a failure to read an encrypted key means a wrong passphrase. Usually
 * OpenSSL says so ("bad decrypt": the CBC padding is wrong), but about one
 * wrong passphrase in 256 leaves valid padding by chance, and the garbage then
 * fails to decode as a key (ERR_OSSL_UNSUPPORTED, asn1 errors). Both ciphers
 * (PKCS#8's PBES2 and legacy PEM's DEK-Info) behave so, and OpenSSL cannot
 * tell the two cases apart, so neither does this.
 */
const isWrongPassphrase = (e: unknown) => /bad decrypt|BAD_DECRYPT|DECODER|asn1/i.test(String((e as { code?: string }).code) + String((e as Error).message));

/**
 * Reads the private key in `path`'s first PEM block; asks `passphrase` only
 * when the key is encrypted. A public key, a wrong passphrase or an unsupported
 * key type is a KeyError naming the file.
 */
export async function readSigningKey(path: string, passphrase: () => Promise<string>): Promise<DsseSigningKey> {
  const block = firstBlock(await readKeyText(path), path);
  if (PUBLIC_LABELS.has(block.label) || block.label === 'CERTIFICATE') {
    throw new KeyError('SIF_KEY_INVALID', `${path}: holds a ${block.label.toLowerCase()}; signing needs a private key`);
  }
  if (!PRIVATE_LABELS.has(block.label)) throw new KeyError('SIF_KEY_INVALID', `${path}: unsupported PEM block type "${block.label}"; signing needs a private key`);
  const secret = isEncrypted(block) ? await passphrase() : undefined;
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: block.text, format: 'pem', ...(secret === undefined ? {} : { passphrase: secret }) });
  } catch (e) {
    if (secret !== undefined && isWrongPassphrase(e)) throw new KeyError('SIF_KEY_INVALID', `${path}: wrong passphrase`, { cause: e });
    throw new KeyError('SIF_KEY_INVALID', `${path}: cannot read the private key: ${oneLine(e)}`, { cause: e });
  }
  const keyId = sshKeyId(createPublicKey(privateKey)); // refuses key types DSSE does not sign with, before the image is locked
  return { privateKey, keyId, path };
}

/** Reads the public key in `path`'s first PEM block (as sigstore's UnmarshalPEMToPublicKey). */
export async function readPublicKey(path: string): Promise<PublicKeyMaterial> {
  const block = firstBlock(await readKeyText(path), path);
  if (!PUBLIC_LABELS.has(block.label)) {
    throw new KeyError('SIF_KEY_INVALID', `${path}: unknown Public key PEM file type: ${block.label}. Are you passing the correct public key?`);
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: block.text, format: 'pem' });
  } catch (e) {
    throw new KeyError('SIF_KEY_INVALID', `${path}: cannot read the public key: ${oneLine(e)}`, { cause: e });
  }
  const keyId = sshKeyId(publicKey);
  return { publicKey, keyId, identity: keyId, path };
}

const oneLine = (e: unknown) => String((e as Error).message ?? e).split('\n')[0];
