/**
 * The web build's DSSE key reading and signature checks (browser/pem-keys.ts,
 * browser/platform/dsse-algorithms.ts) run here on Node's WebCrypto and are
 * judged by the node:crypto side the CLI uses: the same key IDs, and the same
 * answer for every signature, including re-encoded and malformed ones.
 */
import t from 'tap';
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signMessage, verifyMessage } from '../integrity/dsse/algorithms.js';
import { sshKeyId } from '../integrity/dsse/key-id.js';
import { FIXTURES, missingReference, whenAvailable } from '../test-support/reference.js';
import { readPemKey } from './browser/pem-keys.js';
import { derToP1363, signMessage as webSign, verifyMessage as webVerify } from './browser/platform/dsse-algorithms.js';
import { isPemKey } from './browser/pem-kind.js';

const spkiPem = (der: Buffer) => `-----BEGIN PUBLIC KEY-----\n${der.toString('base64')}\n-----END PUBLIC KEY-----\n`;
const pem = (key: KeyObject, type: 'spki' | 'pkcs1' = 'spki') => key.export({ type, format: 'pem' }) as string;

/** Signatures the web side must judge as node:crypto does: the real one, and variants of it. */
function variants(sig: Buffer, ec: boolean): [string, Buffer][] {
  const out: [string, Buffer][] = [
    ['as signed', sig],
    ['one bit flipped', Buffer.from(sig.map((b, i) => (i === sig.length - 1 ? b ^ 1 : b)))],
    ['empty', Buffer.alloc(0)],
    ['garbage', randomBytes(sig.length)],
  ];
  if (ec) {
    out.push(['trailing byte', Buffer.concat([sig, Buffer.from([0])])]);
    out.push(['long-form length', Buffer.concat([Buffer.from([0x30, 0x81, sig[1]!]), sig.subarray(2)])]);
  }
  return out;
}

t.test('signatures: the web check answers as node:crypto does, and key IDs agree', async (t) => {
  const keys: [string, KeyObject, KeyObject][] = [];
  const add = (name: string, pair: { publicKey: KeyObject; privateKey: KeyObject }) => keys.push([name, pair.publicKey, pair.privateKey]);
  add('ed25519', generateKeyPairSync('ed25519'));
  add('rsa', generateKeyPairSync('rsa', { modulusLength: 2048 }));
  for (const namedCurve of ['P-256', 'P-384', 'P-521']) add(namedCurve, generateKeyPairSync('ec', { namedCurve }));
  for (const [name, publicKey, privateKey] of keys) {
    const key = await readPemKey({ text: pem(publicKey), name: `${name}.pem` });
    t.equal(key.keyId, sshKeyId(publicKey), `${name}: key ID`);
    t.equal(key.identity, key.keyId, `${name}: identity`);
    for (let i = 0; i < 8; i++) {
      const message = randomBytes(40 + i);
      const sig = signMessage(privateKey, message);
      for (const [what, s] of variants(sig, name.startsWith('P-'))) {
        t.equal(await webVerify(key.publicKey as never, message, s), verifyMessage(publicKey, message, s), `${name} #${i}: ${what}`);
      }
      t.notOk(await webVerify(key.publicKey as never, Buffer.concat([message, Buffer.from('x')]), sig), `${name} #${i}: another message`);
      if (name.startsWith('P-')) {
        const size = { 'P-256': 32, 'P-384': 48, 'P-521': 66 }[name]!;
        const raw = derToP1363(sig, size)!;
        t.equal(await webVerify(key.publicKey as never, message, raw), verifyMessage(publicKey, message, Buffer.from(raw)), `${name} #${i}: IEEE P1363`);
        t.equal(await webVerify(key.publicKey as never, message, raw, 'by-curve'), verifyMessage(publicKey, message, Buffer.from(raw), 'by-curve'), `${name} #${i}: by curve`);
      }
    }
  }
  const ed = await readPemKey({ text: pem(keys[0]![1]), name: 'ed.pem' });
  t.notOk(await webVerify({ ...(ed.publicKey as never as { key: CryptoKey }), type: 'rsa' }, Buffer.from('m'), Buffer.alloc(64)), 'WebCrypto refusing (a key of another type): false');
  t.throws(() => webSign(), /not available in the web page/, 'signing is the CLI’s');
});

