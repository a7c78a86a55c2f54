import t from 'tap';
import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureCli, runCli } from '../../../test-support/cli.js';
import { goClearSign, goKeyring, goSignImage, tempGpg } from '../../../test-support/keys.js';
import { GO_IMAGES, withReference } from '../../../test-support/reference.js';

const PASS = 'correct horse battery staple';

/** Key list --json of a keys directory. */
async function listJson(keysDir: string, secret = false) {
  const r = await runCli(['key', 'list', '--json', '--keysdir', keysDir, ...(secret ? ['--secret'] : [])]);
  return JSON.parse(r.stdout.toString()) as { keys: { fingerprint: string; encrypted: boolean; algorithm: string; bits: number }[] };
}

withReference(t, 'keys from sif key newpair are read, used and verified by go-crypto, sif 2.8.3 and gpg', ['go', 'go-sif', 'gpg'], async (t) => {
  const dir = t.testdir({ pass: `${PASS}\n` });
  const keysDir = join(dir, 'keys');
  const cases = [
    { args: ['--algorithm', 'ed25519'], algorithm: 'eddsa', bits: 263 },
    { args: ['--algorithm', 'rsa3072'], algorithm: 'rsa', bits: 3072 },
    { args: [], algorithm: 'rsa', bits: 4096 }, // the default, as Apptainer
  ];
  for (const [i, c] of cases.entries()) {
    const r = await runCli(['key', 'newpair', '--keysdir', keysDir, '-N', `User ${i}`, '-E', `user${i}@example.com`, '-C', 'sif tests', '--password-file', join(dir, 'pass'), ...c.args]);
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stderr, '');
    t.match(r.stdout.toString(), /^Generating Entity and OpenPGP Key Pair\.\.\. done\nKey with fingerprint [0-9A-F]{40} added to /);
  }
  t.equal(statSync(keysDir).mode & 0o777, 0o700);
  for (const f of ['pgp-public', 'pgp-secret']) t.equal(statSync(join(keysDir, f)).mode & 0o777, 0o600, `${f} is 0600`);

  const ours = await listJson(keysDir, true);
  t.same(ours.keys.map((k) => [k.algorithm, k.bits, k.encrypted]), cases.map((c) => [c.algorithm, c.bits, true]));
  const pub = join(keysDir, 'pgp-public');
  const sec = join(keysDir, 'pgp-secret');
  const goPublic = goKeyring(pub);
  const goSecret = goKeyring(sec, { passphrase: PASS });
  t.same(goPublic.keys.map((k) => k.fingerprint), ours.keys.map((k) => k.fingerprint), 'go-crypto reads pgp-public');
  t.same(goSecret.keys.map((k) => [k.fingerprint, k.hasPrivate, k.encrypted, k.decrypts]), ours.keys.map((k) => [k.fingerprint, true, true, true]));
  t.same(goPublic.keys.map((k) => k.identities[0]!.id), ['User 0 (sif tests) <user0@example.com>', 'User 1 (sif tests) <user1@example.com>', 'User 2 (sif tests) <user2@example.com>']);

  for (const { fingerprint } of ours.keys) {
    t.equal(goClearSign(sec, pub, fingerprint, PASS).signedBy, fingerprint, 'go-crypto clear-signs and verifies');
    const image = join(dir, `signed-${fingerprint}.sif`);
    copyFileSync(join(GO_IMAGES, 'one-group.sif'), image);
    t.same(goSignImage(sec, pub, fingerprint, image, PASS), { signedBy: fingerprint, verifiedBy: fingerprint }, 'sif 2.8.3 signs and verifies an image');
  }

  const gpg = tempGpg(t);
  gpg.run(['--import', pub]);
  const listed = gpg.run(['--with-colons', '--list-keys']).toString();
  for (const { fingerprint } of ours.keys) t.match(listed, `fpr:::::::::${fingerprint}:`, 'gpg reads pgp-public');
  gpg.run(['--import', sec]);
  t.match(gpg.run(['--with-colons', '--list-secret-keys']).toString(), `fpr:::::::::${ours.keys[0]!.fingerprint}:`, 'gpg reads pgp-secret');
  const signed = gpg.run(['--local-user', ours.keys[0]!.fingerprint, '--clearsign'], { passphrase: PASS });
  t.match(signed.toString(), /BEGIN PGP SIGNATURE/, 'gpg signs with the imported key and its passphrase');
});

