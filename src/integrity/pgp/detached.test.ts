/**
 * Every packet rule of go-crypto's signature reading, one crafted message at
 * a time, judged by the Go reference (sylabs/sif's clearsign decoding and
 * go-crypto's CheckDetachedSignatureAndHash, via the oracle's `checksig`):
 * our check must pass exactly when it passes, and say "unknown signer"
 * exactly when it says "unknown entity".
 */
import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { clearSignText } from '../../test-support/forge.js';
import { oracle } from '../../test-support/oracle.js';
import { withReference } from '../../test-support/reference.js';
import {
  creationTime,
  firstPacketBody,
  joinSignature,
  junkSignature,
  packet,
  signatureBlock,
  splitSignature,
  subpacket,
  SUBPACKET,
  withSignatureBlock,
  type SignatureFields,
} from '../../test-support/signature-surgery.js';
import { checkClearSigned } from './clearsign.js';
import { decodeClearSigned } from './cleartext.js';

type Build = (valid: Buffer, fields: SignatureFields) => Buffer;

const withFields = (edit: (f: SignatureFields) => Partial<SignatureFields>): Build => (_v, f) => joinSignature({ ...f, ...edit(f) });
const hashedPlus = (...subs: Buffer[]): Build => withFields((f) => ({ hashed: Buffer.concat([f.hashed, ...subs]) }));
const unhashedPlus = (...subs: Buffer[]): Build => withFields((f) => ({ unhashed: Buffer.concat([f.unhashed, ...subs]) }));
const first = (junk: Buffer): Build => (v) => Buffer.concat([junk, v]);
const issuer = (fill: number, n = 8) => subpacket(SUBPACKET.issuer, Buffer.alloc(n, fill));

/** An old-format packet with a two-octet length. */
function oldFormat(body: Buffer): Buffer {
  const header = Buffer.from([0x89, 0, 0]);
  header.writeUInt16BE(body.length, 1);
  return Buffer.concat([header, body]);
}

/** A junk signature packet made to embed: type 0x19 by default. */
const embedded = (type = 0x19, hashed = creationTime()) => firstPacketBody(junkSignature(hashed, Buffer.alloc(0), [4, type, 22, 8]));

