/**
 * The DSSE building blocks on their own: envelope bytes and Go's leniencies
 * on read, PAE, OpenSSH key IDs (pinned by upstream's fixture keys), PEM
 * loading of every key form, and the per-key-type algorithms.
 */
import t from 'tap';
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, withReference } from '../../test-support/reference.js';
import { signMessage, verifyMessage } from './algorithms.js';
import { decodeBase64, encodeEnvelope, pae, parseEnvelope, payloadTypeOf, SIF_PAYLOAD_TYPE } from './envelope.js';
import { DSSE_ENVELOPE, dsseEncoder, MAX_ENVELOPE_SIGNATURES } from './format.js';
import { sshKeyId } from './key-id.js';
import { readPublicKey, readSigningKey } from './keys.js';
import { pemBlocks } from './pem.js';

const KEYS = join(FIXTURES, 'sylabs-sif-head/keys');
const noPassphrase = () => Promise.reject(new Error('no passphrase expected'));

t.test('envelope: upstream key order, compact, no newline; PAE as go-securesystemslib', async (t) => {
  const bytes = encodeEnvelope({ payloadType: 'a/b', payload: 'eA==', signatures: [{ keyid: 'k', sig: 'c2ln' }] });
  t.equal(bytes.toString(), '{"payloadType":"a/b","payload":"eA==","signatures":[{"keyid":"k","sig":"c2ln"}]}');
  t.equal(pae('a/b', Buffer.from('hello')).toString(), 'DSSEv1 3 a/b 5 hello');
  t.equal(pae('é', Buffer.from('ü')).toString(), 'DSSEv1 2 é 2 ü', 'lengths count bytes');
});

t.test("envelope: read as Go's encoding/json fills it", async (t) => {
  const parsed = parseEnvelope(Buffer.from('{"PAYLOADTYPE":"x","payload":"eA==","Signatures":[{"KeyId":"k","SIG":"c2ln"},null]}\n'));
  t.same(parsed, { payloadType: 'x', payload: 'eA==', signatures: [{ keyid: 'k', sig: 'c2ln' }, { keyid: '', sig: '' }] });
  t.equal(payloadTypeOf(Buffer.from('{"payloadType":"a","payloadtype":"b"}')), 'b', 'the last matching key wins');
  t.equal(payloadTypeOf(Buffer.from('{"payloadType":1}')), undefined);
  t.equal(payloadTypeOf(Buffer.from('[1]')), undefined);
  t.equal(payloadTypeOf(Buffer.from('not json')), undefined);
  for (const bad of ['[]', '{"payload":1}', '{"signatures":{}}', '{"signatures":[1]}', '{"signatures":[{"sig":[]}]}']) {
    t.throws(() => parseEnvelope(Buffer.from(bad)), bad);
  }
});

t.test('base64: padded standard, then padded URL-safe; nothing else', async (t) => {
  t.same(decodeBase64('+/8='), Buffer.from([0xfb, 0xff]));
  t.same(decodeBase64('-_8='), Buffer.from([0xfb, 0xff]));
  t.same(decodeBase64('+/\n8='), Buffer.from([0xfb, 0xff]), 'Go skips newlines');
  for (const bad of ['+/8', '+_8=', 'a b=', '====', 'a===']) t.equal(decodeBase64(bad), undefined, bad);
});

withReference(t, "key IDs: the OpenSSH fingerprints of upstream's keys (dsse.md §1.3)", ['shared'], async (t) => {
  const want = {
    ed25519: 'SHA256:x6l8ZblpSSXGaPMCzySedWg88BwIFcz8jlPb6el0mFs',
    rsa: 'SHA256:BhCwr7qZulYcOMSl2Jt2DuYHxHNnN6th4NdMqR/PGa4',
    ecdsa: 'SHA256:13cNV0A11AxgIQYCvlDmJlRi0CjRtjnYF47RzrMhlaU',
  };
  for (const [name, id] of Object.entries(want)) {
    t.equal((await readPublicKey(join(KEYS, `${name}-public.pem`))).keyId, id, `${name} public`);
    t.equal((await readSigningKey(join(KEYS, `${name}-private.pem`), noPassphrase)).keyId, id, `${name} private`);
  }
});

/** Key pairs of every type DSSE signs with. */
const PAIRS: [name: string, pair: () => { publicKey: KeyObject; privateKey: KeyObject }][] = [
  ['ed25519', () => generateKeyPairSync('ed25519')],
  ['P-256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
  ['P-384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' })],
  ['P-521', () => generateKeyPairSync('ec', { namedCurve: 'P-521' })],
  ['rsa', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
];

