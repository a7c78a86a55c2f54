/**
 * Hand-built OpenPGP signature packets on images really signed by a trusted
 * key (issue 21), and keys whose primary key cannot sign (issue 20, item 11).
 * Each case runs the built CLI under every signer policy and must get the
 * Go reference's verdict; a failure is one `sif:` line with a documented exit
 * code, and "unknown signer" (exit 13) exactly when the reference says
 * "signature made by unknown entity".
 */
import t, { type Test } from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { appendSignature, deleteObject, objectBytes } from '../test-support/forge.js';
import { runCli, spawnCli } from '../test-support/cli.js';
import { OracleServer } from '../fuzz/oracle-server.js';
import { isUnknownEntity, POLICY_MODES, referencePolicyError, sifPolicyFlags } from '../fuzz/policy-modes.js';
import { oracle, oracleBinary } from '../test-support/oracle.js';
import { gpgHome, gpgSubkeySigner, stopGpg } from '../test-support/pgp.js';
import { GO_IMAGES, withReference } from '../test-support/reference.js';
import { freshKey, signedImage, type SignedImage } from '../test-support/signed.js';
import {
  creationTime,
  firstPacketBody,
  joinSignature,
  junkSignature,
  type SignatureFields,
  signatureBlock,
  splitSignature,
  subpacket,
  SUBPACKET,
  withSignatureBlock,
} from '../test-support/signature-surgery.js';

const ENV = { SIF_KEYSDIR: '/nonexistent', SIF_GLOBAL_KEYRING: '' };
const GROUP1_SIGNATURE = 4;

/** Replaces group 1's signature by `edit(its packets)`, keeping the descriptor's fingerprint. */
async function editPackets(path: string, fingerprint: string, edit: (packets: Buffer) => Buffer): Promise<void> {
  const message = await objectBytes(path, GROUP1_SIGNATURE);
  await deleteObject(path, GROUP1_SIGNATURE);
  await appendSignature(path, { data: withSignatureBlock(message, edit(signatureBlock(message))), linkedGroupId: 1, fingerprint });
}

/** Changes the fields of the first (valid) signature packet. */
const editFields = (edit: (f: SignatureFields) => Partial<SignatureFields>) => (packets: Buffer) => {
  const fields = splitSignature(firstPacketBody(packets))!;
  return joinSignature({ ...fields, ...edit(fields) });
};

const before = (junk: Buffer) => (packets: Buffer) => Buffer.concat([junk, packets]);
const keyIdBytes = (n: number, fill = 0x11) => Buffer.alloc(n, fill);
const v4Fingerprint = (n: number) => Buffer.concat([Buffer.from([4]), Buffer.alloc(n, 0x22)]);

/** The valid packet again, with a partial body length: a first chunk of 2^5 bytes, then the rest. */
function partialLength(packets: Buffer): Buffer {
  const body = firstPacketBody(packets);
  const rest = Buffer.alloc(4);
  rest.writeUInt32BE(body.length - 32);
  return Buffer.concat([Buffer.from([0xc2, 0xe5]), body.subarray(0, 32), Buffer.from([0xff]), rest, body.subarray(32)]);
}

interface Case {
  name: string;
  /** 'rsa': the image signed by the RSA key; default the Ed25519 key. */
  signer?: 'rsa';
  edit: (path: string, signed: SignedImage) => Promise<void>;
}

