/**
 * Every place the verifier rejects a signature says which failure it is
 * (SignatureError.reason), on real images made the ways such failures arise:
 * unknown keys, forged descriptors, partial signatures, foreign or garbled
 * signature objects, expired and revoked keys, malformed legacy digests.
 */
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { openSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import * as openpgp from 'openpgp';
import { SignatureError, type SignatureFailure } from '../errors.js';
import { DataType, HashType } from '../format/constants.js';
import { descriptorLayout } from '../format/layout.js';
import { SifImage } from '../image/image.js';
import { editImage } from '../image/write/editor.js';
import { signatureExtra } from '../image/write/extra.js';
import { classify } from '../policy/report.js';
import { copyImage, spawnCli } from '../test-support/cli.js';
import { forgeFingerprint } from '../test-support/gating-images.js';
import { GO_IMAGES, withReference } from '../test-support/reference.js';
import { clearSign } from './pgp/clearsign.js';
import { ObjectDigests } from './digest.js';
import type { VerificationKey } from './trust.js';
import { MAX_SIGNATURE_SIZE, groupMinId, groupObjects } from './select.js';
import { buildMetadata, encodeMetadata } from './metadata.js';
import { signImage } from './sign.js';
import { verifyIntegrity } from './verify.js';

type Key = openpgp.PrivateKey;
const newKey = async (name: string, options: { date?: Date; keyExpirationTime?: number } = {}): Promise<Key> =>
  (await openpgp.generateKey({ type: 'ecc', userIDs: [{ name, email: `${name}@example.com` }], format: 'object', ...options })).privateKey;
const trust = (...keys: openpgp.Key[]): VerificationKey[] => keys.map((k) => ({ key: k.toPublic(), source: 'local', path: 'test' }));

/** The metadata text a signature over group 1 of `path` signs. */
async function metadataText(path: string): Promise<string> {
  const image = await SifImage.open(path);
  try {
    return encodeMetadata(await buildMetadata(image, new ObjectDigests(image), groupObjects(image, 1), groupMinId(image, 1)));
  } finally {
    await image.close();
  }
}

/** Appends a signature object linked to group 1 holding `data`, recording `fingerprint` and `hashType`. */
async function addSignature(path: string, data: string | Buffer, fingerprint: string, hashType: number = HashType.SHA256) {
  await editImage(path, (e) =>
    e.addObject({ dataType: DataType.Signature, data: Buffer.from(data), linkedGroupId: 1, extra: signatureExtra(hashType, Buffer.from(fingerprint, 'hex')) }),
  );
}

/** The first signature's verification error (or the first task's own error). */
async function firstError(path: string, keys: VerificationKey[], legacy = false) {
  const image = await SifImage.open(path);
  try {
    const report = await verifyIntegrity(image, { keys, legacy });
    return report.tasks[0]!.signatures[0]?.error ?? report.tasks[0]!.error;
  } finally {
    await image.close();
  }
}

withReference(t, 'each rejected signature says why', ['go-sif'], async (t: Test) => {
  const dir = t.testdir();
  const [a, b] = [await newKey('a'), await newKey('b')];
  const fpA = a.getFingerprint();
  const past = new Date('2020-01-01T00:00:00Z');
  const expiring = await newKey('expired', { date: past, keyExpirationTime: 3600 });
  const revocable = await newKey('revoked');
  const { publicKey: revoked } = await openpgp.revokeKey({ key: revocable, format: 'object' });
  let n = 0;
  const image = () => copyImage(dir, `img-${n++}.sif`, join(GO_IMAGES, 'one-group.sif'));
  const signedBy = async (key: Key, options: { objects?: number[]; date?: Date } = {}) => {
    const path = image();
    await signImage(path, { key, ...options });
    return path;
  };

  type Case = [name: string, make: () => Promise<string>, keys: VerificationKey[], reason: SignatureFailure | undefined, legacy?: boolean];
  const cases: Case[] = [
    ['verified', () => signedBy(a), trust(a), undefined],
    ['no key for the signer', () => signedBy(a), trust(b), 'unknown-signer'],
    ['descriptor names another key', async () => {
      const path = await signedBy(a);
      forgeFingerprint(path, 3, b.getFingerprint());
      return path;
    }, trust(a, b), 'fingerprint-mismatch'],
    ['one object of two signed', () => signedBy(a, { objects: [1] }), trust(a), 'object-not-signed'],
    ['unsigned', async () => image(), trust(a), 'not-found'],
    ['expired key', () => signedBy(expiring, { date: new Date(past.getTime() + 60_000) }), trust(expiring), 'key-expired'],
    ['revoked key', () => signedBy(revocable), trust(revoked), 'key-revoked'],
    ['not a signed message', async () => {
      const path = image();
      await addSignature(path, 'hello', fpA);
      return path;
    }, trust(a), 'not-clearsigned'],
    ['DSSE envelope', async () => {
      const path = image();
      await addSignature(path, JSON.stringify({ payloadType: 'application/vnd.sylabs.sif-metadata+json', payload: '', signatures: [] }), fpA);
      return path;
    }, trust(a), 'no-key-material'],
    ['larger than any signature', async () => {
      const path = image();
      await addSignature(path, Buffer.alloc(MAX_SIGNATURE_SIZE + 1, 0x20), fpA);
      return path;
    }, trust(a), 'oversized'],
    ['signed text is not metadata', async () => {
      const path = image();
      await addSignature(path, (await clearSign('not json', a)).text, fpA);
      return path;
    }, trust(a), 'bad-metadata'],
    ['signed text changed', async () => {
      const path = image();
      const signed = (await clearSign(await metadataText(path), a)).text;
      await addSignature(path, signed.replace('"version":1', '"version":2'), fpA);
      return path;
    }, trust(a), 'bad-signature'],
    ['legacy digest with a hash type legacy signatures never used', async () => {
      const path = image();
      await addSignature(path, (await clearSign(`SIFHASH:\n${'00'.repeat(32)}\n`, a)).text, fpA, HashType.BLAKE2s_256);
      return path;
    }, trust(a), 'hash-unsupported', true],
    ['legacy digest not hex', async () => {
      const path = image();
      await addSignature(path, (await clearSign('SIFHASH:\nnot hex\n', a)).text, fpA, HashType.SHA384);
      return path;
    }, trust(a), 'bad-legacy-digest', true],
  ];
  for (const [name, make, keys, reason, legacy] of cases) {
    const error = await firstError(await make(), keys, legacy);
    if (reason === undefined) {
      t.equal(error, undefined, name);
      continue;
    }
    t.ok(error instanceof SignatureError, `${name}: a SignatureError`);
    t.equal((error as SignatureError).reason, reason, `${name}: ${error?.message}`);
    t.not(classify(error), 'verified', `${name}: never verified`);
  }
});

withReference(t, 'a hash type the descriptor cannot name fails before the signature is read', ['go-sif'], async (t: Test) => {
  const dir = t.testdir();
  const a = await newKey('a');
  const path = copyImage(dir, 'img.sif', join(GO_IMAGES, 'one-group.sif'));
  await signImage(path, { key: a });
  const image = await SifImage.open(path);
  const at = Number(image.header.raw.descriptorsOffset) + image.descriptors.find((d) => d.id === 3)!.slot * descriptorLayout.size;
  await image.close();
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.from([0, 0, 0, 0]), 0, 4, at + descriptorLayout.offsets.extra);
  closeSync(fd);
  const error = await firstError(path, trust(a));
  t.same([error?.message, (error as SignatureError).reason], ['signature object 3: hash algorithm unsupported', 'hash-unsupported']);
});