t.test('every key type signs the PAE and verifies; a changed message or signature does not', async (t) => {
  for (const [name, make] of PAIRS) {
    const { publicKey, privateKey } = make();
    const message = pae(SIF_PAYLOAD_TYPE, Buffer.from('{}'));
    const sig = signMessage(privateKey, message);
    t.ok(verifyMessage(publicKey, message, sig), name);
    t.notOk(verifyMessage(publicKey, Buffer.concat([message, Buffer.from(' ')]), sig), `${name}: other message`);
    t.notOk(verifyMessage(publicKey, message, Buffer.from('junk')), `${name}: junk signature`);
    t.equal(sshKeyId(publicKey), sshKeyId(privateKey), `${name}: the same key ID from either half`);
  }
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const message = Buffer.from('m');
  const { sign } = await import('node:crypto');
  t.ok(verifyMessage(ec.publicKey, message, sign('sha256', message, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' })), 'ECDSA r‖s is accepted too');
  const x25519 = generateKeyPairSync('x25519');
  t.notOk(verifyMessage(x25519.publicKey, message, Buffer.alloc(64)), 'a key type DSSE does not use verifies nothing');
  t.throws(() => signMessage(x25519.privateKey, message), { code: 'SIF_KEY_INVALID' });
  t.throws(() => sshKeyId(x25519.publicKey), { code: 'SIF_KEY_INVALID' });
  t.throws(() => sshKeyId(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey), { code: 'SIF_KEY_INVALID' });
});

/** Each PEM form of a private key users hold. */
function privateForms(dir: string): [form: string, path: string, passphrase?: string][] {
  const out: [string, string, string?][] = [];
  const write = (name: string, pem: string | Buffer, passphrase?: string) => {
    const path = join(dir, name);
    writeFileSync(path, pem);
    out.push([name, path, passphrase]);
  };
  for (const [name, make] of PAIRS) {
    const { privateKey } = make();
    write(`${name}-pkcs8.pem`, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    write(`${name}-enc.pem`, privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }), 'secret');
    if (name === 'rsa') {
      write('rsa-pkcs1.pem', privateKey.export({ type: 'pkcs1', format: 'pem' }));
      write('rsa-legacy-enc.pem', privateKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-128-cbc', passphrase: 'secret' }), 'secret');
    }
    if (name.startsWith('P-')) write(`${name}-sec1.pem`, privateKey.export({ type: 'sec1', format: 'pem' }));
  }
  return out;
}

t.test('PEM private keys in every form load; a passphrase is asked only for encrypted ones', async (t) => {
  for (const [form, path, passphrase] of privateForms(t.testdir())) {
    let asked = 0;
    const key = await readSigningKey(path, async () => {
      asked++;
      return passphrase!;
    });
    t.equal(asked, passphrase === undefined ? 0 : 1, form);
    t.match(key.keyId, /^SHA256:[A-Za-z0-9+/]{43}$/, form);
    if (passphrase !== undefined) {
      await t.rejects(readSigningKey(path, async () => 'wrong'), { code: 'SIF_KEY_INVALID', message: `${path}: wrong passphrase` }, `${form}: wrong passphrase`);
    }
  }
});

t.test('a wrong passphrase that passes the padding check by chance is still a wrong passphrase', async (t) => {
  const path = join(t.testdir(), 'legacy-enc.pem');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(path, privateKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-128-cbc', passphrase: 'secret' }));
  const text = readFileSync(path, 'utf8');
  // About one wrong passphrase in 256 decrypts to valid CBC padding; find one.
  const lucky = Array.from({ length: 20000 }, (_, i) => `wrong-${i}`).find((guess) => {
    try {
      createPrivateKey({ key: text, format: 'pem', passphrase: guess });
    } catch (e) {
      return !/bad decrypt/i.test(String(e));
    }
    return false;
  });
  t.ok(lucky, 'a passphrase that gets past the padding');
  await t.rejects(readSigningKey(path, async () => lucky!), { code: 'SIF_KEY_INVALID', message: `${path}: wrong passphrase` });
});

t.test('bad key files: one clear KeyError or IoError each', async (t) => {
  const dir = t.testdir();
  const file = (name: string, text: string | Buffer) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const spki = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const cases: [name: string, text: string | Buffer, sign: RegExp, verify: RegExp][] = [
    ['empty', '', /no PEM block found/, /no PEM block found/],
    ['garbage', Buffer.from([0, 1, 2, 0xff]), /no PEM block found/, /no PEM block found/],
    ['truncated', pkcs8.slice(0, 60), /no PEM block found/, /no PEM block found/],
    ['bad body', pkcs8.replace(/\n[A-Za-z0-9+/]{10}/, '\nAAAAAAAAAA'), /cannot read the private key/, /unknown Public key PEM file type: PRIVATE KEY/],
    ['public key', spki, /holds a public key; signing needs a private key/, /^$/],
    ['certificate', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', /holds a certificate/, /unknown Public key PEM file type: CERTIFICATE/],
    ['other block', '-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n', /unsupported PEM block type "FOO"/, /unknown Public key PEM file type: FOO/],
    ['bad public body', spki.replace(/\n[A-Za-z0-9+/]{10}/, '\nAAAAAAAAAA'), /holds a public key/, /cannot read the public key/],
    ['x25519', generateKeyPairSync('x25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), /unsupported key type x25519/, /unknown Public key PEM/],
  ];
  for (const [name, text, signErr, verifyErr] of cases) {
    const path = file(name, text);
    await t.rejects(readSigningKey(path, noPassphrase), { code: 'SIF_KEY_INVALID', message: signErr }, `sign: ${name}`);
    if (verifyErr.source === '^$') t.ok(await readPublicKey(path), `verify: ${name}`);
    else await t.rejects(readPublicKey(path), { code: 'SIF_KEY_INVALID', message: verifyErr }, `verify: ${name}`);
  }
  const missing = join(dir, 'missing.pem');
  await t.rejects(readSigningKey(missing, noPassphrase), { code: 'SIF_NOT_FOUND' });
  await t.rejects(readPublicKey(missing), { code: 'SIF_NOT_FOUND' });
  const huge = file('huge.pem', Buffer.alloc((1 << 20) + 1, 0x41));
  await t.rejects(readPublicKey(huge), { code: 'SIF_KEY_INVALID', message: /too large/ });
});

t.test('PEM blocks: the first complete one, with legacy headers; linear on hostile input', async (t) => {
  const text = 'junk\n-----BEGIN A-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END A-----\n-----BEGIN B-----\nAA\n-----END B-----\n';
  const blocks = pemBlocks(text);
  t.same(blocks.map((b) => b.label), ['A', 'B']);
  t.equal(blocks[0]!.headers.get('Proc-Type'), '4,ENCRYPTED');
  t.same(pemBlocks('-----BEGIN A-----\n!!!!\n-----END A-----\n'), [], 'a body that is not base64 is no block');
  t.same(pemBlocks('-----BEGIN A-----\n'.repeat(50_000)), [], 'many unterminated blocks');
});

t.test('decoder: every failure is a verdict, never a throw', async (t) => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const keyId = sshKeyId(publicKey);
  const trust = [{ publicKey, keyId, identity: keyId, path: 'k.pem' }];
  const signer = { privateKey, keyId, path: 'k.pem' };
  const good = JSON.parse((await dsseEncoder([signer]).sign('{"a":1}')).bytes.toString()) as { payload: string; signatures: { keyid: string; sig: string }[] };
  const open = (o: unknown) => DSSE_ENVELOPE.open(Buffer.from(typeof o === 'string' ? o : JSON.stringify({ payloadType: SIF_PAYLOAD_TYPE, ...(o as object) })))!;
  const cases: [name: string, envelope: unknown, kind: string | undefined, reason?: RegExp][] = [
    ['good', good, undefined],
    ['good, URL-safe', { ...good, signatures: good.signatures.map((s) => ({ ...s, sig: Buffer.from(s.sig, 'base64').toString('base64url') + '==' })) }, undefined],
    ['no key ID', { ...good, signatures: good.signatures.map((s) => ({ sig: s.sig })) }, undefined],
    ['other key ID', { ...good, signatures: good.signatures.map((s) => ({ ...s, keyid: 'SHA256:other' })) }, 'unknown-signer', /accepted signatures do not match threshold, Found: 0, Expected 1/],
    ['changed payload', { ...good, payload: Buffer.from('{"a":2}').toString('base64') }, 'bad-signature', /accepted signatures do not match threshold/],
    ['payload not base64', { ...good, payload: '!!' }, 'unsupported-envelope', /unable to base64 decode payload/],
    ['sig not base64', { ...good, signatures: [{ keyid: keyId, sig: '!!' }] }, 'unsupported-envelope', /unable to base64 decode payload/],
    ['no signatures', { ...good, signatures: [] }, 'unsupported-envelope', /no signature found/],
    ['too many', { ...good, signatures: Array(MAX_ENVELOPE_SIGNATURES + 1).fill(good.signatures[0]) }, 'unsupported-envelope', /carries 65 signatures/],
    ['payload a number', { ...good, payload: 1 }, 'unsupported-envelope', /cannot unmarshal number/],
  ];
  for (const [name, envelope, kind, reason] of cases) {
    const r = await open(envelope).verify(trust, new Date());
    t.equal(r.failure?.kind, kind, name);
    if (reason) t.match(r.failure?.reason, reason, name);
    if (!kind) t.same(r.signer, { kind: 'key', keyId, identity: keyId, path: 'k.pem', keyIds: [keyId] }, name);
  }
  const none = await open(good).verify([], new Date());
  t.same(none.failure, { kind: 'no-key-material', reason: 'key material not provided for DSSE envelope signature' });
  t.equal(open(good).payload.toString(), '{"a":1}');
});

t.test('signImage takes exactly one kind of key material', async (t) => {
  const { signImage } = await import('../sign.js');
  const { copyImage } = await import('../../test-support/cli.js');
  const image = copyImage(t.testdir());
  await t.rejects(signImage(image, {}), { code: 'SIF_USAGE', message: 'sign with either a PGP key or PEM keys' });
  await t.rejects(signImage(image, { pemKeys: [] }), { code: 'SIF_USAGE' });
});
