/**
 * Writes the fuzz regression inputs (testdata/fuzz-regressions/<target>/) that
 * are made rather than saved from a fuzz run: small stand-ins for crashers the
 * fuzzer found in reference images, which must not be copied here. Each case
 * says what it broke. Signatures are by the sylabs/sif test key (read in place
 * from the Debian package) at a fixed time, so the output is the same every run;
 * the one case that needs a fresh random key is written only when missing.
 *
 * Usage: node --import @tapjs/typescript/import scripts/gen-fuzz-regressions.ts [OUTDIR]
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as openpgp from 'openpgp';
import { DataType } from '../src/format/constants.js';
import { signatureExtra } from '../src/image/write/extra.js';
import { createImage } from '../src/image/write/create.js';
import { editImage } from '../src/image/write/editor.js';
import { ObjectDigests } from '../src/integrity/digest.js';
import { buildMetadata, encodeMetadata } from '../src/integrity/metadata.js';
import {
  creationTime,
  firstPacketBody,
  joinSignature,
  junkSignature,
  signatureBlock,
  splitSignature,
  subpacket,
  SUBPACKET,
  withSignatureBlock,
  type SignatureFields,
} from '../src/test-support/signature-surgery.js';

const OUT = process.argv[2] ?? resolve(fileURLToPath(import.meta.url), '../../testdata/fuzz-regressions');
const T = 1704164645n;

/** A clear-signed message whose signature packet claims version 5: openpgp.js gives it no issuer key ID. */
async function versionFiveSignature(key: openpgp.PrivateKey): Promise<string> {
  const message = await openpgp.createCleartextMessage({ text: '{"version":1,"header":{},"objects":[]}' });
  const text = await openpgp.sign({ message, signingKeys: key, date: signingDate(key), config: { nonDeterministicSignaturesViaNotation: false } });
  const [head, armored] = text.split('-----BEGIN PGP SIGNATURE-----');
  const body = (await openpgp.unarmor(`-----BEGIN PGP SIGNATURE-----${armored}`)).data as unknown as Uint8Array;
  const packets = Buffer.from(body);
  packets[packets[0]! & 0x40 ? (packets[1]! < 192 ? 2 : 3) : 3] = 5; // the version octet after the packet header
  return `${head}${openpgp.armor(openpgp.enums.armor.signature, packets)}`;
}

/** Sets octet `at` of the first signature packet's body of a clear-signed message and re-armors it. */
async function patchSignaturePacket(text: string, at: number, value: number): Promise<string> {
  const [head, armored] = text.split('-----BEGIN PGP SIGNATURE-----');
  const packets = Buffer.from((await openpgp.unarmor(`-----BEGIN PGP SIGNATURE-----${armored}`)).data as unknown as Uint8Array);
  packets[(packets[0]! & 0x40 ? (packets[1]! < 192 ? 2 : 3) : 3) + at] = value;
  return `${head}${openpgp.armor(openpgp.enums.armor.signature, packets)}`;
}

/** A signature object to add: its data, and whether its descriptor records the reference key. */
type SignatureObject = { data: Buffer; bySigner: boolean };

/**
 * A one-object image (group 1) whose signature objects `signatures` makes from
 * the reference key's clear-signed metadata of it (changed by `json` first).
 */
async function referenceSignedImage(
  path: string,
  key: openpgp.PrivateKey,
  signatures: (text: string) => Promise<SignatureObject[]> | SignatureObject[],
  { json = (j: string) => j, descriptors = 2 } = {},
): Promise<void> {
  rmSync(path, { force: true });
  await createImage(path, { time: T, id: 'nil', descriptors, objects: [{ dataType: DataType.Generic, data: Buffer.from('data'), groupId: 1 }] });
  await editImage(path, async (e) => {
    const md = await buildMetadata(e.image, new ObjectDigests(e.image), e.image.descriptors, 1);
    const message = await openpgp.createCleartextMessage({ text: json(encodeMetadata(md)) });
    const text = await openpgp.sign({ message, signingKeys: key, date: signingDate(key), config: { nonDeterministicSignaturesViaNotation: false } });
    for (const s of await signatures(text)) {
      const fingerprint = s.bySigner ? Buffer.from(key.getFingerprint(), 'hex') : new Uint8Array(0);
      await e.addObject({ dataType: DataType.Signature, data: s.data, linkedGroupId: 1, extra: signatureExtra(1, fingerprint) });
    }
  }, { time: T });
}