const CASES: [name: string, build: Build][] = [
  ['the valid packet', (v) => v],
  ['trust subpacket of 3 bytes, unhashed', unhashedPlus(subpacket(5, [1, 2, 3]))],
  ['regular expression without NUL, unhashed', unhashedPlus(subpacket(6, [0x61]))],
  ['empty regular expression, unhashed', unhashedPlus(subpacket(6, []))],
  ['key expiration of 3 bytes, unhashed (ignored there)', unhashedPlus(subpacket(9, [1, 2, 3]))],
  ['key expiration of 3 bytes, hashed', hashedPlus(subpacket(9, [1, 2, 3]))],
  ['signature expiration of 2 bytes, hashed', hashedPlus(subpacket(3, [1, 2]))],
  ['a signature that expired after one second', hashedPlus(subpacket(3, [0, 0, 0, 1]))],
  ['primary user ID flag of 2 bytes, hashed', hashedPlus(subpacket(25, [1, 1]))],
  ['empty key flags, hashed', hashedPlus(subpacket(27, []))],
  ['empty revocation reason, hashed', hashedPlus(subpacket(29, []))],
  ['odd AEAD cipher suites, hashed', hashedPlus(subpacket(39, [1, 2, 3]))],
  ['creation time of 3 bytes, hashed', hashedPlus(subpacket(SUBPACKET.creationTime, [1, 2, 3]))],
  ['zero-length subpacket, unhashed', unhashedPlus(Buffer.from([0]))],
  ['subpacket truncated (two-octet length), unhashed', unhashedPlus(Buffer.from([0xc5]))],
  ['subpacket truncated (five-octet length), unhashed', unhashedPlus(Buffer.from([0xff, 0, 0]))],
  ['subpacket longer than its area, unhashed', unhashedPlus(Buffer.from([0xff, 0, 0, 0, 9, 16]))],
  ['critical unknown subpacket, hashed', hashedPlus(subpacket(100, [1], true))],
  ['critical notation, unhashed', unhashedPlus(subpacket(20, [0x80, 0, 0, 0, 0, 1, 0, 1, 0x61, 0x62], true))],
  ['critical preferred hashes, unhashed (known: ignored)', unhashedPlus(subpacket(21, [8], true))],
  // Found by the signatures fuzz target: go-crypto knows the policy URI type, so its critical bit is ignored.
  ['critical policy URI, unhashed (known: ignored)', unhashedPlus(subpacket(26, Buffer.alloc(21), true))],
  ['issuer fingerprint v5 of 32 bytes naming nobody, unhashed', unhashedPlus(subpacket(SUBPACKET.issuerFingerprint, [5, ...Buffer.alloc(32, 9)]))],
  ['a good embedded signature, unhashed', unhashedPlus(subpacket(32, embedded()))],
  ['an embedded signature of the wrong type', unhashedPlus(subpacket(32, embedded(0x13)))],
  ['two embedded signatures', unhashedPlus(subpacket(32, embedded()), subpacket(32, embedded()))],
  ['an embedded signature without creation time', unhashedPlus(subpacket(32, embedded(0x19, Buffer.alloc(0))))],
  ['an embedded signature of an unknown version (skipped packet)', unhashedPlus(subpacket(32, Buffer.from([3, 0x19])))],
  ['no creation time', withFields(() => ({ hashed: Buffer.alloc(0) }))],
  ['version 3 packet (skipped)', withFields((f) => ({ head: Buffer.from([3, ...f.head.subarray(1)]) }))],
  ['version 5 packet with a v4 issuer', withFields((f) => ({ head: Buffer.from([5, ...f.head.subarray(1)]) }))],
  ['unknown public-key algorithm (skipped)', withFields((f) => ({ head: Buffer.from([4, f.head[1]!, 99, f.head[3]!]) }))],
  ['unknown hash (skipped)', withFields((f) => ({ head: Buffer.from([4, f.head[1]!, f.head[2]!, 99]) }))],
  ['SHA-1', withFields((f) => ({ head: Buffer.from([4, f.head[1]!, f.head[2]!, 2]) }))],
  ['signature type 0x02', withFields((f) => ({ head: Buffer.from([4, 2, f.head[2]!, f.head[3]!]) }))],
  ['RSA algorithm on an EdDSA signature', withFields((f) => ({ head: Buffer.from([4, f.head[1]!, 1, f.head[3]!]) }))],
  ['a wrong hash tag', withFields((f) => ({ tail: Buffer.concat([Buffer.from([f.tail[0]! ^ 1, f.tail[1]!]), f.tail.subarray(2)]) }))],
  ['the MPIs cut short', withFields((f) => ({ tail: f.tail.subarray(0, f.tail.length - 3) }))],
  ['a junk packet by an unknown issuer first', first(junkSignature(creationTime(), issuer(0x33)))],
  ['a junk packet by the signer first (maths fails)', (v, f) => Buffer.concat([junkSignature(f.hashed, f.unhashed), v])],
  ['a v5 junk packet with an issuer subpacket first', first(junkSignature(creationTime(), issuer(0x33), [5, 0, 22, 8]))],
  ['a user ID packet first', first(packet(13, Buffer.from('someone')))],
  ['a v3 public key packet first (skipped)', first(packet(6, Buffer.from([3, 0, 0, 0, 0, 1, 0, 0])))],
  ['a v4 public key packet first', first(packet(6, Buffer.from([4, 0, 0, 0, 0, 1, 0, 0])))],
  ['a short public key packet first', first(packet(6, Buffer.from([3, 0])))],
  ['a v2 encrypted key packet first (skipped)', first(packet(1, Buffer.alloc(10, 2)))],
  ['a marker packet first (unknown type: skipped)', first(packet(10, Buffer.from('PGP')))],
  ['an unknown packet type running past the end', first(Buffer.from([0xc0 | 60, 50, 1, 2]))],
  ['a byte without the tag bit first', first(Buffer.from([0x01]))],
  ['old-format packet', (v) => oldFormat(firstPacketBody(v))],
  ['old-format packet of indeterminate length', (v) => Buffer.concat([Buffer.from([0x8b]), firstPacketBody(v)])],
  ['truncated packet header', (v) => Buffer.concat([v, Buffer.from([0xc2, 0xff, 0])])],
  ['truncated old-format length', () => Buffer.from([0x8a, 0])],
  ['partial length whose next length is missing', (v) => Buffer.concat([Buffer.from([0xc2, 0xe1]), firstPacketBody(v).subarray(0, 2)])],
  ['nothing at all', () => Buffer.alloc(0)],
];

