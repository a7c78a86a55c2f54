import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { GO_IMAGES, withReference } from '../../test-support/reference.js';
import { canonicalText, checkClearSigned, clearSign } from './clearsign.js';
import { decodeClearSigned } from './cleartext.js';

const SIG = ['-----BEGIN PGP SIGNATURE-----', '', 'wsBzBAEBCAAn', '=yuMj', '-----END PGP SIGNATURE-----'].join('\n');
const msg = (headers: string, body: string, sig = SIG) => Buffer.from(`-----BEGIN PGP SIGNED MESSAGE-----\n${headers}\n${body}\n${sig}`);

t.test('clear-signed text is decoded as go-crypto decodes it', async (t) => {
  const cs = decodeClearSigned(msg('Hash: SHA256, SHA512\n', '- -dashed\nplain  \t\r\nlast'))!;
  t.equal(cs.plaintext.toString(), '-dashed\nplain\nlast\n', 'dash-unescaped, trailing blanks cut');
  t.equal(cs.signed.toString(), '-dashed\r\nplain\r\nlast', 'lines joined with CRLF, no final line ending');
  t.equal(cs.signature.toString('hex'), 'c2c073040101080027');
  t.equal(cs.signatureError, undefined);
  const crlf = decodeClearSigned(Buffer.from(msg('Hash: SHA256\n', '{}').toString().replaceAll('\n', '\r\n')))!;
  t.equal(crlf.signed.toString(), '{}');
  const prefixed = decodeClearSigned(Buffer.concat([Buffer.from('junk\n'), msg('Hash: SHA256\n', 'x'), Buffer.from('\ntrailing junk')]))!;
  t.equal(prefixed.plaintext.toString(), 'x\n', 'leading lines and anything after END are ignored');
  t.equal(decodeClearSigned(msg('', 'no hash header'))?.plaintext.toString(), 'no hash header\n');
  const armorHeaders = decodeClearSigned(msg('Hash: SHA256\n', 'x', SIG.replace('\n\n', '\nVersion: x\nComment: y\n\n')))!;
  t.equal(armorHeaders.signature.length, 9, 'headers of the signature armor are allowed');
});

t.test('anything else is "not found"', async (t) => {
  const bad: [string, Buffer][] = [
    ['no BEGIN', Buffer.from('hello')],
    ['BEGIN not at a line start', Buffer.from(`x${msg('Hash: SHA256\n', 'x').toString()}`)],
    ['suffix after BEGIN', Buffer.from(msg('Hash: SHA256\n', 'x').toString().replace('MESSAGE-----', 'MESSAGE----- x'))],
    ['another armor header', msg('Hash: SHA256\nComment: hi\n', 'x')],
    ['header without colon', msg('Hash SHA256\n', 'x')],
    ['control character in a header', msg('Hash: SHA\u0001256\n', 'x')],
    ['headers never end', Buffer.from('-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n')],
    ['no signature', Buffer.from('-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\ntext\n')],
    ['no END', msg('Hash: SHA256\n', 'x', SIG.replace('-----END PGP SIGNATURE-----', ''))],
    ['signature armor header without ": "', msg('Hash: SHA256\n', 'x', SIG.replace('\n\n', '\nbroken\n\n'))],
    ['signature armor without blank line', msg('Hash: SHA256\n', 'x', SIG.replace('\n\n', '\n'))],
  ];
  for (const [what, data] of bad) t.equal(decodeClearSigned(data), undefined, what);
});

t.test('a broken armor body is decoded up to the break, as the reference reads it lazily', async (t) => {
  const bad = decodeClearSigned(msg('Hash: SHA256\n', 'x', SIG.replace('wsBzBAEBCAAn', 'wsBzBA!BCAAn')))!;
  t.equal(bad.signature.toString('hex'), 'c2c073');
  t.equal(bad.signatureError, 'illegal base64 data at input byte 4');
  const long = decodeClearSigned(msg('Hash: SHA256\n', 'x', SIG.replace('wsBzBAEBCAAn', `wsBzBAEBCAAn\n${'A'.repeat(97)}`)))!;
  t.equal(long.signatureError, 'armor invalid');
  // Go's decoder keeps the padded quantum's bytes and fails after it (checked with encoding/base64).
  const padded = decodeClearSigned(msg('Hash: SHA256\n', 'x', SIG.replace('wsBzBAEBCAAn', 'wsB=BAEB')))!;
  t.equal(padded.signature.toString('hex'), 'c2c0');
  t.equal(padded.signatureError, 'illegal base64 data at input byte 4');
});