const CASES: Case[] = [
  // 1. Unhashed-area edits to a valid signature.
  { name: 'creation time in the unhashed area', edit: (p, s) => editPackets(p, s.key.getFingerprint(), editFields((f) => ({ unhashed: Buffer.concat([f.unhashed, creationTime()]) }))) },
  { name: 'issuer of 7 bytes in the unhashed area', edit: (p, s) => editPackets(p, s.key.getFingerprint(), editFields((f) => ({ unhashed: Buffer.concat([f.unhashed, subpacket(SUBPACKET.issuer, keyIdBytes(7))]) }))) },
  { name: 'issuer fingerprint of 19 bytes in the unhashed area', edit: (p, s) => editPackets(p, s.key.getFingerprint(), editFields((f) => ({ unhashed: Buffer.concat([f.unhashed, subpacket(SUBPACKET.issuerFingerprint, v4Fingerprint(19))]) }))) },
  { name: 'critical unknown subpacket in the unhashed area', edit: (p, s) => editPackets(p, s.key.getFingerprint(), editFields((f) => ({ unhashed: Buffer.concat([f.unhashed, subpacket(100, [1], true)]) }))) },
  // 2. A malformed packet before a valid one.
  { name: 'a packet without issuer first', edit: (p, s) => editPackets(p, s.key.getFingerprint(), before(junkSignature(creationTime()))) },
  { name: 'a packet with a 7-byte issuer first', edit: (p, s) => editPackets(p, s.key.getFingerprint(), before(junkSignature(creationTime(), subpacket(SUBPACKET.issuer, keyIdBytes(7))))) },
  { name: 'a packet with a 10-byte fingerprint first', edit: (p, s) => editPackets(p, s.key.getFingerprint(), before(junkSignature(creationTime(), subpacket(SUBPACKET.issuerFingerprint, v4Fingerprint(10))))) },
  { name: 'a packet with an empty fingerprint first', edit: (p, s) => editPackets(p, s.key.getFingerprint(), before(junkSignature(creationTime(), subpacket(SUBPACKET.issuerFingerprint, [])))) },
  {
    name: 'an unknown issuer with trailing bytes first (read as the next packet header)',
    edit: (p, s) => editPackets(p, s.key.getFingerprint(), (packets) => Buffer.concat([junkSignatureWithTail(), packets])),
  },
  // 3. Extra signature objects that only --ignore-unknown-signers would skip.
  { name: 'an extra signature without issuer', edit: (p) => extraSignature(p, junkSignature(creationTime())) },
  { name: 'an extra signature with a 7-byte issuer', edit: (p) => extraSignature(p, junkSignature(creationTime(), subpacket(SUBPACKET.issuer, keyIdBytes(7)))) },
  { name: 'an extra signature by an unknown key', edit: (p) => extraSignature(p, junkSignature(creationTime(), subpacket(SUBPACKET.issuer, keyIdBytes(8, 0x33)))) },
  // False rejects fixed: the reference verifies these.
  { name: 'an all-zero issuer key ID first', edit: (p, s) => editPackets(p, s.key.getFingerprint(), before(junkSignature(creationTime(), subpacket(SUBPACKET.issuer, keyIdBytes(8, 0))))) },
  { name: 'trailing bytes after the RSA MPI', signer: 'rsa', edit: (p, s) => editPackets(p, s.key.getFingerprint(), editFields((f) => ({ tail: Buffer.concat([f.tail, Buffer.from([1, 2, 3])]) }))) },
  { name: 'the valid packet with a partial body length', edit: (p, s) => editPackets(p, s.key.getFingerprint(), partialLength) },
];

/** A signature packet by an unknown issuer whose body has two bytes after its MPIs. */
function junkSignatureWithTail(): Buffer {
  const junk = junkSignature(creationTime(), subpacket(SUBPACKET.issuer, keyIdBytes(8, 0x44)));
  const fields = splitSignature(firstPacketBody(junk))!;
  return joinSignature({ ...fields, tail: Buffer.concat([fields.tail, Buffer.from([0x01, 0x02])]) });
}

async function extraSignature(path: string, packets: Buffer): Promise<void> {
  const message = await objectBytes(path, GROUP1_SIGNATURE);
  await appendSignature(path, { data: withSignatureBlock(message, packets), linkedGroupId: 1 });
}

/** Every policy: our CLI's verdict is the reference's. */
async function sameVerdicts(t: Test, what: string, image: string, keyring: string, fingerprint: string, server: OracleServer): Promise<void> {
  for (const mode of POLICY_MODES) {
    const theirs = await referencePolicyError(server, mode, image, [keyring], fingerprint);
    // A real process for the default policy; the built CLI in-process for the others (same code, less load).
    const args = ['verify', '--keyring', keyring, ...sifPolicyFlags(mode, fingerprint), image];
    const ours = mode === 'default' ? spawnCli(args, { env: ENV }) : await runCli(args, ENV);
    t.equal(ours.code === 0, theirs === '', `${what}, ${mode}: sif exit ${ours.code} (${ours.stderr.trim()}); reference: ${theirs || 'verified'}`);
    if (ours.code === 0) continue;
    t.match(ours.stderr, /^sif: [^\n]+\n$/, `${what}, ${mode}: one line on stderr`);
    t.ok([10, 11, 12, 13].includes(ours.code), `${what}, ${mode}: a documented exit code`);
    if (mode === 'default') t.equal(ours.code === 13, isUnknownEntity(theirs), `${what}: "unknown signer" exactly when the reference says unknown entity`);
  }
}

