/**
 * `sif attest` and `sif verify-attestation` as users run them: round trips
 * with every key type and format; independent checks of what we write
 * (@sigstore/verify on P-256 bundles, OpenSSL and Debian's python3-cryptography
 * over the PAE of every envelope); a changed byte of the image; the X.509 chain flow with
 * model_signing's test PKI; keyless against the fixtures' trusted root; and
 * hostile inputs, one line and a documented exit code each.
 */
import t from 'tap';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildModelStatement } from '../attest/model-signing/index.js';
import { signPayload, signStatement } from '../attest/sign.js';
import type { Statement } from '../attest/statement.js';
import { pae } from '../integrity/dsse/envelope.js';
import { copyImage, runCli, runTool, spawnCli } from '../test-support/cli.js';
import { FIXTURES, GO_IMAGES, whenAvailable, withReference } from '../test-support/reference.js';
import { existsSync } from 'node:fs';

const MT = join(FIXTURES, 'model-transparency');
const noFixtures = existsSync(MT) ? undefined : `${MT} not present`;

const KEY_TYPES = [
  ['ed25519', () => generateKeyPairSync('ed25519')],
  ['rsa', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ['p256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
  ['p384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' })],
] as const;

function writeKeys(dir: string, name: string, pair: { privateKey: KeyObject; publicKey: KeyObject }) {
  const priv = join(dir, `${name}.pem`);
  const pub = join(dir, `${name}.pub`);
  writeFileSync(priv, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(pub, pair.publicKey.export({ type: 'spki', format: 'pem' }));
  return { priv, pub };
}

interface Envelope {
  payload: string;
  payloadType: string;
  signatures: { sig: string; keyid: string }[];
}
const envelopeOf = (text: string): Envelope => {
  const v = JSON.parse(text) as Envelope & { dsseEnvelope?: Envelope };
  return v.dsseEnvelope ?? v;
};

/** OpenSSL's verdict on the envelope's signature over its PAE: independent of our code. */
function opensslVerifies(dir: string, type: string, pub: string, e: Envelope): boolean {
  const paeFile = join(dir, 'pae.bin');
  const sigFile = join(dir, 'sig.bin');
  writeFileSync(paeFile, pae(e.payloadType, Buffer.from(e.payload, 'base64')));
  writeFileSync(sigFile, Buffer.from(e.signatures[0]!.sig, 'base64'));
  const args =
    type === 'ed25519'
      ? ['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-rawin', '-in', paeFile, '-sigfile', sigFile]
      : ['dgst', type === 'p384' ? '-sha384' : '-sha256', '-verify', pub, '-signature', sigFile, paeFile];
  return runTool('openssl', args).code === 0;
}

/** Debian's python3-cryptography on the same PAE file and signature: a second independent verifier. */
const PY_VERIFY = `
import sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
key = serialization.load_pem_public_key(open(sys.argv[1], 'rb').read())
sig, pae = open(sys.argv[2], 'rb').read(), open(sys.argv[3], 'rb').read()
if isinstance(key, ed25519.Ed25519PublicKey): key.verify(sig, pae)
elif isinstance(key, rsa.RSAPublicKey): key.verify(sig, pae, padding.PKCS1v15(), hashes.SHA256())
else: key.verify(sig, pae, ec.ECDSA(hashes.SHA384() if key.curve.key_size == 384 else hashes.SHA256()))
`;
const pythonVerifies = (dir: string, pub: string) => runTool('/usr/bin/python3', ['-c', PY_VERIFY, pub, join(dir, 'sig.bin'), join(dir, 'pae.bin')]).code === 0;

/** @sigstore/verify 3.x (a devDependency of the Node 20 line) on a key bundle: parse, then the signature with the hinted key. */
async function sigstoreVerifies(bundleText: string, publicKey: KeyObject): Promise<boolean> {
  const { bundleFromJSON } = await import('@sigstore/bundle');
  const { Verifier, toSignedEntity, toTrustMaterial } = await import('@sigstore/verify');
  const { TrustedRoot } = await import('@sigstore/protobuf-specs');
  const bundle = bundleFromJSON(JSON.parse(bundleText));
  const hint = bundle.verificationMaterial.content.$case === 'publicKey' ? bundle.verificationMaterial.content.publicKey.hint : '';
  const root = TrustedRoot.fromJSON({ mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] });
  const keys = { [hint]: { rawBytes: publicKey.export({ type: 'spki', format: 'der' }), keyDetails: 0, validFor: { start: new Date(0) } } };
  const verifier = new Verifier(toTrustMaterial(root, keys as never), { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
  try {
    verifier.verify(toSignedEntity(bundle));
    return true;
  } catch {
    return false;
  }
}

withReference(t, 'every key type and format: round trip, OpenSSL over the PAE, @sigstore/verify on P-256', ['go-sif'], async (t) => {
  const dir = t.testdir();
  const image = copyImage(dir, 'img.sif', join(GO_IMAGES, 'one-group-signed.sif'));
  for (const [type, generate] of KEY_TYPES) {
    const pair = generate();
    const { priv, pub } = writeKeys(dir, type, pair);
    for (const format of ['bundle', 'dsse']) {
      const made = await runCli(['attest', '-q', '--key', priv, '--format', format, image]);
      t.equal(made.code, 0, `${type} ${format}: ${made.stderr}`);
      const file = join(dir, `${type}.${format}.json`);
      writeFileSync(file, made.stdout);
      const e = envelopeOf(made.stdout.toString());
      t.equal(e.payloadType, 'application/vnd.in-toto+json');
      t.ok(opensslVerifies(dir, type, pub, e), `${type} ${format}: openssl verifies the signature over the PAE`);
      t.ok(pythonVerifies(dir, pub), `${type} ${format}: python3-cryptography verifies it too`);
      if (type === 'p256' && format === 'bundle') t.ok(await sigstoreVerifies(made.stdout.toString(), pair.publicKey), '@sigstore/verify accepts the bundle');
      const checked = await runCli(['verify-attestation', '-q', '--key', pub, file, image]);
      t.equal(checked.code, 0, `${type} ${format} verifies: ${checked.stderr}`);
      t.match(checked.stdout.toString(), /^matched {5}img\.sif#object=3  sha256:/m);
    }
  }
});

withReference(t, 'a changed byte of the image fails, naming what changed', ['go-sif'], async (t) => {
  const dir = t.testdir();
  const image = copyImage(dir, 'img.sif', join(GO_IMAGES, 'one-group-signed.sif'));
  const { priv, pub } = writeKeys(dir, 'k', generateKeyPairSync('ec', { namedCurve: 'P-256' }));
  const att = join(dir, 'img.att.json');
  writeFileSync(att, (await runCli(['attest', '-q', '--key', priv, image])).stdout);
  const bytes = readFileSync(image);
  bytes[40000]! ^= 1; // inside object 2's data
  writeFileSync(image, bytes);
  const r = spawnCli(['verify-attestation', '-q', '--key', pub, att, image]);
  t.equal(r.code, 10);
  t.equal(r.stderr, 'sif: the image does not match the attestation: img.sif (mismatched), img.sif#object=2 (mismatched)\n');
  const json = JSON.parse((await runCli(['verify-attestation', '-q', '--json', '--key', pub, att, image])).stdout.toString()) as { verified: boolean; subjects: { status: string }[] };
  t.same([json.verified, json.subjects.map((s) => s.status)], [false, ['mismatched', 'matched', 'mismatched', 'matched']]);
  const subset = join(dir, 'only-1.sif');
  writeFileSync(subset, readFileSync(join(GO_IMAGES, 'one-group-signed.sif')));
  const predicate = join(dir, 'p.json');
  writeFileSync(predicate, '{"note":"x"}');
  const renamed = await runCli(['attest', '-q', '--key', priv, '--name', 'other.sif', '--predicate-type', 'https://example.invalid/p', '--predicate', predicate, subset]);
  writeFileSync(att, renamed.stdout);
  const ok = await runCli(['verify-attestation', '-q', '--json', '--key', pub, att, subset]);
  t.match(JSON.parse(ok.stdout.toString()), { verified: true, predicateType: 'https://example.invalid/p' }, 'names are not compared, digests are');
});

whenAvailable(t, "X.509: a bundle with model_signing's test chain, verified with its root", noFixtures, async (t) => {
  const dir = t.testdir();
  const image = copyImage(dir, 'img.sif', join(GO_IMAGES, 'one-group.sif'));
  const keys = join(MT, 'keys/certificate');
  const chain = join(dir, 'chain.pem');
  writeFileSync(chain, Buffer.concat([readFileSync(join(keys, 'signing-key-cert.pem')), readFileSync(join(keys, 'int-ca-cert.pem'))]));
  const made = await runCli(['attest', '-q', '--key', join(keys, 'signing-key.pem'), '--certificate', chain, image]);
  t.equal(made.code, 0, made.stderr);
  t.match(JSON.parse(made.stdout.toString()), { verificationMaterial: { x509CertificateChain: { certificates: [{}, {}] } } });
  const att = join(dir, 'att.json');
  writeFileSync(att, made.stdout);
  const r = await runCli(['verify-attestation', '-q', '--certificate-roots', join(keys, 'ca-cert.pem'), att, image]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout.toString(), /signed by CN=intermediate-ca \(certificate/);
  t.equal((await runCli(['verify-attestation', '-q', '--certificate-roots', join(keys, 'int-ca-cert.pem'), '--certificate', join(keys, 'signing-key-cert.pem'), att, image])).code, 0, 'the leaf given, the intermediate as root');
  const given = ['--certificate', join(keys, 'signing-key-cert.pem'), '--certificate-intermediates', join(keys, 'int-ca-cert.pem'), '--certificate-roots', join(keys, 'ca-cert.pem')];
  const bare = join(dir, 'bare.json');
  writeFileSync(bare, JSON.stringify((JSON.parse(made.stdout.toString()) as { dsseEnvelope: unknown }).dsseEnvelope));
  t.equal((await runCli(['verify-attestation', '-q', ...given, bare, image])).code, 0, 'a bare envelope, the chain given');
  const untrusted = await runCli(['verify-attestation', '-q', '--certificate-roots', join(GO_SIF_CERTS, 'root.pem'), att, image]);
  t.same([untrusted.code, untrusted.stderr], [13, 'sif: x509: certificate signed by unknown authority\n']);
  const mismatch = await runCli(['attest', '-q', '--key', join(keys, 'signing-key.pem'), '--certificate', join(keys, 'int-ca-cert.pem'), image]);
  t.same([mismatch.code, mismatch.stdout.length], [6, 0]);
  t.match(mismatch.stderr, /int-ca-cert.pem: the certificate is not for the key/);
});

const GO_SIF_CERTS = join(FIXTURES, 'apptainer/certs');

whenAvailable(t, 'keyless: the model_signing bundles verify offline; a wrong identity or issuer fails', noFixtures, async (t) => {
  const root = join(MT, 'sigstore-trusted-root.json');
  // A real bin/sif: the bundled CLI loads @sigstore/* from node_modules (scripts/build-cli.mjs).
  const run = async (identity: string, issuer: string) =>
    spawnCli(['verify-attestation', '-q', '--trusted-root', root, '--identity', identity, '--identity-provider', issuer, join(MT, 'v1.1.0-sigstore/model.sig'), join(MT, 'v1.1.0-sigstore/signme-1')]);
  // The signature holds; the model signed is the directory, so one of its files is not it.
  const good = await run('stefanb@us.ibm.com', 'https://sigstore.verify.ibm.com/oauth2');
  t.same([good.code, good.stderr], [10, 'sif: the model does not match the signature: 2 missing, 1 extra (first: missing "signme-1")\n']);
  const identity = await run('mallory@example.com', 'https://sigstore.verify.ibm.com/oauth2');
  t.equal(identity.code, 12);
  t.match(identity.stderr, /^sif: keyless verification failed: .*mallory@example.com/);
  const issuer = await runCli(['verify-attestation', '-q', '--trusted-root', root, '--identity', 'stefanb@us.ibm.com', '--identity-provider', 'https://accounts.google.com', join(MT, 'v1.1.0-sigstore/model.sig'), join(MT, 'v1.1.0-sigstore/signme-1')]);
  t.same([issuer.code, issuer.stdout.length], [12, 0], 'another issuer (in-process)');
});

t.test('an encrypted key; a statement naming some objects: the others are extra', async (t) => {
  const dir = t.testdir({ 'pass.txt': 'pw\n' });
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const priv = join(dir, 'enc.pem');
  const pub = join(dir, 'k.pub');
  writeFileSync(priv, pair.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }));
  writeFileSync(pub, pair.publicKey.export({ type: 'spki', format: 'pem' }));
  const image = join(GO_IMAGES, 'one-group.sif');
  const made = await runCli(['attest', '-q', '--key', priv, '--passphrase-file', join(dir, 'pass.txt'), '--format', 'dsse', image]);
  t.equal(made.code, 0, made.stderr);
  const full = JSON.parse(Buffer.from(envelopeOf(made.stdout.toString()).payload, 'base64').toString()) as Statement;
  const partial = join(dir, 'partial.json');
  writeFileSync(partial, await signStatement({ ...full, subject: [full.subject[1]!] }, { privateKey: pair.privateKey, keyId: '', path: priv }, { format: 'dsse' }));
  const r = await runCli(['verify-attestation', '-q', '--key', pub, partial, image]);
  t.equal(r.code, 10);
  t.match(r.stdout.toString(), /^extra {7}one-group\.sif#object=2 {2}\(named by no subject\)$/m);
  t.equal(r.stderr, 'sif: the image does not match the attestation: one-group.sif#object=2 (extra)\n');
});

t.test('hostile inputs and wrong usage: one line, a documented exit code, nothing on stdout', async (t) => {
  const dir = t.testdir({ 'junk.json': '{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}', 'list.json': '[1]', 'root.json': '{' });
  const { priv, pub } = writeKeys(dir, 'k', generateKeyPairSync('ed25519'));
  const image = join(GO_IMAGES, 'one-group.sif');
  const junk = join(dir, 'junk.json');
  const huge = join(dir, 'huge.json');
  writeFileSync(huge, '');
  truncateSync(huge, 17 << 20);
  const cases: [string, string[], number, RegExp][] = [
    ['an attestation over 16 MiB', ['verify-attestation', '--key', pub, huge, image], 10, /huge.json: over the 16777216-byte limit/],
    ['no such attestation', ['verify-attestation', '--key', pub, join(dir, 'none.json'), image], 3, /^sif: open .*none.json: no such file or directory\n$/],
    ['no dsseEnvelope', ['verify-attestation', '--key', pub, junk, image], 10, /no dsseEnvelope/],
    ['not an object', ['verify-attestation', '--key', pub, join(dir, 'list.json'), image], 10, /not a JSON object/],
    ['key and trusted root', ['verify-attestation', '--key', pub, '--trusted-root', junk, junk, image], 2, /--key and --trusted-root cannot be combined/],
    ['identity without a root', ['verify-attestation', '--identity', 'x', junk, image], 2, /--identity and --identity-provider need --trusted-root/],
    ['root without identity', ['verify-attestation', '--trusted-root', junk, junk, image], 2, /--trusted-root needs --identity and --identity-provider/],
    ['no such trusted root', ['verify-attestation', '--trusted-root', join(dir, 'none.json'), '--identity', 'a', '--identity-provider', 'b', junk, image], 3, /no such file or directory/],
    ['root not JSON', ['verify-attestation', '--trusted-root', join(dir, 'root.json'), '--identity', 'a', '--identity-provider', 'b', junk, image], 2, /trusted root .*root.json: not JSON/],
    ['a public key to sign with', ['attest', '--key', pub, image], 6, /signing needs a private key/],
    ['certificate in a bare envelope', ['attest', '--key', priv, '--format', 'dsse', '--certificate', pub, image], 2, /--certificate needs --format bundle/],
    ['predicate without its type', ['attest', '--key', priv, '--predicate', junk, image], 2, /--predicate needs --predicate-type/],
    ['empty name', ['attest', '--key', priv, '--name', '', image], 2, /--name must not be empty/],
    ['not an image', ['attest', '-q', '--key', priv, pub], 4, /^sif: reading global header: unexpected EOF/],
  ];
  for (const [name, args, code, message] of cases) {
    const r = await runCli(args);
    t.same([r.code, r.stdout.length], [code, 0], name);
    t.match(r.stderr, message, name);
    t.equal(r.stderr.split('\n').length, 2, `${name}: one line`);
  }
});

/**
 * What `model_signing verify key` checks (sign_ec_key.Verifier, signing.py
 * v1.1.0), in Debian's python3-cryptography: the media type, the key hint,
 * the signature over the PAE with the curve's hash, then the statement: its
 * type, predicate type, one subject whose digest is the root digest of the
 * resources, and, given the file, the file re-hashed as the model's one resource.
 */
const MODEL_SIGNING_VERIFY = `
import base64, hashlib, json, sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
bundle = json.load(open(sys.argv[1]))
key = serialization.load_pem_public_key(open(sys.argv[2], 'rb').read())
assert bundle['mediaType'] == 'application/vnd.dev.sigstore.bundle.v0.3+json', 'media type'
pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
assert bundle['verificationMaterial']['publicKey']['hint'] == hashlib.sha256(pem).hexdigest(), 'hint'
envelope = bundle['dsseEnvelope']
payload, ptype = base64.b64decode(envelope['payload']), envelope['payloadType'].encode()
pae = b'DSSEv1 %d %s %d %s' % (len(ptype), ptype, len(payload), payload)
digest = {256: hashes.SHA256(), 384: hashes.SHA384(), 521: hashes.SHA512()}[key.curve.key_size]
key.verify(base64.b64decode(envelope['signatures'][0]['sig']), pae, ec.ECDSA(digest))
statement = json.loads(payload)
assert statement['_type'] == 'https://in-toto.io/Statement/v1', '_type'
assert statement['predicateType'] == 'https://model_signing/signature/v1.0', 'predicateType'
assert len(statement['subject']) == 1, 'one subject'
resources = statement['predicate']['resources']
root = hashlib.sha256(b''.join(bytes.fromhex(r['digest']) for r in resources)).hexdigest()
assert statement['subject'][0]['digest']['sha256'] == root, 'root digest'
if len(sys.argv) > 3:
    assert resources == [{'name': '.', 'algorithm': 'sha256', 'digest': hashlib.sha256(open(sys.argv[3], 'rb').read()).hexdigest()}], 're-hash'
print('ok')
`;
const modelSigningVerifies = (args: string[]) => runTool('/usr/bin/python3', ['-c', MODEL_SIGNING_VERIFY, ...args]);

/** Object keys, nested, in order: the structure without the values. */
const shapeOf = (v: unknown): unknown =>
  Array.isArray(v) ? v.slice(0, 1).map(shapeOf) : typeof v === 'object' && v !== null ? Object.entries(v).map(([k, x]) => [k, shapeOf(x)]) : typeof v;

withReference(t, 'attest --format model-signing: what model_signing verify key checks, @sigstore/verify, and sif', ['go-sif', 'shared'], async (t) => {
  const dir = t.testdir();
  const image = copyImage(dir, 'img.sif', join(GO_IMAGES, 'one-group.sif'));
  const fixture = join(MT, 'v1.1.0-elliptic-key/model.sig');
  t.equal(modelSigningVerifies([fixture, join(MT, 'keys/certificate/signing-key-pub.pem')]).stdout.toString(), 'ok\n', 'the script accepts model_signing v1.1.0 itself');
  for (const curve of ['P-256', 'P-384', 'P-521']) {
    const pair = generateKeyPairSync('ec', { namedCurve: curve });
    const { priv, pub } = writeKeys(dir, curve, pair);
    const made = spawnCli(['attest', '-q', '--format', 'model-signing', '--key', priv, image]);
    t.equal(made.code, 0, `${curve}: ${made.stderr}`);
    const sig = join(dir, 'img.sif.sig');
    writeFileSync(sig, made.stdout);
    const py = modelSigningVerifies([sig, pub, image]);
    t.equal(py.stdout.toString(), 'ok\n', `${curve}: model_signing's checks hold: ${py.stderr}`);
    const ours = JSON.parse(made.stdout.toString()) as { dsseEnvelope: Envelope };
    const theirs = JSON.parse(readFileSync(fixture, 'utf8')) as { dsseEnvelope: Envelope };
    t.same(shapeOf(ours), shapeOf(theirs), `${curve}: the bundle's keys and order are v1.1.0's`);
    t.equal(ours.dsseEnvelope.signatures[0]!.keyid, '', 'keyid "", as model_signing writes');
    const statementOf = (e: Envelope) => JSON.parse(Buffer.from(e.payload, 'base64').toString()) as Statement;
    t.same(Object.keys(statementOf(ours.dsseEnvelope)), Object.keys(statementOf(theirs.dsseEnvelope)), 'the statement keys in order');
    t.match(Buffer.from(ours.dsseEnvelope.payload, 'base64').toString(), /^\{\n {2}"_type": /, "protobuf's indented JSON");
    t.match(statementOf(ours.dsseEnvelope), { subject: [{ name: 'img.sif' }], predicate: { serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false } } });
    if (curve === 'P-256') t.ok(await sigstoreVerifies(made.stdout.toString(), pair.publicKey), '@sigstore/verify accepts it');
    const checked = spawnCli(['verify-attestation', '-q', '--key', pub, sig, image]);
    t.equal(checked.code, 0, `${curve}: sif verify-attestation: ${checked.stderr}`);
    t.match(checked.stdout.toString(), /^model 'img\.sif': 1 of 1 resources matched \(files, sha256\)$/m);
  }
  const bytes = readFileSync(image);
  bytes[bytes.length - 1]! ^= 1;
  writeFileSync(image, bytes);
  const changed = spawnCli(['verify-attestation', '-q', '--key', join(dir, 'P-521.pub'), join(dir, 'img.sif.sig'), image]);
  t.same([changed.code, changed.stderr], [10, 'sif: the model does not match the signature: 1 mismatched (first: mismatched ".")\n'], 'a changed byte of the image');
});

withReference(t, "attest --format model-signing --certificate: an x509CertificateChain, as model_signing's certificate flow writes", ['go-sif', 'shared'], async (t) => {
  const dir = t.testdir();
  const image = join(GO_IMAGES, 'one-group.sif');
  const keys = join(MT, 'keys/certificate');
  const leaf = join(keys, 'signing-key-cert.pem');
  const made = await runCli(['attest', '-q', '-f', 'model-signing', '--key', join(keys, 'signing-key.pem'), '--certificate', leaf, image]);
  t.equal(made.code, 0, made.stderr);
  const bundle = JSON.parse(made.stdout.toString()) as { verificationMaterial: unknown };
  t.same(shapeOf(bundle), shapeOf(JSON.parse(readFileSync(join(MT, 'v1.1.0-certificate/model.sig'), 'utf8'))), "v1.1.0's certificate bundle shape, even for one certificate");
  const sig = join(dir, 'one-group.sif.sig');
  writeFileSync(sig, made.stdout);
  const trust = ['--certificate-roots', join(keys, 'ca-cert.pem'), '--certificate-intermediates', join(keys, 'int-ca-cert.pem')];
  const r = await runCli(['verify-attestation', '-q', ...trust, sig, image]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout.toString(), /^model 'one-group\.sif': 1 of 1 resources matched \(files, sha256\)$/m);
  const other = await runCli(['verify-attestation', '-q', '--json', ...trust, sig, join(GO_IMAGES, 'two-groups.sif')]);
  t.same([other.code, other.stderr], [10, 'sif: the model does not match the signature: 1 mismatched (first: mismatched ".")\n'], 'another image');
  t.match(JSON.parse(other.stdout.toString()), {
    verified: false,
    subjects: [{ name: '.', status: 'mismatched' }],
    extra: [],
    model: { ok: false, modelName: 'one-group.sif', resources: [{ name: '.', verdict: 'mismatched' }] },
  });
  const predicate = await runCli(['attest', '-q', '-f', 'model-signing', '--key', join(keys, 'signing-key.pem'), '--predicate-type', 'x', image]);
  t.same([predicate.code, predicate.stdout.length], [2, 0]);
  t.match(predicate.stderr, /^sif: --predicate-type and --predicate do not apply to --format model-signing/);
  const notImage = await runCli(['attest', '-q', '-f', 'model-signing', '--key', join(keys, 'signing-key.pem'), leaf]);
  t.same([notImage.code, notImage.stdout.length], [4, 0], 'a file that is not an image');
  for (const [type, generate] of KEY_TYPES.filter(([type]) => type === 'ed25519' || type === 'rsa')) {
    const { priv } = writeKeys(dir, type, generate());
    const r = await runCli(['attest', '-q', '-f', 'model-signing', '--key', priv, image]);
    t.same([r.code, r.stdout.length], [6, 0], `${type}: model_signing has no such key flow`);
    t.match(r.stderr, new RegExp(`^sif: .*${type}.pem: model_signing verifies ECDSA P-256, P-384 and P-521 keys only, not ${type}\n$`));
  }
});

t.test('a model signed in shards, a model directory: sif verify-attestation reports in shards', async (t) => {
  const dir = t.testdir({ model: { 'weights.bin': 'x'.repeat(20), 'config.json': '{}' } });
  const model = join(dir, 'model');
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const { pub } = writeKeys(dir, 'k', pair);
  const statement = await buildModelStatement(model, { method: 'shards', shardSize: 8 });
  const sig = join(dir, 'model.sig');
  writeFileSync(sig, await signPayload(Buffer.from(JSON.stringify(statement, null, 2)), { privateKey: pair.privateKey, keyId: '', path: 'k' }, { format: 'bundle', dialect: 'model-signing' }));
  const r = await runCli(['verify-attestation', '-q', '--key', pub, sig, model]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout.toString(), /^model 'model': 4 of 4 resources matched \(shards of 8 bytes, sha256\)$/m);
  writeFileSync(join(model, 'weights.bin'), `${'x'.repeat(19)}y`);
  const changed = await runCli(['verify-attestation', '-q', '--key', pub, sig, model]);
  t.same([changed.code, changed.stderr], [10, 'sif: the model does not match the signature: 1 mismatched (first: mismatched "weights.bin:16:20")\n']);
  t.match(changed.stdout.toString(), /^hash mismatch for 'weights\.bin:16:20': expected sha256-sharded-8:/m);
});

t.test('a signed model_signing statement model_signing would refuse: one line, exit 10', async (t) => {
  const dir = t.testdir();
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { pub } = writeKeys(dir, 'k', pair);
  const subject = (name: string) => ({ name, digest: { sha256: '0'.repeat(64) } });
  const bad = { _type: 'https://in-toto.io/Statement/v1', subject: [subject('a'), subject('b')], predicateType: 'https://model_signing/signature/v1.0', predicate: {} };
  const sig = join(dir, 'bad.sig');
  writeFileSync(sig, await signStatement(bad, { privateKey: pair.privateKey, keyId: '', path: 'k' }, { format: 'bundle' }));
  const r = await runCli(['verify-attestation', '-q', '--key', pub, sig, dir]);
  t.same([r.code, r.stdout.length, r.stderr], [10, 0, 'sif: model_signing statement: 2 subjects: a model_signing statement has exactly one\n']);
});
