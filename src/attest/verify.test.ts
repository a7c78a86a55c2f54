/**
 * The attestation verifier on real vectors: the DSSE spec vector (raw r‖s),
 * every model_signing release's bundle (key, certificate and keyless flows,
 * /work/shared/fixtures/model-transparency), and hostile shapes.
 */
import t from 'tap';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyMessage } from '../integrity/dsse/algorithms.js';
import { pae } from '../integrity/dsse/envelope.js';
import { readPublicKey } from '../integrity/dsse/keys.js';
import { certificatesFromPem } from '../integrity/x509/pem.js';
import { FIXTURES, whenAvailable } from '../test-support/reference.js';
import { existsSync } from 'node:fs';
import { readAttestation } from './bundle.js';
import { keyHint } from './key-hint.js';
import { signStatement } from './sign.js';
import { statement } from './statement.js';
import { verifyAttestation, type AttestationTrust } from './verify.js';

const MT = join(FIXTURES, 'model-transparency');
const missing = existsSync(MT) ? undefined : `${MT} not present`;
const RELEASES = ['v0.3.1', 'v1.0.0', 'v1.0.1', 'v1.1.0'];
const sig = (dir: string) => readFileSync(join(MT, dir, 'model.sig'));

t.test('the DSSE spec vector: P-256, raw r‖s, verifies by the P1363 fallback', async (t) => {
  const b = (n: string) => Buffer.from(BigInt(n).toString(16).padStart(64, '0'), 'hex').toString('base64url');
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: b('46950820868899156662930047687818585632848591499744589407958293238635476079160'),
      y: b('5640078356564379163099075877009565129882514886557779369047442380624545832820'),
    },
    format: 'jwk',
  });
  const message = pae('http://example.com/HelloWorld', Buffer.from('hello world'));
  t.equal(message.toString(), 'DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  const signature = Buffer.from('A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA==', 'base64');
  t.ok(verifyMessage(key, message, signature, 'by-curve'));
  t.notOk(verifyMessage(key, Buffer.concat([message, Buffer.from('!')]), signature, 'by-curve'));
  const envelope = Buffer.from(JSON.stringify({ payload: 'aGVsbG8gd29ybGQ=', payloadType: 'http://example.com/HelloWorld', signatures: [{ sig: signature.toString('base64') }] }));
  t.throws(() => readAttestation(envelope), { code: 'SIF_ATTESTATION_INVALID', message: /payload type "http:\/\/example.com\/HelloWorld" is not an in-toto statement/ });
});

