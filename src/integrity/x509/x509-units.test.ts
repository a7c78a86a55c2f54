/**
 * The corners of the X.509 module the differential tests cannot reach:
 * signature checks by algorithm and key kind, refused certificates, system
 * roots as Go finds them, OCSP responses openssl cannot make, and the front
 * door's rules (one chain for OCSP, the certificate's key as DSSE material).
 */
import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { parseCertificate } from './certificate.js';
import { certificatesFromPem, firstCertificateFromPem } from './pem.js';
import { checkSignature } from './signatures.js';
import { systemRoots } from './system-roots.js';
import { OcspResponseError, parseOcspResponse } from './ocsp.js';
import { trustCertificate } from './verify-certificate.js';
import { loadCertificateKey } from './load.js';
import { FIXTURES } from '../../test-support/reference.js';
import { leafExtensions, makePki } from '../../test-support/pki.js';
import { isSifError } from '../../errors.js';

const CERTS = join(FIXTURES, 'apptainer/certs');
const fixture = (name: string) => firstCertificateFromPem(readFileSync(join(CERTS, `${name}.pem`), 'utf8'));
const AT = new Date('2025-06-01T00:00:00Z');
const spki = (type: 'rsa' | 'ec' | 'ed25519' | 'x25519', curve?: string) => {
  const { publicKey } =
    type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 1024 }) : type === 'ec' ? generateKeyPairSync('ec', { namedCurve: curve ?? 'P-256' }) : generateKeyPairSync(type as 'ed25519');
  return new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
};
const alg = (algorithmId: string, algorithmParams?: asn1js.BaseBlock) => new pkijs.AlgorithmIdentifier({ algorithmId, ...(algorithmParams ? { algorithmParams } : {}) });
const data = new Uint8Array([1, 2, 3]);

t.test('signature checks in Go words', async (t) => {
  t.equal(await checkSignature(alg('1.2.840.113549.1.1.5'), data, data, spki('rsa')), 'x509: cannot verify signature: insecure algorithm SHA1-RSA');
  t.equal(await checkSignature(alg('1.2.3.4'), data, data, spki('rsa')), 'x509: cannot verify signature: algorithm unimplemented');
  t.equal(await checkSignature(alg('1.2.840.10045.4.3.2'), data, data, spki('rsa')), 'x509: signature algorithm specifies an ECDSA public key, but have public key of type *rsa.PublicKey');
  t.equal(await checkSignature(alg('1.2.840.113549.1.1.11'), data, data, spki('ed25519')), 'x509: signature algorithm specifies an RSA public key, but have public key of type ed25519.PublicKey');
  t.equal(await checkSignature(alg('1.3.101.112'), data, data, spki('x25519')), 'x509: signature algorithm specifies an Ed25519 public key, but have public key of type unknown');
  t.equal(await checkSignature(alg('1.3.101.112'), data, new Uint8Array(3), spki('ed25519')), 'x509: Ed25519 verification failure', 'a signature of the wrong length');
  t.equal(await checkSignature(alg('1.2.840.10045.4.3.2'), data, new Uint8Array([0x30, 0x00, 0x00]), spki('ec')), 'x509: ECDSA verification failure', 'not DER');
  t.equal(await checkSignature(alg('1.2.840.10045.4.3.2'), data, new Uint8Array([0x30, 0x00]), spki('ec', 'secp256k1')), 'x509: ECDSA verification failure', 'a curve Go does not verify');
  t.equal(await checkSignature(alg('1.2.840.10045.4.3.2'), data, new Uint8Array([0x02, 0x01, 0x00]), spki('ec')), 'x509: ECDSA verification failure', 'DER, not a SEQUENCE');
  t.equal(await checkSignature(alg('1.2.840.113549.1.1.11'), data, new Uint8Array(128), spki('rsa')), 'crypto/rsa: verification error');
});

t.test('refused certificates and PEM files', async (t) => {
  t.throws(() => parseCertificate(new Uint8Array([0x30, 0x03, 1, 2, 3])), { code: 'SIF_KEY_INVALID', message: /^x509: malformed certificate: / });
  const dir = t.testdir();
  const huge = makePki(dir, [{ name: 'huge', key: 'ec', extensions: ['basicConstraints=critical,DER:300e0101ff020901000000000000000000'] }]);
  t.throws(() => certificatesFromPem(readFileSync(huge.huge!, 'utf8')), { code: 'SIF_KEY_INVALID', message: 'x509: malformed certificate: x509: invalid basic constraints b' });
  t.throws(() => firstCertificateFromPem('nothing here'), { code: 'SIF_KEY_INVALID', message: 'failed to decode PEM' });
  t.throws(() => certificatesFromPem(''), { message: 'failed to decode PEM' });
  const leafThenKey = readFileSync(join(CERTS, 'leaf.pem'), 'utf8') + readFileSync(join(FIXTURES, 'apptainer/keys/rsa-public.pem'), 'utf8');
  t.equal(firstCertificateFromPem(leafThenKey).subject, 'CN=leaf,O=Apptainer,C=US', '--certificate reads the first block only');
  t.throws(() => certificatesFromPem(leafThenKey), { message: 'failed to decode PEM' }, 'a pool must hold certificates only');
  const v1 = makePki(join(dir, 'v1'), [{ name: 'old', key: 'ec', extensions: [] }]);
  const old = firstCertificateFromPem(readFileSync(v1.old!, 'utf8'));
  t.same([old.version, old.extensionIds, old.basicConstraintsValid, old.maxPathLen], [1, [], false, -1]);
});