/** An image whose group-1 signature (by the reference key) has octet `at` of its packet body set to `value`. */
const patchedSignatureImage = (path: string, key: openpgp.PrivateKey, at: number, value: number) =>
  referenceSignedImage(path, key, async (text) => [{ data: Buffer.from(await patchSignaturePacket(text, at, value)), bySigner: true }]);

async function verifyCases(dir: string): Promise<void> {
  const key = await referenceKey();
  await metadataCases(dir, key);
  // An unknown signature type (body octet 1): openpgp.verify itself threw "Invalid enum value": internal error.
  await patchedSignatureImage(join(dir, 'signature-unknown-type.sif'), key, 1, 0xff);
  const path = join(dir, 'signature-v5-without-issuer.sif');
  rmSync(path, { force: true });
  await createImage(path, {
    time: T,
    id: 'nil',
    descriptors: 2,
    objects: [
      { dataType: DataType.Generic, data: Buffer.from('data'), groupId: 1 },
      { dataType: DataType.Signature, data: Buffer.from(await versionFiveSignature(key)), linkedGroupId: 1, extra: signatureExtra(1, Buffer.from(key.getFingerprint(), 'hex')) },
    ],
  });
}

/** The sylabs/sif test key, read in place from the Debian package (the verify target trusts it). */
const REFERENCE_KEY = '/usr/share/gocode/src/github.com/sylabs/sif/test/keys/private.asc';
const referenceKey = async () => openpgp.readPrivateKey({ armoredKey: readFileSync(REFERENCE_KEY, 'utf8') });
/** A fixed time (after the key's self-signature) and no salt: RSA signatures come out the same every run. */
const signingDate = (_key: openpgp.PrivateKey) => new Date('2024-01-02T03:04:05Z');

/**
 * Images whose group-1 signature is by the reference test key over real
 * metadata changed by `edit`, so the verifier reaches the metadata parser.
 */
async function metadataCases(dir: string, key: openpgp.PrivateKey): Promise<void> {
  const cases: Record<string, (json: string) => string> = {
    // JSON.stringify of the bad version overflowed the stack: internal error.
    'metadata-deeply-nested-version.sif': (j) => j.replace('"version":1', `"version":${'['.repeat(20000)}1${']'.repeat(20000)}`),
    // JSON.parse reads 0.0 as 0; Go refuses it, so we verified what the reference rejects.
    'metadata-relative-id-0.0.sif': (j) => j.replace('"relativeId":0', '"relativeId":0.0'),
    // A key named like an Object.prototype member hit the prototype in a field table: TypeError.
    'metadata-constructor-key.sif': (j) => j.replace('{"version":1', '{"constructor":1,"version":1'),
  };
  for (const [name, edit] of Object.entries(cases)) {
    await referenceSignedImage(join(dir, name), key, (text) => [{ data: Buffer.from(text), bySigner: true }], { json: edit });
  }
}

/**
 * An image whose group-1 signature (by the reference test key) has its packets
 * changed by `edit`, and optionally a second signature object over `extra`
 * packets: the cases of issue 21, where sif and the reference disagreed.
 */
const signaturePacketImage = (path: string, key: openpgp.PrivateKey, edit: (packets: Buffer) => Buffer, extra?: Buffer) =>
  referenceSignedImage(
    path,
    key,
    (text) => [
      { data: Buffer.from(withSignatureBlock(text, edit(signatureBlock(text)))), bySigner: true },
      ...(extra ? [{ data: Buffer.from(withSignatureBlock(text, extra)), bySigner: false }] : []),
    ],
    { descriptors: 3 },
  );

