/**
 * Building forged signatures: crafted payloads clear-signed with openpgp.js,
 * DSSE envelopes, legacy SIFHASH messages, and the writer API to put them in
 * an image (replacing or beside the real ones).
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as openpgp from 'openpgp';
import { DataType, HashType } from '../format/constants.js';
import { descriptorLayout, headerLayout } from '../format/layout.js';
import { SifImage } from '../image/image.js';
import { editImage } from '../image/write/editor.js';
import { signatureExtra } from '../image/write/extra.js';
import { decodeClearSigned } from '../integrity/pgp/cleartext.js';

/** Clear-signs `text` as the reference does (SHA-256, no salt notation). */
export async function clearSignText(text: string, key: openpgp.PrivateKey): Promise<string> {
  const message = await openpgp.createCleartextMessage({ text });
  return openpgp.sign({ message, signingKeys: key, config: { nonDeterministicSignaturesViaNotation: false, preferredHashAlgorithm: openpgp.enums.hash.sha256 } });
}

export interface SignatureInput {
  data: string | Buffer;
  linkedGroupId: number;
  /** Fingerprint recorded in Extra (hex); default none (zero). */
  fingerprint?: string;
  hashType?: number;
}

/** Appends a signature object with the writer API; returns its ID. */
export async function appendSignature(path: string, s: SignatureInput): Promise<number> {
  const d = await editImage(path, (e) =>
    e.addObject({
      dataType: DataType.Signature,
      data: Buffer.from(s.data),
      linkedGroupId: s.linkedGroupId,
      extra: signatureExtra(s.hashType ?? HashType.SHA256, s.fingerprint ? Buffer.from(s.fingerprint, 'hex') : new Uint8Array(0)),
    }),
  );
  return d.id;
}

export const deleteObject = (path: string, id: number) => editImage(path, (e) => e.deleteObject(id));

/** The raw bytes of object `id`. */
export async function objectBytes(path: string, id: number): Promise<Buffer> {
  const image = await SifImage.open(path);
  try {
    return await image.readObject(image.descriptors.find((d) => d.id === id)!);
  } finally {
    await image.close();
  }
}

/** The metadata JSON signed by signature object `id`. */
export async function payloadOf(path: string, id: number): Promise<string> {
  return decodeClearSigned(await objectBytes(path, id))!.plaintext.toString('utf8').replace(/\n$/, '');
}

/** Overwrites a descriptor field of object `id` in place (no lock: a test's private copy). */
export function patchDescriptor(path: string, id: number, edit: (slot: Buffer) => void): Buffer {
  const bytes = readFileSync(path);
  const table = Number(bytes.readBigInt64LE(headerLayout.offsets.descriptorsOffset));
  const total = Number(bytes.readBigInt64LE(headerLayout.offsets.descriptorsTotal));
  for (let k = 0; k < total; k++) {
    const slot = bytes.subarray(table + k * 585, table + (k + 1) * 585);
    if (slot[descriptorLayout.offsets.used] !== 0 && slot.readUInt32LE(descriptorLayout.offsets.id) === id) {
      edit(slot);
      return bytes;
    }
  }
  throw new Error(`no object ${id}`);
}

/** A DSSE envelope (sif ≥ 2.9) over `payload`, signed with a fresh Ed25519 key. */
export function dsseEnvelope(payload: string): string {
  const type = 'application/vnd.sylabs.sif-metadata+json';
  const body = Buffer.from(payload);
  const pae = Buffer.concat([Buffer.from(`DSSEv1 ${type.length} ${type} ${body.length} `), body]);
  const { privateKey } = generateKeyPairSync('ed25519');
  const sig = sign(null, pae, privateKey).toString('base64');
  return JSON.stringify({ payloadType: type, payload: body.toString('base64'), signatures: [{ keyid: '', sig }] });
}

/** A legacy (pre-3.6) group signature text: SHA-384 of the concatenated data. */
export function legacyPayload(data: readonly Buffer[]): string {
  const h = createHash('sha384');
  for (const d of data) h.update(d);
  return `SIFHASH:\n${h.digest('hex')}`;
}