t.test('system roots where Go looks for them', async (t) => {
  const dir = t.testdir();
  const bundle = join(dir, 'bundle.pem');
  writeFileSync(bundle, readFileSync(join(CERTS, 'root.pem'), 'utf8') + '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n');
  t.same(systemRoots({ SSL_CERT_FILE: bundle }).map((c) => c.commonName), ['root'], 'SSL_CERT_FILE; unparseable and other blocks skipped');
  mkdirSync(join(dir, 'folder', 'sub'), { recursive: true });
  for (const n of ['intermediate', 'leaf']) writeFileSync(join(dir, 'folder', `${n}.pem`), readFileSync(join(CERTS, `${n}.pem`)));
  const fromFolder = systemRoots({ SSL_CERT_FILE: join(dir, 'none.pem'), SSL_CERT_DIR: `${join(dir, 'folder')}:${join(dir, 'missing')}` });
  t.same(fromFolder.map((c) => c.commonName).sort(), ['intermediate', 'leaf'], 'SSL_CERT_DIR when the file is missing');
  t.throws(() => systemRoots({ SSL_CERT_FILE: join(dir, 'none.pem'), SSL_CERT_DIR: join(dir, 'folder', 'sub') }), {
    code: 'SIF_CERTIFICATE_UNTRUSTED',
    message: 'x509: failed to load system roots and no roots provided',
  });
  t.ok(systemRoots({}).length > 0, "this machine's roots");
});

/** A minimal DER OCSPResponse with `status` and optional response bytes. */
const ocspResponse = (status: number, basic?: Uint8Array) =>
  new Uint8Array(
    new pkijs.OCSPResponse({
      responseStatus: new asn1js.Enumerated({ value: status }),
      ...(basic ? { responseBytes: new pkijs.ResponseBytes({ responseType: '1.3.6.1.5.5.7.48.1.1', response: new asn1js.OctetString({ valueHex: basic }) }) } : {}),
    })
      .toSchema()
      .toBER(),
  );

t.test('OCSP responses openssl does not make', async (t) => {
  const [leaf, intermediate] = [fixture('leaf'), fixture('intermediate')];
  const reject = async (der: Uint8Array, message: string | RegExp) => {
    const e = await parseOcspResponse(der, leaf, intermediate).then(() => undefined, (e: unknown) => e);
    t.ok(e instanceof OcspResponseError);
    t.match((e as Error).message, message);
  };
  await reject(ocspResponse(6), 'ocsp: error from server: unauthorized');
  await reject(ocspResponse(4), 'ocsp: error from server: unknown OCSP status: 4');
  await reject(ocspResponse(0, new Uint8Array([1, 2, 3])), /^asn1: structure error: /);
  await reject(new Uint8Array([0x30, 0x03, 0x0a, 0x01, 0x00]), 'bad OCSP response type');
  await reject(new Uint8Array([0xff]), /^asn1: structure error: /);
});

t.test('the front door', async (t) => {
  const [leaf, intermediate, root] = [fixture('leaf'), fixture('intermediate'), fixture('root')];
  const trusted = await trustCertificate({ certificate: leaf, intermediates: [intermediate], roots: [root], now: AT });
  t.same([trusted.subject, trusted.chain.map((c) => c.commonName)], ['CN=leaf,O=Apptainer,C=US', ['leaf', 'intermediate', 'root']]);
  const twoChains = trustCertificate({ certificate: leaf, intermediates: [intermediate], roots: [root, intermediate], now: AT, ocsp: () => Promise.reject(new Error('not asked')) });
  await t.rejects(twoChains, { code: 'SIF_OCSP_FAILED', message: 'unhandled OCSP condition, chain length 2 != 1' });
  await t.rejects(trustCertificate({ certificate: leaf, roots: [root] }), { code: 'SIF_CERTIFICATE_UNTRUSTED' }, 'now by default');
});

t.test('a trusted certificate whose key node:crypto cannot load is bad key material', async (t) => {
  const dir = t.testdir();
  const p = makePki(dir, [{ name: 'self', key: 'ec', extensions: leafExtensions({ eku: '' }) }]);
  const der = Buffer.from(readFileSync(p.self!, 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const point = Buffer.from(parseCertificate(der).publicKeyBits);
  der[der.indexOf(point)] = 0x05; // no EC point encoding starts so (0x06/0x07 are hybrid forms); the (unchecked) self-signature no longer matters
  const broken = join(dir, 'broken.pem');
  writeFileSync(broken, `-----BEGIN CERTIFICATE-----\n${der.toString('base64')}\n-----END CERTIFICATE-----\n`);
  const e = await loadCertificateKey({ certificate: broken, roots: broken }).then(() => undefined, (e: unknown) => e);
  t.ok(isSifError(e, 'SIF_KEY_INVALID'), String(e));
  t.match((e as Error).message, new RegExp(`^${broken}: cannot use the certificate's public key: `));
});
