/**
 * Certificate chains against Go's crypto/x509 (the oracle's x509verify, Go
 * 1.19, KeyUsages [CodeSigning] as Apptainer asks): the fixture chain and
 * chains made here with openssl, each verdict and message compared with Go's
 * at the same pinned time.
 */
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyChain } from './chain.js';
import { certificatesFromPem } from './pem.js';
import { FIXTURES, missingReference, whenAvailable } from '../../test-support/reference.js';
import { oracle } from '../../test-support/oracle.js';
import { caExtensions, leafExtensions, makePki, poolFile, type CertSpec } from '../../test-support/pki.js';
import { isSifError } from '../../errors.js';

const CERTS = join(FIXTURES, 'apptainer/certs');
/** Inside the fixture chain's validity (2020-04-01 to 2030-04-01), so the tests outlive it. */
const FIXTURE_TIME = '2025-06-01T00:00:00Z';

interface Case {
  readonly leaf: string;
  readonly intermediates?: string;
  readonly roots?: string;
  readonly time: string;
}

interface Verdict {
  ok: boolean;
  error: string;
  /** Each chain's subjects, Go's pkix.Name.String() form, sorted. */
  chains: string[];
}

const load = (path: string) => certificatesFromPem(readFileSync(path, 'utf8'));

async function ours(c: Case): Promise<Verdict & { code?: string }> {
  try {
    const chains = await verifyChain(load(c.leaf)[0]!, {
      intermediates: c.intermediates ? load(c.intermediates) : [],
      roots: c.roots ? load(c.roots) : [],
      now: new Date(c.time),
    });
    return { ok: true, error: '', chains: chains.map((chain) => chain.map((x) => x.subject).join(' | ')).sort() };
  } catch (e) {
    if (!isSifError(e)) throw e;
    return { ok: false, error: e.message, code: e.code, chains: [] };
  }
}

function go(c: Case): Verdict {
  const args = ['x509verify', '--cert', c.leaf, '--time', c.time];
  if (c.intermediates) args.push('--intermediates', c.intermediates);
  // Without --roots Go would use the system roots: give it an empty-of-ours pool instead (the leaf's own
  // file never chains to itself unless self-signed), matching our explicit empty roots.
  args.push('--roots', c.roots ?? c.leaf);
  const v = oracle<{ ok: boolean; error: string; chains: string[][] | null }>(...args);
  return { ok: v.ok, error: v.error, chains: (v.chains ?? []).map((chain) => chain.join(' | ')).sort() };
}

const sameAsGo = async (t: Test, c: Case, expected?: { ok: boolean; code?: string; error?: RegExp }) => {
  const mine = await ours(c.roots ? c : { ...c, roots: c.leaf });
  const reference = go(c);
  t.same({ ok: mine.ok, error: mine.error, chains: mine.chains }, reference, 'verdict, message and chains as Go');
  if (expected) {
    t.equal(mine.ok, expected.ok);
    if (expected.code) t.equal(mine.code, expected.code);
    if (expected.error) t.match(mine.error, expected.error);
  }
};

t.test('the fixture chain (Ed25519 root, ECDSA intermediate, RSA leaf)', (t) =>
  whenAvailable(t, 'against Go', missingReference('go', 'shared'), async (t) => {
    const leaf = join(CERTS, 'leaf.pem');
    const intermediates = join(CERTS, 'intermediate.pem');
    const roots = join(CERTS, 'root.pem');
    t.test('full chain', (t) => sameAsGo(t, { leaf, intermediates, roots, time: FIXTURE_TIME }, { ok: true }));
    t.test('no intermediates', (t) =>
      sameAsGo(t, { leaf, roots, time: FIXTURE_TIME }, { ok: false, code: 'SIF_CERTIFICATE_UNTRUSTED', error: /^x509: certificate signed by unknown authority$/ }),
    );
    t.test('the intermediate as the root: any pool member is a trust anchor', (t) =>
      sameAsGo(t, { leaf, roots: intermediates, time: FIXTURE_TIME }, { ok: true }),
    );
    t.test('the leaf itself as the root', (t) => sameAsGo(t, { leaf, roots: leaf, time: FIXTURE_TIME }, { ok: true }));
    t.test('after 2030-04-01', (t) =>
      sameAsGo(t, { leaf, intermediates, roots, time: '2030-04-02T00:00:00Z' }, {
        ok: false,
        code: 'SIF_CERTIFICATE_NOT_VALID',
        error: /current time 2030-04-02T00:00:00Z is after 2030-04-01T00:00:00Z$/,
      }),
    );
    t.test('before 2020-04-01', (t) =>
      sameAsGo(t, { leaf, intermediates, roots, time: '2020-03-01T00:00:00Z' }, { ok: false, code: 'SIF_CERTIFICATE_NOT_VALID', error: /is before 2020-04-01T00:00:00Z$/ }),
    );
    t.test('at the last second of validity', (t) => sameAsGo(t, { leaf, intermediates, roots, time: '2030-04-01T00:00:00Z' }, { ok: true }));
    t.end();
  }),
);

