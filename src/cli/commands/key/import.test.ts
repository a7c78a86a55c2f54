import t, { type Test } from 'tap';
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../test-support/cli.js';
import { goClearSign, goKeyring, goSignImage, snapshot, tempGpg } from '../../../test-support/keys.js';
import { GO_IMAGES, withReference } from '../../../test-support/reference.js';

const GPG_PASS = 'gpg generated passphrase';
const NEW_PASS = 'a brand new passphrase';

const fingerprints = async (keysDir: string, secret = false) => {
  const r = await runCli(['key', 'list', '--json', '--keysdir', keysDir, ...(secret ? ['--secret'] : [])]);
  return (JSON.parse(r.stdout.toString()) as { keys: { fingerprint: string; encrypted: boolean }[] }).keys;
};

withReference(t, 'gpg-generated keys imported with sif key import sign with the Go reference', ['go', 'go-sif', 'gpg'], async (t: Test) => {
  const dir = t.testdir({ pass: `${GPG_PASS}\n`, newpass: `${NEW_PASS}\n` });
  const gpg = tempGpg(t);
  const rsa = gpg.generate('RSA Signer (gpg) <rsa@example.com>', 'rsa3072', GPG_PASS);
  const ed = gpg.generate('Ed Signer <ed@example.com>', 'ed25519');
  const file = (name: string, bytes: Buffer) => (writeFileSync(join(dir, name), bytes), join(dir, name));
  const publicBinary = [gpg.run(['--export', rsa]), gpg.run(['--export', ed])];
  const inputs = {
    publicArmoredBlocks: file('pub.asc', Buffer.concat([gpg.run(['--armor', '--export', rsa]), gpg.run(['--armor', '--export', ed])])),
    secretArmored: file('sec.asc', gpg.run(['--armor', '--export-secret-keys', rsa, ed], { passphrase: GPG_PASS })),
    secretBinary: file('sec.bin', gpg.run(['--export-secret-keys', rsa, ed], { passphrase: GPG_PASS })),
  };

  t.test('public keys keep the exact bytes gpg exported, from concatenated armored blocks', async (t: Test) => {
    const keysDir = join(dir, 'public-only');
    const r = await runCli(['key', 'import', '--keysdir', keysDir, inputs.publicArmoredBlocks]);
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout.toString(), `Key with fingerprint ${rsa} successfully added to the public keyring\nKey with fingerprint ${ed} successfully added to the public keyring\n`);
    t.ok(readFileSync(join(keysDir, 'pgp-public')).equals(Buffer.concat(publicBinary)), 'pgp-public is gpg --export of both keys');
    t.same(goKeyring(join(keysDir, 'pgp-public')).keys.map((k) => k.fingerprint), [rsa, ed]);
  });

  for (const [name, input] of [['armored', inputs.secretArmored], ['binary', inputs.secretBinary]] as const) {
    t.test(`secret keys from a ${name} export go to both keyrings and sign with go-crypto and sif 2.8.3`, async (t: Test) => {
      const keysDir = join(dir, `secret-${name}`);
      const r = await runCli(['key', 'import', '--keysdir', keysDir, '--password-file', join(dir, 'pass'), input]);
      t.equal(r.code, 0, r.stderr);
      t.equal(r.stderr, `sif: warning: the private key ${ed} is stored without a passphrase\n`);
      t.match(r.stdout.toString(), `Key with fingerprint ${rsa} successfully added to the private keyring\nKey with fingerprint ${rsa} successfully added to the public keyring\n`);
      t.equal(statSync(join(keysDir, 'pgp-secret')).mode & 0o777, 0o600);
      const [pub, sec] = [join(keysDir, 'pgp-public'), join(keysDir, 'pgp-secret')];
      t.same((await fingerprints(keysDir, true)).map((k) => [k.fingerprint, k.encrypted]), [[rsa, true], [ed, false]], 'key list --secret indexes follow the file');
      t.same(goKeyring(sec, { passphrase: GPG_PASS }).keys.map((k) => [k.fingerprint, k.hasPrivate, k.decrypts]), [[rsa, true, true], [ed, true, true]]);
      for (const fp of [rsa, ed]) {
        t.equal(goClearSign(sec, pub, fp, GPG_PASS).signedBy, fp);
        const image = join(dir, `${name}-${fp}.sif`);
        copyFileSync(join(GO_IMAGES, 'one-group.sif'), image);
        t.equal(goSignImage(sec, pub, fp, image, GPG_PASS).verifiedBy, fp);
      }
    });
  }

  t.test('--new-password re-encrypts: go-crypto and gpg accept the new passphrase only', async (t: Test) => {
    const keysDir = join(dir, 'renewed');
    const r = await runCli(['key', 'import', '--keysdir', keysDir, '--password-file', join(dir, 'pass'), '--new-password-file', join(dir, 'newpass'), inputs.secretArmored]);
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stderr, '', 'both keys are now protected');
    const sec = join(keysDir, 'pgp-secret');
    t.same(goKeyring(sec, { passphrase: NEW_PASS }).keys.map((k) => [k.encrypted, k.decrypts]), [[true, true], [true, true]]);
    t.same(goKeyring(sec, { passphrase: GPG_PASS }).keys.map((k) => k.decrypts), [false, false]);
    t.equal(goClearSign(sec, join(keysDir, 'pgp-public'), ed, NEW_PASS).signedBy, ed);
    const exported = join(dir, 'renewed.asc');
    t.equal((await runCli(['key', 'export', '--keysdir', keysDir, '--secret', '--armor', '--fingerprint', rsa, exported])).code, 0);
    const other = tempGpg(t);
    other.run(['--import', exported]);
    t.match(other.run(['--local-user', rsa, '--clearsign'], { passphrase: NEW_PASS }).toString(), /BEGIN PGP SIGNATURE/, 'gpg signs with the new passphrase');

    const cleared = join(dir, 'cleared');
    const empty = await runCli(['key', 'import', '--keysdir', cleared, '--new-password', inputs.secretBinary], { SIF_PASSPHRASE: GPG_PASS, SIF_NEW_PASSPHRASE: '' });
    t.equal(empty.code, 0, empty.stderr);
    t.match(empty.stderr, `sif: warning: the private key ${rsa} is stored without a passphrase\n`);
    t.same(goKeyring(join(cleared, 'pgp-secret')).keys.map((k) => [k.encrypted, k.decrypts]), [[false, true], [false, true]]);
  });

  t.test('a wrong passphrase is one line, exit 6, and changes nothing', async (t: Test) => {
    const keysDir = join(dir, 'wrong');
    await runCli(['key', 'import', '--keysdir', keysDir, inputs.publicArmoredBlocks]);
    await runCli(['key', 'remove', '--keysdir', keysDir, rsa]);
    const before = snapshot(keysDir);
    for (const via of [{ env: { SIF_PASSPHRASE: 'not it' } }, { input: 'not it\n' }]) {
      const r = await runCli(['key', 'import', '--keysdir', keysDir, inputs.secretArmored], via.env ?? {}, via.input);
      t.equal(r.code, 6);
      t.equal(r.stderr, `sif: wrong passphrase for key ${rsa}\n`);
      t.equal(r.stdout.length, 0);
      t.same(snapshot(keysDir), before, 'keyrings unchanged');
    }
    const debug = await runCli(['key', 'import', '--keysdir', keysDir, inputs.secretArmored], { SIF_PASSPHRASE: 'not it', SIF_DEBUG: '1' });
    t.notMatch(debug.stderr, 'not it', 'not even the debug stack shows the passphrase');
  });

  t.test('a duplicate is refused with a clear message; a secret key whose public part is known is added', async (t: Test) => {
    const keysDir = join(dir, 'dupes');
    t.equal((await runCli(['key', 'import', '--keysdir', keysDir, inputs.publicArmoredBlocks])).code, 0);
    const before = snapshot(keysDir);
    const again = await runCli(['key', 'import', '--keysdir', keysDir, inputs.publicArmoredBlocks]);
    t.equal(again.code, 6);
    t.equal(again.stderr, `sif: the key with fingerprint ${rsa} already belongs to the keyring\n`);
    t.same(snapshot(keysDir), before);
    const secret = await runCli(['key', 'import', '--keysdir', keysDir, inputs.secretBinary], { SIF_PASSPHRASE: GPG_PASS });
    t.equal(secret.code, 0, secret.stderr);
    t.match(secret.stdout.toString(), `Key with fingerprint ${rsa} successfully added to the private keyring\nKey with fingerprint ${rsa} is already in the public keyring\n`);
    t.equal(readFileSync(join(keysDir, 'pgp-public')).toString('base64'), before['pgp-public']!.bytes, 'pgp-public untouched');
    const twice = await runCli(['key', 'import', '--keysdir', keysDir, inputs.secretBinary], { SIF_PASSPHRASE: GPG_PASS });
    t.equal(twice.code, 6);
    t.equal(twice.stderr, `sif: the key with fingerprint ${rsa} already belongs to the keyring\n`);
  });
});

