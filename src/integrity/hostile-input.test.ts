/**
 * Regression tests for hostile signature data the fuzzer (scripts/fuzz) and
 * the tamper sweep found mishandled: each input must end in the reference's
 * verdict or a typed error, never a crash.
 */
import t from 'tap';
import { decodeClearSigned } from './pgp/cleartext.js';
import { MetadataError, parseMetadata } from './metadata.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const metadata = (version: string, relativeId: string) =>
  `{"version":${version},"header":{"digest":"${DIGEST}"},"objects":[{"relativeId":${relativeId},"descriptorDigest":"${DIGEST}","objectDigest":"${DIGEST}"}]}`;

t.test('a base64 body with text after its padded last quantum decodes that quantum (as Go does)', async (t) => {
  const message = (tail: string) =>
    Buffer.from(`-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nhello\n-----BEGIN PGP SIGNATURE-----\n\nAAEC/Q==${tail}\n-----END PGP SIGNATURE-----`);
  const clean = decodeClearSigned(message('\n=AAAA'))!;
  t.same([...clean.signature], [0, 1, 2, 0xfd]);
  t.equal(clean.signatureError, 'armor invalid', '=AAAA is not their CRC: the error a reader meets at the end, as in go-crypto');
  for (const tail of ['\x0b=AAAA', '\n<AAA']) {
    const damaged = decodeClearSigned(message(tail))!;
    t.same([...damaged.signature], [0, 1, 2, 0xfd], `${JSON.stringify(tail)}: the packet bytes survive`);
    t.match(damaged.signatureError, /^illegal base64 data at input byte 8$/, 'the error is after them');
  }
});

t.test('a deeply nested metadata version is a MetadataError, not a stack overflow', async (t) => {
  const deep = `${'['.repeat(200000)}1${']'.repeat(200000)}`;
  t.throws(() => parseMetadata(metadata(deep, '0')), new MetadataError('unsupported metadata version an array'));
  t.throws(() => parseMetadata(metadata('"x"', '0')), new MetadataError('unsupported metadata version "x"'));
});

t.test('integer fields must be integer literals, as Go decodes them (JSON.parse would accept 0.0, -0, 1e0)', async (t) => {
  t.equal(parseMetadata(metadata('1', '0')).objects[0]?.relativeId, 0);
  t.equal(parseMetadata(metadata('1', '7')).objects[0]?.relativeId, 7);
  for (const rid of ['0.0', '-0', '1e0', '0E0', '1.5e1']) {
    t.throws(() => parseMetadata(metadata('1', rid)), new MetadataError(`relativeId: ${rid} is not an integer`), `relativeId ${rid}`);
  }
  for (const version of ['1.0', '1e0', '10E-1']) {
    t.throws(() => parseMetadata(metadata(version, '0')), new MetadataError(`version: ${version} is not an integer`), `version ${version}`);
  }
});

t.test('keys named like Object.prototype members are plain unknown keys', async (t) => {
  for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    const text = metadata('1', '0').replace('{"version"', `{"${key}":1,"version"`);
    t.equal(parseMetadata(text).version, 1, key);
  }
});

t.test('a signature object must be exactly one clear-signed message (stricter than the reference)', async (t) => {
  const message = (head: string, sigHeaders: string, tail: string) =>
    Buffer.from(`${head}-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nhello\n-----BEGIN PGP SIGNATURE-----\n${sigHeaders}\nAAEC\n-----END PGP SIGNATURE-----${tail}`);
  t.equal(decodeClearSigned(message('', '', ''))?.extraneous, undefined);
  t.equal(decodeClearSigned(message('', '', '\n'))?.extraneous, undefined, 'a final newline is fine');
  t.equal(decodeClearSigned(message('\n', '', ' \r\n'))?.extraneous, undefined, 'so is blank space around it');
  t.equal(decodeClearSigned(message('', '', '\nmore text'))?.extraneous, 'text after the signature');
  t.equal(decodeClearSigned(message('preface\n', '', ''))?.extraneous, 'text before the signed message');
  t.equal(decodeClearSigned(message('', 'Version: x\n', ''))?.extraneous, 'armor headers in the signature block');
  t.equal(decodeClearSigned(message('', '', ''))?.plaintext.toString(), 'hello\n', 'the message itself decodes as before');
});