whenAvailable(t, 'model_signing bundles, every release', missing, async (t) => {
  const pub = await readPublicKey(join(MT, 'keys/certificate/signing-key-pub.pem')); // a certtool text header before the PEM
  const roots = certificatesFromPem(readFileSync(join(MT, 'keys/certificate/ca-cert.pem'), 'latin1'));
  const keys: AttestationTrust = { kind: 'keys', keys: [pub] };
  const x509: AttestationTrust = { kind: 'x509', x509: { intermediates: [], roots } };
  for (const release of RELEASES) {
    const key = await verifyAttestation(sig(`${release}-elliptic-key`), keys);
    t.equal(key.statement.predicateType, 'https://model_signing/signature/v1.0', `${release} key flow`);
    t.equal(key.statement.subject.length, 1);
    t.equal(key.signer.keyId, 'e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e');
    const cert = await verifyAttestation(sig(`${release}-certificate`), x509);
    t.match(cert.signer, { kind: 'certificate', identity: 'CN=intermediate-ca' }, `${release} certificate flow`);
    t.equal(cert.statement.subject[0]!.digest.sha256!.slice(0, 8), '61d4849d');
  }
  const foreign = JSON.parse(sig('v1.1.0-certificate').toString()) as { dsseEnvelope: { signatures: { keyid: string }[] } };
  foreign.dsseEnvelope.signatures[0]!.keyid = 'someone else';
  t.match(await verifyAttestation(Buffer.from(JSON.stringify(foreign)), x509), { signer: { kind: 'certificate' } }, 'a verified certificate signs whatever the keyid says');
  const legacy = await verifyAttestation(sig('v0.2.0-certificate'), x509);
  t.match(legacy, { statement: { predicateType: 'https://model_signing/Digests/v0.1', subject: [{ name: 'signme-1' }, { name: 'signme-2' }] } }, 'v0.2.0: the compat PAE');
  const other = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
  const stranger: AttestationTrust = { kind: 'keys', keys: [{ publicKey: other, keyId: 'x', identity: 'x', path: 'other.pem' }] };
  await t.rejects(verifyAttestation(sig('v1.1.0-elliptic-key'), stranger), { code: 'SIF_UNKNOWN_SIGNER', message: /signed by key e8450dec/ }, 'the hint names another key');
  await t.rejects(verifyAttestation(sig('v1.0.0-elliptic-key'), stranger), { code: 'SIF_UNKNOWN_SIGNER', message: /the public key in the bundle/ });
  await t.rejects(verifyAttestation(sig('v1.1.0-certificate'), { kind: 'x509', x509: { intermediates: [], roots: [] } }), { code: 'SIF_CERTIFICATE_UNTRUSTED' });
  await t.rejects(verifyAttestation(sig('v1.1.0-certificate'), { kind: 'x509', x509: { intermediates: [], roots, now: new Date('2040-01-01T00:00:00Z') } }), {
    code: 'SIF_CERTIFICATE_NOT_VALID',
  });
  const tampered = JSON.parse(sig('v1.1.0-elliptic-key').toString()) as { dsseEnvelope: { payload: string } };
  const payload = Buffer.from(tampered.dsseEnvelope.payload, 'base64').toString().replace('signme-1', 'signme-X');
  tampered.dsseEnvelope.payload = Buffer.from(payload).toString('base64');
  await t.rejects(verifyAttestation(Buffer.from(JSON.stringify(tampered)), keys), { code: 'SIF_SIGNATURE_INVALID', reason: 'bad-signature' });
});

whenAvailable(t, 'model_signing keyless bundles, offline against the trusted root', missing, async (t) => {
  const trustedRoot = JSON.parse(readFileSync(join(MT, 'sigstore-trusted-root.json'), 'utf8')) as unknown;
  const trust = (identity: string, issuer: string): AttestationTrust => ({ kind: 'keyless', keyless: { trustedRoot, identity, issuer } });
  const good = trust('stefanb@us.ibm.com', 'https://sigstore.verify.ibm.com/oauth2');
  for (const release of RELEASES) {
    const v = await verifyAttestation(sig(`${release}-sigstore`), good);
    t.match(v.signer, { kind: 'keyless', identity: /stefanb@us.ibm.com/ }, `${release} keyless`);
  }
  await t.rejects(verifyAttestation(sig('v1.1.0-sigstore'), trust('mallory@example.com', 'https://sigstore.verify.ibm.com/oauth2')), { code: 'SIF_NOT_SIGNED_BY_REQUIRED' });
  await t.rejects(verifyAttestation(sig('v1.1.0-sigstore'), trust('stefanb@us.ibm.com', 'https://accounts.google.com')), { code: 'SIF_NOT_SIGNED_BY_REQUIRED' });
  await t.rejects(verifyAttestation(sig('v1.1.0-elliptic-key'), good), { code: 'SIF_NO_KEY_MATERIAL' });
  await t.rejects(verifyAttestation(sig('v1.1.0-sigstore'), { kind: 'x509', x509: { intermediates: [], roots: [] } }), {
    code: 'SIF_CERTIFICATE_NOT_VALID',
    message: /^x509: certificate has expired .* \(a keyless bundle is checked with --trusted-root, --identity and --identity-provider\)$/,
  });
  const bundle = JSON.parse(sig('v1.1.0-sigstore').toString()) as { dsseEnvelope: unknown; verificationMaterial: { certificate?: unknown; x509CertificateChain?: unknown } };
  await t.rejects(verifyAttestation(Buffer.from(JSON.stringify(bundle.dsseEnvelope)), good), { code: 'SIF_NO_KEY_MATERIAL', message: /needs a Sigstore bundle/ }, 'a bare envelope');
  const { certificate, ...rest } = bundle.verificationMaterial;
  const chained = { ...bundle, verificationMaterial: { ...rest, x509CertificateChain: { certificates: [certificate] } } };
  await t.rejects(verifyAttestation(Buffer.from(JSON.stringify(chained)), good), { code: 'SIF_ATTESTATION_INVALID', message: /the keyless bundle cannot be read/ }, '@sigstore/bundle refuses a chain under v0.3');
  const keylessWith = (root: unknown) => verifyAttestation(sig('v1.1.0-sigstore'), { kind: 'keyless', keyless: { trustedRoot: root, identity: 'stefanb@us.ibm.com', issuer: 'https://sigstore.verify.ibm.com/oauth2' } });
  await t.rejects(keylessWith(null), { code: 'SIF_CERTIFICATE_UNTRUSTED', message: /the trusted root cannot be used/ });
  const noFulcio = { ...(trustedRoot as object), certificateAuthorities: [] };
  await t.rejects(keylessWith(noFulcio), { code: 'SIF_CERTIFICATE_UNTRUSTED', message: /^keyless verification failed/ }, 'no certificate authority');
  const noRekor = { ...(trustedRoot as object), tlogs: [] };
  await t.rejects(keylessWith(noRekor), { code: 'SIF_SIGNATURE_INVALID', reason: 'bad-signature' }, 'no transparency log');
});

