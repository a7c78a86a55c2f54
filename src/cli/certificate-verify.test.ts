/**
 * `sif verify --certificate`: upstream's DSSE images (signed by the fixture
 * RSA and Ed25519 keys) with the fixture certificate chain, and with chains
 * made here by openssl around the fixture RSA key; every failure one line and
 * its documented exit code; the environment variables; the policy flags
 * naming the certificate's key; --ocsp-verify with a real responder.
 */
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../test-support/cli.js';
import { FIXTURES, missingReference, whenAvailable } from '../test-support/reference.js';
import { caExtensions, leafExtensions, makePki } from '../test-support/pki.js';
import { freePort, startResponder } from '../test-support/ocsp-responder.js';

const CERTS = join(FIXTURES, 'apptainer/certs');
const RSA_KEY = join(FIXTURES, 'apptainer/keys/rsa-private.pem');
const IMAGE = join(FIXTURES, 'sylabs-sif-head/images/one-group-signed-dsse.sif');
const UNSIGNED = join(FIXTURES, 'sylabs-sif-head/images/one-group.sif');
const TABLE = 'Objects verified:\nID  |GROUP   |LINK    |TYPE\n------------------------------------------------\n1   |1       |NONE    |FS\n2   |1       |NONE    |FS\n';
const RSA_KEY_ID = 'SHA256:BhCwr7qZulYcOMSl2Jt2DuYHxHNnN6th4NdMqR/PGa4';
/** The fixture chain's end (dsse.md §2.4): after it, the same run must report the expiry instead. */
const FIXTURE_NOT_AFTER = new Date('2030-04-01T00:00:00Z');

const chainArgs = (dir = CERTS) => ['--certificate', join(dir, 'leaf.pem'), '--certificate-intermediates', join(dir, 'intermediate.pem'), '--certificate-roots', join(dir, 'root.pem')];

/** root → intermediate → leaf certifying the fixture RSA key, valid for 30 days from now. */
function rsaChain(dir: string, leaf: { extensions?: string[]; days?: number; ocsp?: string } = {}) {
  return makePki(dir, [
    { name: 'root', key: 'ed25519', extensions: caExtensions(), serial: 100 },
    { name: 'intermediate', issuer: 'root', key: 'ec', extensions: caExtensions({ pathlen: 0 }), serial: 101 },
    { name: 'leaf', issuer: 'intermediate', keyFile: RSA_KEY, extensions: leaf.extensions ?? leafExtensions({ ocsp: leaf.ocsp }), days: leaf.days, serial: 102 },
  ]);
}

t.test('the fixture chain', (t) =>
  whenAvailable(t, 'fixtures', missingReference('shared'), async (t) => {
    const r = await runCli(['verify', ...chainArgs(), IMAGE]);
    if (new Date() <= FIXTURE_NOT_AFTER) {
      t.equal(r.code, 0, r.stderr);
      t.equal(r.stdout.toString(), TABLE);
      t.equal(r.stderr, `Verified signature(s) from image '${IMAGE}'\n`);
    } else {
      t.equal(r.code, 14);
      t.match(r.stderr, /^sif: x509: certificate has expired or is not yet valid: current time \S+ is after 2030-04-01T00:00:00Z\n$/);
    }
  }),
);