t.test('DER to IEEE P1363: only canonical DER', async (t) => {
  const der = (r: number[], s: number[]) => Uint8Array.from([0x30, r.length + s.length + 4, 2, r.length, ...r, 2, s.length, ...s]);
  t.same(derToP1363(der([1], [2]), 2), Uint8Array.from([0, 1, 0, 2]), 'padded to the curve size');
  t.same(derToP1363(der([0, 0x80], [2]), 1), Uint8Array.from([0x80, 2]), 'a positive high-bit integer');
  t.equal(derToP1363(der([0, 1], [2]), 2), undefined, 'a non-minimal integer');
  t.equal(derToP1363(der([0x80], [2]), 2), undefined, 'a negative integer');
  t.equal(derToP1363(der([], [2]), 2), undefined, 'an empty integer');
  t.equal(derToP1363(der([1, 2, 3], [2]), 2), undefined, 'an integer larger than the curve');
  t.equal(derToP1363(Uint8Array.from([0x30, 0x81, 0x10]), 2), undefined, 'a long form for a short length');
  t.equal(derToP1363(Uint8Array.from([0x30, 0x82, 0, 0]), 2), undefined, 'a two-byte length');
  t.equal(derToP1363(Uint8Array.from([0x30, 6, 2, 1, 1, 2, 1]), 2), undefined, 'truncated');
  t.equal(derToP1363(Uint8Array.from([0x31, 6, 2, 1, 1, 2, 1, 2]), 2), undefined, 'not a SEQUENCE');
  t.equal(derToP1363(Uint8Array.from([0x30, 7, 2, 1, 1, 2, 1, 2, 0]), 2), undefined, 'junk inside the SEQUENCE');
});

t.test('PEM key files: PKCS#1, and the CLI’s refusals', async (t) => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  t.equal((await readPemKey({ text: pem(rsa.publicKey, 'pkcs1'), name: 'rsa1.pem' })).keyId, sshKeyId(rsa.publicKey), 'RSA PUBLIC KEY (PKCS#1)');
  const refusals: [string, string, RegExp][] = [
    ['a private key', rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, /^k\.pem: unknown Public key PEM file type: PRIVATE KEY\. Are you passing the correct public key\?$/],
    ['no PEM block', 'hello', /^k\.pem: unknown Public key PEM file type: \. /],
    ['an X25519 key', pem(generateKeyPairSync('x25519').publicKey), /^k\.pem: unsupported key type 1\.3\.101\.110: DSSE keys are /],
    ['a secp256k1 key', pem(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey), /^k\.pem: unsupported key type 1\.2\.840\.10045\.2\.1: /],
    ['a body that is no SPKI', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', /^k\.pem: cannot read the public key: /],
    ['an Ed25519 key of 31 bytes', spkiPem(Buffer.concat([Buffer.from('3029300506032b6570032000', 'hex'), Buffer.alloc(31, 1)])), /^k\.pem: cannot read the public key: /],
  ];
  for (const [what, text, message] of refusals) await t.rejects(readPemKey({ text, name: 'k.pem' }), message, what);
  t.ok(isPemKey(pem(rsa.publicKey)), 'a PEM public key is read as PEM');
  t.notOk(isPemKey('-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----\n'), 'armored OpenPGP is not');
  t.notOk(isPemKey('binary'), 'nor is a file without PEM');
});

whenAvailable(t, 'certificates: the chain verified with the roots given', missingReference('shared'), async (t) => {
  const CERTS = join(FIXTURES, 'apptainer/certs');
  const file = (name: string) => ({ text: readFileSync(join(CERTS, name), 'latin1'), name });
  const key = await readPemKey(file('leaf.pem'), { intermediates: [file('intermediate.pem')], roots: [file('root.pem')] });
  t.match(key.identity, /CN=/, `identity: the subject (${key.identity})`);
  t.equal(key.path, 'leaf.pem');
  await t.rejects(readPemKey(file('leaf.pem'), { intermediates: [file('intermediate.pem')] }), /^leaf\.pem: no root certificates given: the web page has no system roots/, 'no roots');
  await t.rejects(readPemKey(file('leaf.pem')), /no root certificates given/, 'no pools at all');
  await t.rejects(readPemKey(file('leaf.pem'), { roots: [{ text: 'junk', name: 'roots.pem' }] }), /^roots\.pem: failed to decode PEM$/, 'a pool file without certificates');
  await t.rejects(readPemKey(file('leaf.pem'), { roots: [file('root.pem')] }), /unknown authority/, 'no intermediates');
});