withReference(t, 'a signature by an expired or revoked key exits 14 with the reference text, not 10', ['go-sif'], async (t: Test) => {
  const dir = t.testdir();
  const past = new Date('2020-01-01T00:00:00Z');
  const expiring = await newKey('expired', { date: past, keyExpirationTime: 3600 });
  const revocable = await newKey('revoked');
  const { publicKey: revoked } = await openpgp.revokeKey({ key: revocable, format: 'object' });
  const cases: [name: string, signer: Key, date: Date | undefined, trusted: openpgp.Key, says: string][] = [
    ['expired', expiring, new Date(past.getTime() + 60_000), expiring.toPublic(), 'key expired'],
    ['revoked', revocable, undefined, revoked, 'key revoked'],
  ];
  for (const [name, signer, date, trusted, says] of cases) {
    const path = copyImage(dir, `${name}.sif`, join(GO_IMAGES, 'one-group.sif'));
    await signImage(path, { key: signer, ...(date ? { date } : {}) });
    const keyring = join(dir, `${name}.asc`);
    writeFileSync(keyring, trusted.armor());
    const r = spawnCli(['verify', '--keyring', keyring, path], { env: { SIF_KEYSDIR: join(dir, 'none'), SIF_GLOBAL_KEYRING: '' } });
    t.equal(r.code, 14, `${name}: its own exit code`);
    t.equal(r.stderr, `sif: signature object 3 not valid: key ${signer.getFingerprint().toUpperCase()}: ${says}\n`, `${name}: one line, the reference's words`);
  }
});
