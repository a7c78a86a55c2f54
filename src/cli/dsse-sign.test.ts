/**
 * `sif sign --key`: upstream's DSSE test images reproduced byte for byte,
 * every key type and PEM form checked by an independent implementation
 * (python3-cryptography), and bad key input refused with the image untouched.
 */
import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyImage, runCli } from '../test-support/cli.js';
import { missingPython, pythonCheck, signatureObjects } from '../test-support/dsse-check.js';
import { FIXTURES, whenAvailable, withReference } from '../test-support/reference.js';

const HEAD = join(FIXTURES, 'sylabs-sif-head');
const KEY = (name: string) => join(HEAD, 'keys', name);
const ED25519_ID = 'SHA256:x6l8ZblpSSXGaPMCzySedWg88BwIFcz8jlPb6el0mFs';
const RSA_ID = 'SHA256:BhCwr7qZulYcOMSl2Jt2DuYHxHNnN6th4NdMqR/PGa4';

withReference(t, "sign --key ed25519 --key rsa --deterministic reproduces upstream's *-signed-dsse.sif byte for byte", ['shared'], async (t) => {
  const dir = t.testdir();
  for (const name of ['one-group', 'two-groups']) {
    const image = copyImage(dir, `${name}.sif`, join(HEAD, 'images', `${name}.sif`));
    const r = await runCli(['sign', '-q', '--deterministic', '--key', KEY('ed25519-private.pem'), '--key', KEY('rsa-private.pem'), image]);
    t.equal(r.code, 0, r.stderr);
    t.ok(readFileSync(image).equals(readFileSync(join(HEAD, 'images', `${name}-signed-dsse.sif`))), name);
  }
  // Apptainer's copy is the same envelope as older upstream wrote it, with a trailing newline.
  const [ours] = await signatureObjects(join(dir, 'one-group.sif'));
  const [apptainer] = await signatureObjects(join(FIXTURES, 'apptainer/images/one-group-signed-dsse.sif'));
  t.same(apptainer, Buffer.concat([ours!, Buffer.from('\n')]));
});

/** Every PEM form of every key type, with its public key and the passphrase source it needs. */
function keyFiles(dir: string) {
  const out: { name: string; key: string; pub: string; env: NodeJS.ProcessEnv; input?: string }[] = [];
  const add = (name: string, pair: ReturnType<typeof generateKeyPairSync>, pem: string | Buffer, env: NodeJS.ProcessEnv = {}, input?: string) => {
    writeFileSync(join(dir, `${name}.pem`), pem);
    writeFileSync(join(dir, `${name}.pub`), pair.publicKey.export({ type: 'spki', format: 'pem' }));
    out.push({ name, key: join(dir, `${name}.pem`), pub: join(dir, `${name}.pub`), env, input });
  };
  const ed = generateKeyPairSync('ed25519');
  add('ed25519-pkcs8', ed, ed.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  add('p256-sec1', p256, p256.privateKey.export({ type: 'sec1', format: 'pem' }));
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  add('p384-pkcs8', p384, p384.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });
  add('p521-encrypted', p521, p521.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }), { SIF_PASSPHRASE: 'pw' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  add('rsa-pkcs1', rsa, rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }));
  add('rsa-legacy-encrypted', rsa, rsa.privateKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-128-cbc', passphrase: 'pw' }), { COSIGN_PASSWORD: 'pw' });
  add('rsa-encrypted-stdin', rsa, rsa.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }), {}, 'pw\n');
  return out;
}