t.test('bad key files fail with one line and leave the keyrings unchanged', async (t: Test) => {
  const dir = t.testdir({ garbage: 'this is not a key\n', empty: '', armorNoEnd: '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nabc\n' });
  const keysDir = join(dir, 'keys');
  await runCli(['key', 'newpair', '--keysdir', keysDir, '-N', 'Kept', '-E', 'kept@example.com', '--algorithm', 'ed25519', '--password', '']);
  const good = join(dir, 'good.pgp');
  await runCli(['key', 'export', '--keysdir', keysDir, '--keyidx', '0', good]);
  await runCli(['key', 'remove', '--keysdir', keysDir, '--both', (await fingerprints(keysDir))[0]!.fingerprint]);
  await runCli(['key', 'newpair', '--keysdir', keysDir, '-N', 'Other', '-E', 'other@example.com', '--algorithm', 'ed25519', '--password', '']);
  const bytes = readFileSync(good);
  writeFileSync(join(dir, 'truncated'), bytes.subarray(0, bytes.length - 7));
  writeFileSync(join(dir, 'twice'), Buffer.concat([bytes, bytes]));
  const before = snapshot(keysDir);
  const cases: [file: string, code: number, message: RegExp][] = [
    ['garbage', 6, /^sif: .*garbage: not a valid OpenPGP keyring: not an OpenPGP packet at byte 0 \(0x74\)\n$/],
    ['empty', 6, /^sif: .*empty: no OpenPGP keys found\n$/],
    ['armorNoEnd', 6, /^sif: .*armorNoEnd: not a valid OpenPGP key file: no complete armored key block\n$/],
    ['truncated', 6, /^sif: .*truncated: not a valid OpenPGP keyring: truncated packet at byte \d+ \(needs \d+ more bytes\)\n$/],
    ['twice', 6, /^sif: the key with fingerprint [0-9A-F]{40} appears twice in the file\n$/],
    ['missing', 3, /^sif: open .*missing: no such file or directory\n$/],
  ];
  for (const [file, code, message] of cases) {
    const r = await runCli(['key', 'import', '--keysdir', keysDir, join(dir, file)]);
    t.equal(r.code, code, file);
    t.match(r.stderr, message, file);
    t.same(snapshot(keysDir), before, `${file}: keyrings unchanged`);
  }
});