t.test('without a terminal a missing field is a clear one-line error and nothing is written', async (t) => {
  const dir = t.testdir();
  const keysDir = join(dir, 'keys');
  const cases: [args: string[], message: string][] = [
    [['-E', 'a@example.com', '--password', ''], 'sif: a name (--name) is required (no terminal to ask on; pass it as a flag)\n'],
    [['-N', 'A', '--password', ''], 'sif: an email address (--email) is required (no terminal to ask on; pass it as a flag)\n'],
    [['-N', ' ', '-E', 'a@example.com', '--password', ''], 'sif: a name (--name) is required\n'],
    [['-N', 'A', '-E', 'a@example.com'], 'sif: a passphrase is needed: stdin ended before one was given\n'],
    [['-N', 'A', '-E', 'not an address', '--password', ''], 'sif: invalid user ID: "not an address" is not an email address\n'],
    [['-N', 'A', '-E', 'a@example.com', '--password', '', '--bit-length', '2048'], 'sif: --bit-length 2048 is not supported: use 3072 or 4096 (or --algorithm ed25519)\n'],
    [['-N', 'A', '-E', 'a@example.com', '--password', '', '-b', '4096', '--algorithm', 'ed25519'], 'sif: pass either --algorithm or --bit-length, not both\n'],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(['key', 'newpair', '--keysdir', keysDir, ...args]);
    t.equal(r.code, 2, args.join(' '));
    t.match(r.stderr, message.startsWith('sif: invalid user ID') ? message : new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    t.notOk(existsSync(join(keysDir, 'pgp-secret')), 'no keyring written');
  }
  const bad = await runCli(['key', 'newpair', '--keysdir', keysDir, '--algorithm', 'dsa']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /Invalid values/);
});

t.test('passphrase sources: stdin line, $SIF_PASSPHRASE, and an empty one with a warning', async (t) => {
  const keysDir = join(t.testdir(), 'keys');
  const base = ['key', 'newpair', '--keysdir', keysDir, '-N', 'Piped', '-E', 'piped@example.com', '--algorithm', 'ed25519'];
  const piped = await runCli(base, {}, `${PASS}\n`);
  t.equal(piped.code, 0, piped.stderr);
  const env = await runCli([...base.slice(0, 4), '-N', 'Env', '-E', 'env@example.com', '--algorithm', 'ed25519'], { SIF_PASSPHRASE: PASS });
  t.equal(env.code, 0, env.stderr);
  const none = await runCli([...base.slice(0, 4), '-N', 'None', '-E', 'none@example.com', '--algorithm', 'ed25519', '--password', '']);
  t.equal(none.code, 0);
  t.equal(none.stderr, 'sif: warning: no passphrase set: anyone who can read the private keyring can sign as you\n');
  t.same((await listJson(keysDir, true)).keys.map((k) => k.encrypted), [true, true, false]);
  for (const r of [piped, env]) t.notMatch(r.stdout.toString() + r.stderr, PASS, 'the passphrase is never printed');
});

t.test('on a terminal the missing fields are asked for, the passphrase twice', async (t) => {
  const keysDir = join(t.testdir(), 'keys');
  const args = ['key', 'newpair', '--keysdir', keysDir, '--algorithm', 'ed25519'];
  const r = await captureCli(args, { tty: true, input: `Jane Doe\njane@example.com\ndev keys\n${PASS}\nmistyped\n${PASS}\n${PASS}\n` });
  t.equal(r.code, 0, r.stderr);
  // All input arrives at once; each hidden answer still gets its newline (the terminal echoes the visible ones).
  t.equal(
    r.stderr,
    'Enter your name (e.g., John Doe) : Enter your email address (e.g., john.doe@example.com) : Enter optional comment (e.g., development keys) : ' +
      'Enter a passphrase : \nRetype your passphrase : \nsif: warning: passphrases do not match\nEnter a passphrase : \nRetype your passphrase : \n',
  );
  t.notMatch(r.stderr, PASS, 'hidden answers are not echoed');
  const listing = await runCli(['key', 'list', '--keysdir', keysDir]);
  t.match(listing.stdout.toString(), /User:              Jane Doe \(dev keys\) <jane@example\.com>\n/);
  t.equal((await listJson(keysDir, true)).keys[0]!.encrypted, true);
  const tooMany = await captureCli(args, { tty: true, input: `J\nj@example.com\n\na\nb\na\nb\na\nb\n` });
  t.equal(tooMany.code, 2);
  t.match(tooMany.stderr, /sif: too many retries while getting a passphrase\n$/);
  t.equal((await listJson(keysDir)).keys.length, 1, 'the failed attempt wrote nothing');
});

t.test('a key added next to foreign keys leaves their bytes alone', async (t) => {
  const dir = t.testdir();
  const keysDir = join(dir, 'keys');
  await runCli(['key', 'newpair', '--keysdir', keysDir, '-N', 'First', '-E', 'first@example.com', '--algorithm', 'ed25519', '--password', '']);
  const before = { pub: readFileSync(join(keysDir, 'pgp-public')), sec: readFileSync(join(keysDir, 'pgp-secret')) };
  await runCli(['key', 'newpair', '--keysdir', keysDir, '-N', 'Second', '-E', 'second@example.com', '--algorithm', 'ed25519', '--password', '']);
  const after = { pub: readFileSync(join(keysDir, 'pgp-public')), sec: readFileSync(join(keysDir, 'pgp-secret')) };
  t.ok(after.pub.subarray(0, before.pub.length).equals(before.pub), 'pgp-public keeps its first key byte for byte');
  t.ok(after.sec.subarray(0, before.sec.length).equals(before.sec), 'pgp-secret keeps its first key byte for byte');
  writeFileSync(join(dir, 'unused'), '');
});