t.test("text is canonicalised as go-crypto's canonical-text hash does", async (t) => {
  const c = (s: string) => Buffer.from(canonicalText(Buffer.from(s))).toString();
  t.equal(c('a\nb'), 'a\r\nb');
  t.equal(c('a\r\nb'), 'a\r\nb');
  t.equal(c('a\r\r\nb'), 'a\r\r\r\nb', 'the byte after a CR passes through');
  t.equal(c('\r'), '\r');
});

withReference(t, 'signatures are checked with the reference rules', ['go-sif'], async (t) => {
  const goKey = await openpgp.readPrivateKey({ armoredKey: readFileSync(join(GO_IMAGES, '../keys/private.asc'), 'utf8') });
  const { privateKey: other } = await openpgp.generateKey({ type: 'ecc', userIDs: [{ name: 'Other' }], format: 'object' });
  const both = await openpgp.sign({
    message: await openpgp.createCleartextMessage({ text: '{"a":1}' }),
    signingKeys: [other, goKey],
  });
  const cs = decodeClearSigned(Buffer.from(both))!;
  const ok = await checkClearSigned(cs, [goKey.toPublic()]);
  t.equal(ok.failure, undefined, 'the first packet by a known key decides; an unknown one before it is skipped');
  t.equal(ok.signer?.getFingerprint().toUpperCase(), '12045C8C0B1004D058DE4BEDA20C27EE7FF7BA84');
  const unknown = await checkClearSigned(cs, []);
  t.equal(unknown.failure, 'unknown-signer');
  t.equal(unknown.issuerKeyId, other.getKeyID().toHex().toUpperCase(), 'the first issuer is named');
  const tampered = decodeClearSigned(Buffer.from(both.replace('{"a":1}', '{"a":2}')))!;
  const bad = await checkClearSigned(tampered, [goKey.toPublic()]);
  t.equal(bad.failure, 'invalid');
  t.equal(bad.signer, undefined);
  const { privateKey: rsa } = await openpgp.generateKey({ type: 'rsa', rsaBits: 2048, userIDs: [{ name: 'Rsa' }], format: 'object' });
  const sha3 = await openpgp.sign({
    message: await openpgp.createCleartextMessage({ text: 'x' }),
    signingKeys: rsa,
    config: { preferredHashAlgorithm: openpgp.enums.hash.sha3_256 },
  });
  const refused = await checkClearSigned(decodeClearSigned(Buffer.from(sha3))!, [rsa.toPublic()]);
  t.same([refused.failure, refused.reason], ['invalid', 'hash algorithm mismatch with cleartext message headers'], 'only SHA-224/256/384/512');
  const nonSig = decodeClearSigned(msg('Hash: SHA256\n', 'x', SIG.replace('wsBzBAEBCAAn', 'xAEA')))!;
  t.equal((await checkClearSigned(nonSig, [])).reason, 'non signature packet found');
  const garbage = decodeClearSigned(msg('Hash: SHA256\n', 'x', SIG.replace('wsBzBAEBCAAn', 'wgEA')))!;
  t.equal((await checkClearSigned(garbage, [])).failure, 'invalid', 'an unparsable signature packet');
});

t.test('signing refuses keys the reference cannot verify and records the real hash', async (t) => {
  const { privateKey: v6 } = await openpgp.generateKey({ type: 'curve25519', userIDs: [{ name: 'New' }], format: 'object' });
  await t.rejects(clearSign('x', v6), { code: 'SIF_KEY_INVALID', message: /is a v4 ed25519 key; Apptainer and sylabs\/sif verify only v4 RSA/ });
  const { privateKey: ecc } = await openpgp.generateKey({ type: 'ecc', userIDs: [{ name: 'Ecc' }], format: 'object' });
  const signed = await clearSign('{"a":1}', ecc);
  t.match(signed.text, /^-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA(256|512)\n\n\{"a":1\}\n/);
  t.equal(signed.hashType, signed.text.includes('Hash: SHA512') ? 3 : 1);
});