whenAvailable(t, 'every key type and PEM form signs; our verify and python3-cryptography agree', missingPython(), async (t) => {
  const dir = t.testdir();
  for (const k of keyFiles(dir)) {
    const image = copyImage(dir, `${k.name}.sif`);
    const signed = await runCli(['sign', '-q', '--key', k.key, image], k.env, k.input);
    t.equal(signed.code, 0, `${k.name}: ${signed.stderr}`);
    const verified = await runCli(['verify', '--key', k.pub, image]);
    t.equal(verified.code, 0, `${k.name}: ${verified.stderr}`);
    const envelopes = await signatureObjects(image);
    t.equal(envelopes.length, 2, `${k.name}: one envelope per group`);
    for (const envelope of envelopes) {
      const py = pythonCheck(envelope, [k.pub]);
      t.equal(py.signatures.length, 1);
      t.same(py.signatures[0]!.verifiedBy, [py.signatures[0]!.keyid], `${k.name}: python verifies the signature, and the key ID is the key's`);
      t.match(py.payload, /^\{"version":1,"header":\{"digest":"sha256:/);
      t.notOk(envelope.toString().endsWith('\n'), 'no trailing newline');
    }
  }
});

whenAvailable(t, 'several --key: one envelope signed by each, in order', missingPython(), async (t) => {
  const dir = t.testdir();
  const image = copyImage(dir);
  const keys = ['ed25519', 'rsa', 'ecdsa'];
  t.equal((await runCli(['sign', '-q', ...keys.flatMap((k) => ['--key', KEY(`${k}-private.pem`)]), image])).code, 0);
  const py = pythonCheck((await signatureObjects(image))[0]!, keys.map((k) => KEY(`${k}-public.pem`)));
  t.same(py.signatures.map((s) => s.verifiedBy), [[ED25519_ID], [RSA_ID], ['SHA256:13cNV0A11AxgIQYCvlDmJlRi0CjRtjnYF47RzrMhlaU']]);
  for (const k of keys) t.equal((await runCli(['verify', '--key', KEY(`${k}-public.pem`), image])).code, 0, `${k} alone verifies`);
});

withReference(t, 'the environment names the key: SIF_SIGN_KEY, then APPTAINER_SIGN_KEY; --keyring keeps PGP', ['shared'], async (t) => {
  const dir = t.testdir();
  for (const env of [{ SIF_SIGN_KEY: KEY('ed25519-private.pem'), APPTAINER_SIGN_KEY: KEY('rsa-public.pem') }, { APPTAINER_SIGN_KEY: KEY('ed25519-private.pem') }]) {
    const image = copyImage(dir, 'env.sif', join(HEAD, 'images/one-group.sif'));
    t.equal((await runCli(['sign', '-q', image], env)).code, 0);
    const py = (await signatureObjects(image)).map((e) => JSON.parse(e.toString()) as { signatures: { keyid: string }[] });
    t.same(py.map((e) => e.signatures.map((s) => s.keyid)), [[ED25519_ID]]);
  }
  const image = copyImage(dir, 'pgp.sif', join(HEAD, 'images/one-group.sif'));
  const r = await runCli(['sign', '-q', '--keyring', KEY('private.asc'), image], { APPTAINER_SIGN_KEY: KEY('ed25519-private.pem') });
  t.equal(r.code, 0, r.stderr);
  t.match((await signatureObjects(image))[0]!.toString(), /^-----BEGIN PGP SIGNED MESSAGE-----/);
});

withReference(t, 'bad key input: one line, a documented exit code, the image byte-identical', ['shared'], async (t) => {
  const dir = t.testdir();
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const pkcs8 = readFileSync(KEY('ed25519-private.pem'), 'utf8');
  const encrypted = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'right' });
  const cases: [name: string, args: string[], env: NodeJS.ProcessEnv, code: number, message: RegExp][] = [
    ['garbage', ['--key', file('garbage.pem', 'not a key\n')], {}, 6, /garbage\.pem: PEM decoding failed: no PEM block found$/],
    ['truncated', ['--key', file('truncated.pem', pkcs8.slice(0, pkcs8.length - 30))], {}, 6, /no PEM block found$/],
    ['public key', ['--key', KEY('rsa-public.pem')], {}, 6, /holds a public key; signing needs a private key$/],
    ['wrong passphrase', ['--key', file('enc.pem', encrypted.toString())], { SIF_PASSPHRASE: 'wrong' }, 6, /enc\.pem: wrong passphrase$/],
    ['no passphrase', ['--key', join(dir, 'enc.pem')], {}, 2, /passphrase is needed: stdin ended/],
    ['missing file', ['--key', join(dir, 'missing.pem')], {}, 3, /missing\.pem: no such file or directory$/],
    ['with --keyring', ['--key', KEY('ed25519-private.pem'), '--keyring', KEY('private.asc')], {}, 2, /cannot be combined with --keyring/],
    ['a group that does not exist', ['--key', KEY('ed25519-private.pem'), '--group-id', '9'], {}, 5, /group not found$/],
  ];
  const image = copyImage(dir, 'img.sif', join(HEAD, 'images/one-group.sif'));
  const before = readFileSync(image);
  for (const [name, args, env, code, message] of cases) {
    const r = await runCli(['sign', '-q', ...args, image], env, '');
    t.equal(r.code, code, name);
    t.match(r.stderr.trimEnd(), message, name);
    t.equal(r.stderr.split('\n').length, 2, `${name}: one line`);
    t.ok(readFileSync(image).equals(before), `${name}: image unchanged`);
  }
});