t.test('our bundles and envelopes, every key type, read back', async (t) => {
  const st = statement([{ name: 'a.sif', digest: { sha256: 'ab'.repeat(32) } }], 'https://example.invalid/p', {});
  for (const [type, options] of [
    ['ed25519', {}],
    ['rsa', { modulusLength: 2048 }],
    ['ec', { namedCurve: 'P-256' }],
    ['ec', { namedCurve: 'P-384' }],
  ] as const) {
    const pair = generateKeyPairSync(type as 'ec', options as { namedCurve: string });
    const material = { publicKey: pair.publicKey, keyId: 'SHA256:x', identity: 'k', path: 'k.pem' };
    for (const format of ['bundle', 'dsse'] as const) {
      const bytes = Buffer.from(await signStatement(st, { privateKey: pair.privateKey, keyId: '', path: 'k' }, { format }));
      const v = await verifyAttestation(bytes, { kind: 'keys', keys: [material] });
      t.same(v.statement, st, `${type} ${JSON.stringify(options)} ${format}`);
      t.equal(v.form, format);
      t.equal(v.signer.keyId, keyHint(pair.publicKey));
    }
  }
});

t.test('hostile attestations: one clear refusal each', async (t) => {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keys: AttestationTrust = { kind: 'keys', keys: [{ publicKey: pair.publicKey, keyId: 'x', identity: 'k', path: 'k.pem' }] };
  const signed = async (value: unknown, format: 'bundle' | 'dsse' = 'bundle') =>
    Buffer.from(await signStatement(value as never, { privateKey: pair.privateKey, keyId: '', path: 'k' }, { format }));
  const good = JSON.parse((await signed(statement([{ name: 'a', digest: { sha256: 'ab'.repeat(32) } }], 'u', {}))).toString()) as Record<string, unknown>;
  const cases: [string, unknown, RegExp][] = [
    ['not JSON', '{', /not JSON/],
    ['an array', [], /not a JSON object/],
    ['another media type', { ...good, mediaType: 'application/json' }, /unsupported bundle media type/],
    ['no envelope', { ...good, dsseEnvelope: undefined }, /no dsseEnvelope/],
    ['two key forms', { ...good, verificationMaterial: { publicKey: { hint: 'a' }, certificate: { rawBytes: 'AA==' } } }, /one of publicKey/],
    ['no material', { ...good, verificationMaterial: null }, /no verificationMaterial/],
    ['empty chain', { ...good, verificationMaterial: { x509CertificateChain: { certificates: [] } } }, /1 to 10 certificates/],
    ['chain not base64', { ...good, verificationMaterial: { x509CertificateChain: { certificates: [{ rawBytes: '!' }] } } }, /not base64 bytes/],
    ['an embedded key that is no key', { ...good, verificationMaterial: { publicKey: { rawBytes: 'eHg=' } } }, /the bundle's public key cannot be read/],
    ['material not an object', { ...good, verificationMaterial: { certificate: 'x' } }, /is not a JSON object/],
    ['two signatures', { ...good, dsseEnvelope: { ...(good.dsseEnvelope as object), signatures: [{ sig: 'AA==' }, { sig: 'AA==' }] } }, /exactly 1/],
    ['payload type', { ...good, dsseEnvelope: { ...(good.dsseEnvelope as object), payloadType: 'text/plain' } }, /not an in-toto statement/],
    ['payload not base64', { ...good, dsseEnvelope: { ...(good.dsseEnvelope as object), payload: '!!' } }, /base64 decode payload/],
    ['signature empty', { ...good, dsseEnvelope: { ...(good.dsseEnvelope as object), signatures: [{ sig: '' }] } }, /signature is empty/],
    ['fields of the wrong type', { ...good, dsseEnvelope: { ...(good.dsseEnvelope as object), payload: 7 } }, /cannot unmarshal number/],
    ['a bare envelope with no signature', { ...(good.dsseEnvelope as object), signatures: [] }, /1 to 64/],
  ];
  for (const [name, value, message] of cases) {
    const bytes = Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
    await t.rejects(verifyAttestation(bytes, keys), { code: 'SIF_ATTESTATION_INVALID', message }, name);
  }
  await t.rejects(verifyAttestation(Buffer.alloc(17 << 20, 0x20), keys), { code: 'SIF_ATTESTATION_INVALID', message: /over the 16777216-byte limit/ });
  const million = { _type: 'https://in-toto.io/Statement/v1', subject: Array(1_000_000).fill({ digest: { x: '' } }), predicateType: 'u', predicate: {} };
  await t.rejects(verifyAttestation(await signed(million), keys), { code: 'SIF_ATTESTATION_INVALID', message: /over the 16777216-byte limit/ }, 'a million subjects');
  const statements: [string, unknown, RegExp][] = [
    ['200000 small subjects', { ...million, subject: Array(200_000).fill({ digest: { x: '' } }) }, /200000 subjects, over the limit of 100000/],
    ['a short digest', statement([{ name: 'a', digest: { sha256: 'ab' } }], 'u', {}), /digest sha256 has 1 bytes/],
    ['a sha384 of sha256 length', statement([{ name: 'a', digest: { sha384: 'ab'.repeat(32) } }], 'u', {}), /digest sha384 has 32 bytes/],
    ['no predicate type', { ...statement([{ name: 'a', digest: { sha256: 'ab'.repeat(32) } }], 'u', {}), predicateType: '' }, /predicateType required/],
    ['wrong _type', { ...statement([{ name: 'a', digest: { sha256: 'ab'.repeat(32) } }], 'u', {}), _type: 'x' }, /wrong statement type/],
    ['not an object', 'x', /a statement must be a JSON object/],
  ];
  for (const [name, value, message] of statements) {
    await t.rejects(verifyAttestation(await signed(value), keys), { code: 'SIF_ATTESTATION_INVALID', reason: 'bad-metadata', message }, name);
  }
  const notJson = JSON.parse((await signed({}, 'dsse')).toString()) as { payload: string; signatures: { sig: string }[] };
  const text = Buffer.from('{not json');
  const { signMessage } = await import('../integrity/dsse/algorithms.js');
  notJson.payload = text.toString('base64');
  notJson.signatures[0]!.sig = signMessage(pair.privateKey, pae('application/vnd.in-toto+json', text)).toString('base64');
  await t.rejects(verifyAttestation(Buffer.from(JSON.stringify(notJson)), keys), { code: 'SIF_ATTESTATION_INVALID', reason: 'bad-metadata' }, 'a signed payload that is not JSON');
});