async function sameAsReference(t: Test, name: string, message: string, keys: openpgp.Key[], keyring: string, dir: string, i: number) {
  const file = join(dir, `message-${i}.txt`);
  writeFileSync(file, message);
  const theirs = oracle<{ found: boolean; error: string; unknownIssuer: boolean }>('checksig', '--keyring', keyring, file);
  const cs = decodeClearSigned(Buffer.from(message, 'latin1'));
  t.equal(cs !== undefined, theirs.found, `${name}: decoded alike`);
  if (!cs) return;
  const ours = await checkClearSigned(cs, keys);
  t.equal(ours.failure === undefined, theirs.error === '', `${name}: ours ${ours.failure ?? 'verified'} (${ours.reason}); reference ${theirs.error || 'verified'}`);
  t.equal(ours.failure === 'unknown-signer', theirs.unknownIssuer, `${name}: unknown signer exactly when the reference says so`);
}

withReference(t, 'signature packet rules match go-crypto', ['go', 'go-sif'], async (t: Test) => {
  const dir = t.testdir();
  const { privateKey } = await openpgp.generateKey({ type: 'ecc', userIDs: [{ name: 'packets' }], format: 'object' });
  const keyring = join(dir, 'key.asc');
  writeFileSync(keyring, privateKey.toPublic().armor());
  const keys = [privateKey.toPublic()];
  const signed = await clearSignText('{"hello":1}', privateKey);
  const valid = signatureBlock(signed);
  const fields = splitSignature(firstPacketBody(valid))!;
  for (const [i, [name, build]] of CASES.entries()) {
    await sameAsReference(t, name, withSignatureBlock(signed, build(valid, fields)), keys, keyring, dir, i);
  }
  // After a valid packet the end of the armor is never read; after an unknown signer's it is.
  const armorCases: [string, string][] = [];
  for (const [what, block] of [['after the valid packet', valid], ['after an unknown signer', junkSignature(creationTime(), issuer(0x33))]] as const) {
    const text = withSignatureBlock(signed, block);
    armorCases.push(
      [`a wrong armor checksum ${what}`, text.replace(/\n=(....)\n/, '\n=AAAA\n')],
      [`an armor checksum not followed by the END line ${what}`, text.replace(/\n=(....)\n/, '\n=$1\nxx\n')],
      [`a bad base64 checksum line ${what}`, text.replace(/\n=(....)\n/, '\n=A*AA\n')],
      [`no armor checksum ${what}`, text.replace(/\n=(....)\n/, '\n')],
      [`a base64 error ${what}`, text.replace(/\n=(....)\n/, '\n*\n=$1\n')],
      [`a line of 97 characters ${what}`, text.replace(/\n=(....)\n/, `\n${'A'.repeat(97)}\n`)],
    );
  }
  for (const [i, [name, message]] of armorCases.entries()) await sameAsReference(t, name, message, keys, keyring, dir, CASES.length + i);
});