async function signatureCases(dir: string): Promise<void> {
  const key = await referenceKey();
  const fields = (edit: (f: SignatureFields) => Partial<SignatureFields>) => (packets: Buffer) => {
    const f = splitSignature(firstPacketBody(packets))!;
    return joinSignature({ ...f, ...edit(f) });
  };
  const unhashed = (sub: Buffer) => fields((f) => ({ unhashed: Buffer.concat([f.unhashed, sub]) }));
  const before = (junk: Buffer) => (packets: Buffer) => Buffer.concat([junk, packets]);
  const issuer = (n: number, fill: number) => subpacket(SUBPACKET.issuer, Buffer.alloc(n, fill));
  const withTail = (packet: Buffer, tail: number[]) => {
    const f = splitSignature(firstPacketBody(packet))!;
    return joinSignature({ ...f, tail: Buffer.concat([f.tail, Buffer.from(tail)]) });
  };
  const cases: Record<string, [edit: (packets: Buffer) => Buffer, extra?: Buffer]> = {
    // Unhashed-area edits go-crypto refuses or skips; openpgp.js ignored them and sif verified.
    'unhashed-creation-time.sif': [unhashed(creationTime())],
    'unhashed-issuer-7-bytes.sif': [unhashed(issuer(7, 0x11))],
    'unhashed-fingerprint-19-bytes.sif': [unhashed(subpacket(SUBPACKET.issuerFingerprint, [4, ...Buffer.alloc(19, 0x22)]))],
    'unhashed-critical-unknown.sif': [unhashed(subpacket(100, [1], true))],
    // Found by the fuzzer: a critical policy URI (a type go-crypto knows) was taken for an unknown one.
    'unhashed-critical-policy-uri.sif': [unhashed(subpacket(26, Buffer.alloc(21), true))],
    // A malformed packet before the valid one: go-crypto stops there; sif went on to the valid one.
    'first-packet-without-issuer.sif': [before(junkSignature(creationTime()))],
    'first-packet-issuer-7-bytes.sif': [before(junkSignature(creationTime(), issuer(7, 0x11)))],
    'first-packet-fingerprint-10-bytes.sif': [before(junkSignature(creationTime(), subpacket(SUBPACKET.issuerFingerprint, [4, ...Buffer.alloc(10, 0x22)])))],
    'first-packet-empty-fingerprint.sif': [before(junkSignature(creationTime(), subpacket(SUBPACKET.issuerFingerprint, [])))],
    'first-packet-trailing-bytes.sif': [before(withTail(junkSignature(creationTime(), issuer(8, 0x44)), [1, 2]))],
    // An extra signature --ignore-unknown-signers skipped as an unknown signer.
    'extra-signature-without-issuer.sif': [(p) => p, junkSignature(creationTime())],
    // False rejects: the reference verifies these.
    'first-packet-zero-issuer.sif': [before(junkSignature(creationTime(), issuer(8, 0)))],
    'trailing-bytes-after-mpi.sif': [fields((f) => ({ tail: Buffer.concat([f.tail, Buffer.from([1, 2, 3])]) }))],
  };
  for (const [name, [edit, extra]] of Object.entries(cases)) await signaturePacketImage(join(dir, name), key, edit, extra);
}

/** Megabytes of unterminated armor: a quadratic block scan hung the key readers. */
function keysCases(dir: string): void {
  const begin = (kind: string) => `-----BEGIN PGP ${kind} KEY BLOCK-----\n`;
  writeFileSync(join(dir, 'unterminated-armor-blocks.asc.gz'), gzipSync(begin('PUBLIC').repeat(60000), { level: 9 }));
  const closed = `${begin('PRIVATE')}\nxsBN\n-----END PGP PUBLIC KEY BLOCK-----\n`;
  writeFileSync(join(dir, 'unterminated-after-complete-block.asc.gz'), gzipSync(closed + begin('PRIVATE').repeat(60000), { level: 9 }));
}

/**
 * A passphrase-protected secret key whose first MPI length is wrong: openpgp.js
 * reads it but cannot write it back, which `sif key import` does to unlock it
 * (TypeError). Made from a fresh random key, so it is written only when missing.
 */
async function damagedSecretKey(dir: string): Promise<void> {
  const path = join(dir, 'secret-key-bad-mpi-length.key');
  if (existsSync(path)) return;
  const { privateKey } = await openpgp.generateKey({ type: 'rsa', rsaBits: 2048, userIDs: [{ name: 'fuzz regression' }], passphrase: 'p', format: 'object' });
  const bytes = Buffer.from(privateKey.write());
  bytes[10] = 0x16; // low octet of the modulus's bit count (header 3, version 1, time 4, algorithm 1, high octet 1)
  writeFileSync(path, bytes);
}

const CASES: Record<string, (dir: string) => Promise<void> | void> = {
  verify: verifyCases,
  signatures: signatureCases,
  keys: async (dir) => {
    keysCases(dir);
    await damagedSecretKey(dir);
  },
};

for (const [target, make] of Object.entries(CASES)) {
  const dir = join(OUT, target);
  mkdirSync(dir, { recursive: true });
  await make(dir);
  for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o644); // data, not programs (createImage makes 0755)
  process.stdout.write(`${dir}\n`);
}