withReference(t, 'hand-built signature packets: the Go reference decides', ['go', 'go-sif'], async (t: Test) => {
  const dir = t.testdir();
  const server = new OracleServer(oracleBinary());
  t.teardown(() => server.close());
  const bases = {
    ecc: await signedImage(dir, join(GO_IMAGES, 'two-groups.sif'), await freshKey('ecc', 'Key A'), 'ecc.sif'),
    rsa: await signedImage(dir, join(GO_IMAGES, 'two-groups.sif'), await freshKey('rsa', 'Key R'), 'rsa.sif'),
  };
  for (const [i, c] of CASES.entries()) {
    const base = bases[c.signer ?? 'ecc'];
    const image = join(dir, `case-${i}.sif`);
    writeFileSync(image, readFileSync(base.image));
    await c.edit(image, base);
    await sameVerdicts(t, c.name, image, base.keyring, base.key.getFingerprint().toUpperCase(), server);
  }
});

withReference(t, 'a key whose original primary user ID is revoked and a newer one is valid', ['go', 'go-sif'], async (t: Test) => {
  const dir = t.testdir();
  const server = new OracleServer(oracleBinary());
  t.teardown(() => server.close());
  const { privateKey } = await openpgp.generateKey({ type: 'ecc', userIDs: [{ name: 'Old' }, { name: 'New' }], format: 'object' });
  const signed = await signedImage(dir, join(GO_IMAGES, 'two-groups.sif'), privateKey, 'uid.sif');
  const key = await openpgp.readPrivateKey({ armoredKey: privateKey.armor() });
  key.users[0] = await key.users[0]!.revoke(key.keyPacket as openpgp.SecretKeyPacket, { flag: openpgp.enums.reasonForRevocation.userIDInvalid }, new Date(Date.now() + 1000));
  const keyring = join(dir, 'revoked-uid.asc');
  writeFileSync(keyring, key.toPublic().armor());
  await sameVerdicts(t, 'revoked first user ID', signed.image, keyring, key.getFingerprint().toUpperCase(), server);
  const json = JSON.parse(spawnCli(['verify', '--json', '--keyring', keyring, signed.image], { env: ENV }).stdout.toString()) as { SignerKeys: { Signer: { Name: string } }[] };
  t.equal(json.SignerKeys[0]?.Signer.Name, 'New', 'the signer is named by the identity the reference picks');
});

withReference(t, 'a key that signs with a subkey (its primary may only certify)', ['go', 'go-sif', 'gpg'], async (t: Test) => {
  const dir = t.testdir();
  const home = gpgHome();
  t.teardown(() => stopGpg(home));
  const server = new OracleServer(oracleBinary());
  t.teardown(() => server.close());
  const key = gpgSubkeySigner(home, dir);

  const ours = join(dir, 'signed-by-sif.sif');
  writeFileSync(ours, readFileSync(join(GO_IMAGES, 'one-group.sif')));
  t.equal(spawnCli(['sign', '--keyring', key.secretPath, ours], { env: ENV }).code, 0, 'sif signs with the signing subkey');
  await sameVerdicts(t, 'signed by sif', ours, key.publicPath, key.fingerprint, server);
  const plain = spawnCli(['verify', '--keyring', key.publicPath, ours], { env: ENV }).stdout.toString();
  t.match(plain, /^\[REMOTE\] +Signing entity: gpg subkey signer/m, 'labelled [REMOTE], as Apptainer labels it');
  const json = JSON.parse(spawnCli(['verify', '--json', '--keyring', key.publicPath, ours], { env: ENV }).stdout.toString()) as { SignerKeys: { Signer: { KeyLocal: boolean } }[] };
  t.equal(json.SignerKeys[0]?.Signer.KeyLocal, false, 'KeyLocal false, as in Apptainer');

  const theirs = join(dir, 'signed-by-go.sif');
  writeFileSync(theirs, readFileSync(join(GO_IMAGES, 'one-group.sif')));
  oracle('sign', '--key', key.secretPath, theirs);
  await sameVerdicts(t, 'signed by the Go library (with the primary key)', theirs, key.publicPath, key.fingerprint, server);
});