/** A hierarchy root → intermediate → leaf with per-test changes, made with openssl. */
function hierarchy(dir: string, change: Partial<Record<'root' | 'intermediate' | 'leaf', Partial<CertSpec>>> = {}) {
  const specs: CertSpec[] = [
    { name: 'root', key: 'rsa', extensions: caExtensions({ pathlen: 2 }), ...change.root },
    { name: 'intermediate', issuer: 'root', key: 'ec', extensions: caExtensions({ pathlen: 1 }), ...change.intermediate },
    { name: 'leaf', issuer: 'intermediate', key: 'ed25519', extensions: leafExtensions(), ...change.leaf },
  ];
  return makePki(dir, specs);
}

t.test('generated chains', (t) =>
  whenAvailable(t, 'against Go', missingReference('go'), async (t) => {
    const soon = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const run = (t: Test, change: Parameters<typeof hierarchy>[1], expected: { ok: boolean; code?: string; error?: RegExp }, options: { time?: string; omitIntermediate?: boolean } = {}) => {
      const dir = t.testdir();
      const p = hierarchy(dir, change);
      const c: Case = {
        leaf: p.leaf!,
        intermediates: options.omitIntermediate ? undefined : p.intermediate!,
        roots: p.root!,
        time: options.time ?? soon,
      };
      return sameAsGo(t, c, expected);
    };
    const untrusted = { ok: false, code: 'SIF_CERTIFICATE_UNTRUSTED' };
    t.test('RSA root, ECDSA intermediate, Ed25519 leaf', (t) => run(t, {}, { ok: true }));
    t.test('a leaf with no EKU passes', (t) => run(t, { leaf: { extensions: leafExtensions({ eku: '' }) } }, { ok: true }));
    t.test('anyExtendedKeyUsage passes', (t) => run(t, { leaf: { extensions: leafExtensions({ eku: 'anyExtendedKeyUsage' }) } }, { ok: true }));
    t.test('a serverAuth-only leaf is refused', (t) =>
      run(t, { leaf: { extensions: leafExtensions({ eku: 'serverAuth' }) } }, { ...untrusted, error: /incompatible key usage/ }),
    );
    t.test('an intermediate restricted to serverAuth is refused', (t) =>
      run(t, { intermediate: { extensions: [...caExtensions({ pathlen: 1 }), 'extendedKeyUsage=serverAuth'] } }, { ...untrusted, error: /incompatible key usage/ }),
    );
    t.test('an expired leaf', (t) =>
      run(t, { leaf: { days: 1 } }, { ok: false, code: 'SIF_CERTIFICATE_NOT_VALID' }, { time: new Date(Date.now() + 3 * 86400_000).toISOString().replace(/\.\d+Z$/, 'Z') }),
    );
    t.test('an expired intermediate', (t) =>
      run(t, { intermediate: { days: 1 } }, { ok: false, code: 'SIF_CERTIFICATE_NOT_VALID' }, { time: new Date(Date.now() + 3 * 86400_000).toISOString().replace(/\.\d+Z$/, 'Z') }),
    );
    t.test('not yet valid', (t) =>
      run(t, {}, { ok: false, code: 'SIF_CERTIFICATE_NOT_VALID', error: /is before/ }, { time: new Date(Date.now() - 3 * 86400_000).toISOString().replace(/\.\d+Z$/, 'Z') }),
    );
    t.test('a missing intermediate', (t) => run(t, {}, { ...untrusted, error: /unknown authority$/ }, { omitIntermediate: true }));
    t.test('a CA:FALSE intermediate', (t) =>
      run(t, { intermediate: { extensions: ['basicConstraints=critical,CA:FALSE', 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid'] } }, {
        ...untrusted,
        error: /parent certificate cannot sign this kind of certificate/,
      }),
    );
    t.test('an intermediate without basicConstraints', (t) =>
      run(t, { intermediate: { extensions: ['subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid'] } }, untrusted),
    );
    t.test('an intermediate without certSign key usage', (t) =>
      run(t, { intermediate: { extensions: ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,digitalSignature', 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid'] } }, untrusted),
    );
    t.test('pathlen exceeded', (t) => run(t, { root: { extensions: caExtensions({ pathlen: 0 }) } }, { ...untrusted, error: /too many intermediates/ }));
    t.test('an unhandled critical extension', (t) =>
      run(t, { leaf: { extensions: [...leafExtensions(), '1.2.3.4=critical,ASN1:NULL'] } }, { ...untrusted, error: /unhandled critical extension/ }),
    );
    t.test('a wrong root', (t) => {
      const dir = t.testdir();
      const p = hierarchy(dir);
      const other = makePki(join(dir, 'other'), [{ name: 'other', key: 'ec', extensions: caExtensions() }]);
      return sameAsGo(t, { leaf: p.leaf!, intermediates: p.intermediate!, roots: other.other!, time: soon }, { ...untrusted, error: /unknown authority$/ });
    });
    t.test('a root with the issuer name but another key', (t) => {
      const dir = t.testdir();
      const p = hierarchy(dir);
      const impostor = makePki(join(dir, 'impostor'), [{ name: 'root', key: 'rsa', extensions: caExtensions({ pathlen: 2 }) }]);
      return sameAsGo(t, { leaf: p.leaf!, intermediates: p.intermediate!, roots: impostor.root!, time: soon }, { ...untrusted, error: /possibly because of "crypto\/rsa: verification error"/ });
    });
    t.test('an RSA-PSS-signed intermediate', (t) =>
      run(t, { intermediate: { sigopts: ['rsa_padding_mode:pss', 'rsa_pss_saltlen:32'] } }, { ok: true }),
    );
    t.test('an RSA-PSS signature with SHA-1 parameters', (t) =>
      run(t, { intermediate: { sigopts: ['rsa_padding_mode:pss'], digest: 'sha1' } }, untrusted),
    );
    t.test('P-384 and P-521 keys', (t) => {
      const dir = t.testdir();
      const p = makePki(dir, [
        { name: 'root', key: 'ec', extensions: caExtensions() },
        { name: 'intermediate', issuer: 'root', key: 'rsa', extensions: caExtensions() },
        { name: 'leaf', issuer: 'intermediate', key: 'ed25519', extensions: leafExtensions() },
      ]);
      return sameAsGo(t, { leaf: p.leaf!, intermediates: p.intermediate!, roots: p.root!, time: soon }, { ok: true });
    });
    t.test('a v1 intermediate (no extensions) is not a CA', (t) =>
      run(t, { intermediate: { extensions: [] }, leaf: { extensions: ['extendedKeyUsage=codeSigning'] } }, { ...untrusted, error: /not authorized to sign other certificates/ }),
    );
    t.test('odd subjects print as Go prints them', (t) =>
      run(t, { leaf: { subject: '/C=US/O= sif\\, "tests"/O=second/title=x y/emailAddress=a@b/CN=first/CN=#le\\+af;<> ' } }, { ok: true }),
    );
    t.test('a 128-byte attribute Go prints as #hex', (t) =>
      run(t, { leaf: { subject: `/C=US/CN=leaf/emailAddress=${'a'.repeat(118)}@b.example` } }, { ok: true }),
    );
    t.test('a candidate without CN or O is named by its (negative) serial', (t) => {
      const dir = t.testdir();
      const p = makePki(dir, [
        { name: 'root', key: 'ec', subject: '/C=US', extensions: caExtensions() },
        { name: 'leaf', issuer: 'root', key: 'ec', extensions: leafExtensions() },
      ]);
      const impostor = makePki(join(dir, 'impostor'), [{ name: 'root', key: 'ec', subject: '/C=US', serial: -5, extensions: caExtensions() }]);
      return sameAsGo(t, { leaf: p.leaf!, roots: impostor.root!, time: soon }, { ...untrusted, error: /candidate authority certificate "serial:-5"\)$/ });
    });
    t.test('the signature check limit bounds a hostile pool', (t) => {
      const dir = t.testdir();
      const p = hierarchy(dir);
      // 101 certificates named as the intermediate, none with its key: every one costs a signature check.
      const decoys = makePki(join(dir, 'decoys'), Array.from({ length: 101 }, (_, i) => ({
        name: `decoy${i}`, key: 'ec' as const, subject: '/C=US/O=sif tests/CN=intermediate', extensions: caExtensions(),
      })));
      const pool = poolFile(join(dir, 'pool.pem'), Object.values(decoys));
      return sameAsGo(t, { leaf: p.leaf!, intermediates: pool, roots: p.root!, time: soon }, { ...untrusted, error: /limit reached/ });
    });
    t.test('several intermediates and roots in the pools', (t) => {
      const dir = t.testdir();
      const p = hierarchy(dir);
      const other = makePki(join(dir, 'other'), [{ name: 'other', key: 'ed25519', extensions: caExtensions() }]);
      const roots = poolFile(join(dir, 'roots.pem'), [other.other!, p.root!]);
      const intermediates = poolFile(join(dir, 'intermediates.pem'), [other.other!, p.intermediate!, p.intermediate!]);
      return sameAsGo(t, { leaf: p.leaf!, intermediates, roots, time: soon }, { ok: true });
    });
    t.end();
  }),
);