t.test('the global keyring takes public keys only', async (t: Test) => {
  const dir = t.testdir();
  const keysDir = join(dir, 'keys');
  const globalRing = join(dir, 'global-pgp-public');
  await runCli(['key', 'newpair', '--keysdir', keysDir, '-N', 'Global', '-E', 'global@example.com', '--algorithm', 'ed25519', '--password', '']);
  const [pub, sec] = [join(dir, 'pub.pgp'), join(dir, 'sec.pgp')];
  await runCli(['key', 'export', '--keysdir', keysDir, '--keyidx', '0', pub]);
  await runCli(['key', 'export', '--keysdir', keysDir, '--secret', '--keyidx', '0', sec]);
  const refused = await runCli(['key', 'import', '--global', sec], { SIF_GLOBAL_KEYRING: globalRing });
  t.equal(refused.code, 2);
  t.equal(refused.stderr, "sif: global keyring doesn't contain private keys: the file holds a private key; import its public key instead\n");
  const ok = await runCli(['key', 'import', '--global', '--global-keyring', globalRing, pub]);
  t.equal(ok.code, 0, ok.stderr);
  t.equal(statSync(globalRing).mode & 0o777, 0o644, 'world-readable, as Apptainer writes it');
  const listed = await runCli(['key', 'list', '--global'], { SIF_GLOBAL_KEYRING: globalRing });
  t.match(listed.stdout.toString(), `Public key listing (${globalRing}):\n\n0)  User:              Global () <global@example.com>\n`);
  for (const args of [['list', '--global', '--secret'], ['remove', '--global', '--secret', '0'.repeat(40)], ['export', '--global', '--secret', '--keyidx', '0', '-']]) {
    const r = await runCli(['key', ...args], { SIF_GLOBAL_KEYRING: globalRing });
    t.equal(r.code, 2, args.join(' '));
    t.equal(r.stderr, "sif: global keyring doesn't contain private keys\n");
  }
  const newpair = await runCli(['key', 'newpair', '--global', '-N', 'G', '-E', 'g@example.com', '--password', '']);
  t.equal(newpair.code, 2, 'newpair never writes the global keyring');
  t.match(newpair.stderr, /Unknown argument: global/);
  const both = await runCli(['key', 'list', '--global', '--keysdir', keysDir], { SIF_GLOBAL_KEYRING: globalRing });
  t.equal(both.code, 2);
  t.equal(both.stderr, 'sif: --keysdir and --global name different keyrings; pass one of them\n');
});
