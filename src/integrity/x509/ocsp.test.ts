/**
 * --ocsp-verify against a real responder: `openssl ocsp` on loopback (good,
 * revoked, unknown, delegated responders, stale answers, two responders for a
 * chain with an intermediate) and an unreachable port. Two in-test stubs stand
 * for what openssl cannot do: a responder that never answers (the timeout) and
 * one that answers garbage.
 */
import t, { type Test } from 'tap';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyChain } from './chain.js';
import { certificatesFromPem } from './pem.js';
import { checkRevocation, type OcspTransport } from './ocsp-check.js';
import { httpOcspTransport } from './ocsp-transport.js';
import { caExtensions, leafExtensions, makePki } from '../../test-support/pki.js';
import { freePort, startResponder, type IndexEntry } from '../../test-support/ocsp-responder.js';
import { isSifError } from '../../errors.js';

const load = (path: string) => certificatesFromPem(readFileSync(path, 'utf8'))[0]!;
const HOUR = 3600_000;

/** root → leaf (serial 101), the leaf naming `url` as its responder. */
function rootAndLeaf(dir: string, url: string) {
  return makePki(dir, [
    { name: 'root', key: 'ec', serial: 100, extensions: caExtensions() },
    { name: 'leaf', issuer: 'root', key: 'ed25519', serial: 101, extensions: leafExtensions({ ocsp: url }) },
  ]);
}

async function verdict(leaf: string, intermediates: string[], root: string, options: { now?: Date; transport?: OcspTransport } = {}) {
  const [chain] = await verifyChain(load(leaf), { intermediates: intermediates.map(load), roots: [load(root)], now: new Date() });
  try {
    await checkRevocation(chain!, { now: options.now, transport: options.transport ?? httpOcspTransport(5000) });
    return { ok: true, code: '', message: '' };
  } catch (e) {
    if (!isSifError(e)) throw e;
    return { ok: false, code: e.code, message: e.message };
  }
}

const leafEntry = (revoked?: IndexEntry['revoked']): IndexEntry => ({ serial: 101, subject: '/CN=leaf', revoked });

async function withResponder(t: Test, entries: IndexEntry[], options: { signer?: 'root' | 'delegate'; delegateExtensions?: string[]; extra?: string[] } = {}) {
  const dir = t.testdir();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const p = rootAndLeaf(dir, url);
  let signer = p.root!;
  let signerKey = join(dir, 'root.key');
  if (options.signer === 'delegate') {
    const d = makePki(dir, [{ name: 'delegate', issuer: 'root', key: 'ec', serial: 102, extensions: options.delegateExtensions ?? [] }]);
    signer = d.delegate!;
    signerKey = join(dir, 'delegate.key');
  }
  await startResponder(t, { dir, port, ca: p.root!, signer, signerKey, entries, extra: options.extra });
  return p;
}

t.test('a good certificate passes', async (t) => {
  const p = await withResponder(t, [leafEntry()]);
  t.same(await verdict(p.leaf!, [], p.root!), { ok: true, code: '', message: '' });
});

t.test('a revoked certificate fails with the revocation time and reason', async (t) => {
  const at = new Date(Date.now() - HOUR);
  const p = await withResponder(t, [leafEntry({ at, reason: 'keyCompromise' })]);
  const v = await verdict(p.leaf!, [], p.root!);
  t.equal(v.code, 'SIF_CERTIFICATE_REVOKED');
  const expectedAt = at.toISOString().slice(0, 19).replace('T', ' ');
  t.equal(v.message, `OCSP verification has failed: OCSP Query err: certificate revoked at '${expectedAt} +0000 UTC'. Revocation reason code: '1'`);
});

t.test('a certificate the responder does not know fails', async (t) => {
  const p = await withResponder(t, [{ serial: 77, subject: '/CN=other' }]);
  const v = await verdict(p.leaf!, [], p.root!);
  t.same(v, { ok: false, code: 'SIF_OCSP_FAILED', message: 'OCSP verification has failed: OCSP Query err: status unknown. certificate cannot be trusted' });
});

t.test('an unreachable responder fails', async (t) => {
  const port = await freePort();
  const p = rootAndLeaf(t.testdir(), `http://127.0.0.1:${port}`);
  const v = await verdict(p.leaf!, [], p.root!);
  t.equal(v.code, 'SIF_OCSP_FAILED');
  t.match(v.message, new RegExp(`^OCSP verification has failed: OCSP Query err: OCSP Send Request err: Post "http://127.0.0.1:${port}": .*ECONNREFUSED`));
});

t.test('a delegated responder with the OCSP-signing EKU and no-check passes', async (t) => {
  const p = await withResponder(t, [leafEntry()], {
    signer: 'delegate',
    delegateExtensions: ['extendedKeyUsage=OCSPSigning', 'authorityKeyIdentifier=keyid', 'subjectKeyIdentifier=hash', 'noCheck=ignored'],
  });
  t.same(await verdict(p.leaf!, [], p.root!), { ok: true, code: '', message: '' });
});