t.test('chains made with openssl around the fixture RSA key', (t) =>
  whenAvailable(t, 'fixtures', missingReference('shared'), async (t) => {
    const dir = t.testdir();
    const good = rsaChain(join(dir, 'good'));
    const other = makePki(join(dir, 'other'), [{ name: 'root', key: 'ec', extensions: caExtensions() }]);
    const serverOnly = rsaChain(join(dir, 'server'), { extensions: leafExtensions({ eku: 'serverAuth' }) });
    const expired = rsaChain(join(dir, 'expired'), { days: -1 });
    const stranger = makePki(join(dir, 'stranger'), [
      { name: 'root', key: 'ec', extensions: caExtensions() },
      { name: 'leaf', issuer: 'root', key: 'ec', extensions: leafExtensions() },
    ]);
    writeFileSync(join(dir, 'garbage.pem'), 'not a certificate\n');
    writeFileSync(join(dir, 'key-as-pool.pem'), readFileSync(RSA_KEY));
    writeFileSync(join(dir, 'truncated.pem'), readFileSync(good.leaf!, 'utf8').replace(/\n[A-Za-z0-9+/]{20}[A-Za-z0-9+/=]*\n-----END/, '\n-----END'));
    const pki = (p: Record<string, string>) => ['--certificate', p.leaf!, '--certificate-intermediates', p.intermediate!, '--certificate-roots', p.root!];
    const cases: [name: string, args: string[], env: NodeJS.ProcessEnv, code: number, stderr: RegExp | string][] = [
      ['a good chain', [...pki(good), IMAGE], {}, 0, `Verified signature(s) from image '${IMAGE}'\n`],
      ['no intermediates', ['--certificate', good.leaf!, '--certificate-roots', good.root!, IMAGE], {}, 13, 'sif: x509: certificate signed by unknown authority\n'],
      ['another root', ['--certificate', good.leaf!, '--certificate-intermediates', good.intermediate!, '--certificate-roots', other.root!, IMAGE], {}, 13, /unknown authority/],
      ['the system roots (default)', ['--certificate', good.leaf!, '--certificate-intermediates', good.intermediate!, IMAGE], {}, 13, /unknown authority/],
      ['a serverAuth leaf', [...pki(serverOnly), IMAGE], {}, 13, 'sif: x509: certificate specifies an incompatible key usage\n'],
      ['an expired leaf', [...pki(expired), IMAGE], {}, 14, /^sif: x509: certificate has expired or is not yet valid: current time \S+ is after \S+\n$/],
      ['a trusted certificate of a key that did not sign', ['--certificate', stranger.leaf!, '--certificate-roots', stranger.root!, IMAGE], {}, 13, /^sif: signature object 3 not valid: .*threshold/],
      ['an unsigned image', [...pki(good), UNSIGNED], {}, 11, 'sif: signature not found for object group 1\n'],
      ['a certificate file with no PEM block', ['--certificate', join(dir, 'garbage.pem'), IMAGE], {}, 6, `sif: ${join(dir, 'garbage.pem')}: failed to decode PEM\n`],
      ['a truncated certificate', ['--certificate', join(dir, 'truncated.pem'), '--certificate-roots', good.root!, IMAGE], {}, 6, /^sif: .*truncated\.pem: x509: malformed certificate: /],
      ['a key in the intermediates file', ['--certificate', good.leaf!, '--certificate-intermediates', join(dir, 'key-as-pool.pem'), IMAGE], {}, 6, `sif: ${join(dir, 'key-as-pool.pem')}: failed to decode PEM\n`],
      ['a missing roots file', ['--certificate', good.leaf!, '--certificate-roots', join(dir, 'none.pem'), IMAGE], {}, 3, `sif: open ${join(dir, 'none.pem')}: no such file or directory\n`],
      ['APPTAINER_VERIFY_*', [IMAGE], { APPTAINER_VERIFY_CERTIFICATE: good.leaf!, APPTAINER_VERIFY_INTERMEDIATES: good.intermediate!, APPTAINER_VERIFY_ROOTS: good.root! }, 0, /Verified/],
      ['SIF_VERIFY_* first', [IMAGE], { SIF_VERIFY_CERTIFICATE: good.leaf!, SIF_VERIFY_INTERMEDIATES: good.intermediate!, SIF_VERIFY_ROOTS: good.root!, APPTAINER_VERIFY_ROOTS: other.root! }, 0, /Verified/],
      ['the flag over the environment', [...pki(good), IMAGE], { SIF_VERIFY_ROOTS: other.root! }, 0, /Verified/],
      ['the companions count only with a certificate', [IMAGE], { SIF_VERIFY_ROOTS: good.root! }, 13, /key material not provided for DSSE envelope signature/],
    ];
    for (const [name, args, env, code, stderr] of cases) {
      const r = await runCli(['verify', ...args], env);
      t.equal(r.code, code, `${name}: exit code (${r.stderr.trim()})`);
      if (typeof stderr === 'string') t.equal(r.stderr, stderr, `${name}: stderr`);
      else t.match(r.stderr, stderr, `${name}: stderr`);
      if (code !== 0) t.equal(r.stderr.split('\n').length, 2, `${name}: one line`);
    }
    t.test('the policy flags and JSON name the certificate', async (t) => {
      const r = await runCli(['verify', '--json', '--fingerprints', RSA_KEY_ID, ...pki(good), IMAGE]);
      t.equal(r.code, 0, r.stderr);
      const json = JSON.parse(r.stdout.toString()) as { Results: { signer: { keyId: string; identity: string } }[] };
      t.same(json.Results[0]!.signer.keyId, RSA_KEY_ID);
      t.equal(json.Results[0]!.signer.identity, 'CN=leaf,O=sif tests,C=US');
    });
    t.test('--key and --certificate together: any fitting key counts', async (t) => {
      const r = await runCli(['verify', '--key', join(FIXTURES, 'apptainer/keys/ecdsa-public.pem'), ...pki(good), IMAGE]);
      t.equal(r.code, 0, r.stderr);
    });
    t.end();
  }),
);