t.test("a delegated responder without no-check is itself asked about", async (t) => {
  const dir = t.testdir();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const p = rootAndLeaf(dir, url);
  const d = makePki(dir, [{ name: 'delegate', issuer: 'root', key: 'ec', serial: 102, extensions: ['extendedKeyUsage=OCSPSigning', 'authorityKeyIdentifier=keyid', 'subjectKeyIdentifier=hash', `authorityInfoAccess=OCSP;URI:${url}`] }]);
  const entries = [leafEntry(), { serial: 102, subject: '/CN=delegate', revoked: { at: new Date(Date.now() - HOUR) } }];
  await startResponder(t, { dir, port, ca: p.root!, signer: d.delegate!, signerKey: join(dir, 'delegate.key'), entries });
  const v = await verdict(p.leaf!, [], p.root!);
  t.equal(v.code, 'SIF_CERTIFICATE_REVOKED');
  t.match(v.message, /^OCSP verification has failed: cannot verify OCSP server's certificate\. err: OCSP Query err: certificate revoked at '[^']+'\. Revocation reason code: '0'$/);
});

t.test('a delegated responder without the OCSP-signing EKU is rejected', async (t) => {
  const p = await withResponder(t, [leafEntry()], { signer: 'delegate', delegateExtensions: ['authorityKeyIdentifier=keyid', 'subjectKeyIdentifier=hash'] });
  const v = await verdict(p.leaf!, [], p.root!);
  t.same(v, { ok: false, code: 'SIF_OCSP_FAILED', message: 'OCSP verification has failed: ocsp response is rejected' });
});

t.test('a response signed by a stranger fails', async (t) => {
  const dir = t.testdir();
  const port = await freePort();
  const p = rootAndLeaf(dir, `http://127.0.0.1:${port}`);
  const s = makePki(join(dir, 'stranger'), [{ name: 'stranger', key: 'ec', extensions: caExtensions() }]);
  await startResponder(t, { dir, port, ca: p.root!, signer: s.stranger!, signerKey: join(dir, 'stranger', 'stranger.key'), entries: [leafEntry()], extra: ['-resp_no_certs'] });
  const v = await verdict(p.leaf!, [], p.root!);
  t.same(v, { ok: false, code: 'SIF_OCSP_FAILED', message: 'OCSP verification has failed: OCSP Query err: OCSP response err: bad OCSP signature: x509: ECDSA verification failure' });
});

t.test('stale or early answers are unreliable', async (t) => {
  const p = await withResponder(t, [leafEntry()], { extra: ['-nmin', '1'] });
  const unreliable = { ok: false, code: 'SIF_OCSP_FAILED', message: 'OCSP verification has failed: OCSP Query err: unreliable OCSP response' };
  t.same(await verdict(p.leaf!, [], p.root!, { now: new Date(Date.now() + 2 * HOUR) }), unreliable, 'nextUpdate passed');
  t.same(await verdict(p.leaf!, [], p.root!, { now: new Date(Date.now() - 2 * HOUR) }), unreliable, 'thisUpdate in the future');
});

t.test('a chain with an intermediate asks both responders', async (t) => {
  const dir = t.testdir();
  const [rootPort, interPort] = [await freePort(), await freePort()];
  const p = makePki(dir, [
    { name: 'root', key: 'ed25519', serial: 100, extensions: caExtensions() },
    { name: 'intermediate', issuer: 'root', key: 'ec', serial: 101, extensions: caExtensions({ ocsp: `http://127.0.0.1:${rootPort}` }) },
    { name: 'leaf', issuer: 'intermediate', key: 'rsa', serial: 102, extensions: leafExtensions({ ocsp: `http://127.0.0.1:${interPort}` }) },
  ]);
  const entries = [{ serial: 101, subject: '/CN=intermediate' }, { serial: 102, subject: '/CN=leaf' }];
  await startResponder(t, { dir, port: rootPort, ca: p.root!, signer: p.root!, signerKey: join(dir, 'root.key'), entries });
  await startResponder(t, { dir, port: interPort, ca: p.intermediate!, signer: p.intermediate!, signerKey: join(dir, 'intermediate.key'), entries, extra: ['-resp_no_certs'] });
  t.same(await verdict(p.leaf!, [p.intermediate!], p.root!), { ok: true, code: '', message: '' });
});

t.test('a leaf that names no responder fails', async (t) => {
  const dir = t.testdir();
  const p = makePki(dir, [
    { name: 'root', key: 'ec', extensions: caExtensions() },
    { name: 'leaf', issuer: 'root', key: 'ec', extensions: leafExtensions() },
  ]);
  const v = await verdict(p.leaf!, [], p.root!, { transport: () => Promise.reject(new Error('not asked')) });
  t.same(v, { ok: false, code: 'SIF_OCSP_FAILED', message: 'OCSP verification has failed: OCSP Query err: certificate does not support OCSP' });
});

/** In-test stub, for what openssl cannot do: answer `body`, or never answer when it is undefined. */
async function stub(t: Test, body: Buffer | undefined): Promise<string> {
  const server = createServer((_req, res) => {
    if (body) res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

t.test('stub: a responder that never answers times out', async (t) => {
  const url = await stub(t, undefined);
  const p = rootAndLeaf(t.testdir(), url);
  const v = await verdict(p.leaf!, [], p.root!, { transport: httpOcspTransport(200) });
  t.same(v, { ok: false, code: 'SIF_OCSP_FAILED', message: `OCSP verification has failed: OCSP Query err: OCSP Send Request err: Post "${url}": no answer within 200 ms` });
});

t.test('stub: a responder that answers garbage', async (t) => {
  const url = await stub(t, Buffer.from('<html>not OCSP</html>'));
  const p = rootAndLeaf(t.testdir(), url);
  const v = await verdict(p.leaf!, [], p.root!);
  t.equal(v.code, 'SIF_OCSP_FAILED');
  t.match(v.message, /^OCSP verification has failed: OCSP Query err: OCSP response err: asn1: structure error: /);
});

t.test('stub: a responder that answers too much', async (t) => {
  const url = await stub(t, Buffer.alloc((1 << 20) + 1));
  const p = rootAndLeaf(t.testdir(), url);
  const v = await verdict(p.leaf!, [], p.root!);
  t.match(v.message, /response larger than 1048576 bytes$/);
});