t.test('--ocsp-verify with a real responder', (t) =>
  whenAvailable(t, 'fixtures', missingReference('shared'), async (t) => {
    const dir = t.testdir();
    const [rootPort, interPort] = [await freePort(), await freePort()];
    const p = makePki(dir, [
      { name: 'root', key: 'ec', extensions: caExtensions(), serial: 100 },
      { name: 'intermediate', issuer: 'root', key: 'ec', extensions: caExtensions({ ocsp: `http://127.0.0.1:${rootPort}` }), serial: 101 },
      { name: 'leaf', issuer: 'intermediate', keyFile: RSA_KEY, extensions: leafExtensions({ ocsp: `http://127.0.0.1:${interPort}` }), serial: 102 },
    ]);
    const entries = [
      { serial: 101, subject: '/CN=intermediate' },
      { serial: 102, subject: '/CN=leaf', revoked: { at: new Date(Date.now() - 3600_000), reason: 'keyCompromise' } },
    ];
    const args = ['verify', '--certificate', p.leaf!, '--certificate-intermediates', p.intermediate!, '--certificate-roots', p.root!, IMAGE];
    t.equal((await runCli(args)).code, 0, 'without --ocsp-verify no responder is asked');
    const unreachable = await runCli([...args, '--ocsp-verify']);
    t.equal(unreachable.code, 15, 'responders not running yet');
    t.match(unreachable.stderr, /^sif: OCSP verification has failed: OCSP Query err: OCSP Send Request err: Post "http:\/\/127\.0\.0\.1:\d+": .*\n$/);
    await startResponder(t, { dir, port: rootPort, ca: p.root!, signer: p.root!, signerKey: join(dir, 'root.key'), entries });
    await startResponder(t, { dir, port: interPort, ca: p.intermediate!, signer: p.intermediate!, signerKey: join(dir, 'intermediate.key'), entries, extra: ['-resp_no_certs'] });
    const revoked = await runCli([...args, '--ocsp-verify']);
    t.equal(revoked.code, 14);
    t.match(revoked.stderr, /^sif: OCSP verification has failed: OCSP Query err: certificate revoked at '[^']+'\. Revocation reason code: '1'\n$/);
    const viaEnv = await runCli(args, { APPTAINER_VERIFY_OCSP: 'true' });
    t.equal(viaEnv.code, 14, 'APPTAINER_VERIFY_OCSP=true');
  }),
);
