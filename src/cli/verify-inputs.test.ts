import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { FIXTURES, GO_IMAGES, GO_SIF, withReference } from '../test-support/reference.js';
import { copyImage, runCli } from '../test-support/cli.js';
import { oracleBatch, verdictKind } from '../test-support/verdict.js';
import { signImage } from '../integrity/sign.js';

const GO_KEY = join(GO_SIF, 'test/keys/private.asc');
const SIGNED = join(GO_IMAGES, 'two-groups-signed.sif');

withReference(t, 'verify: bad inputs fail in one line with their exit code', ['go-sif', 'shared'], async (t) => {
  const dir = t.testdir({ 'garbage.asc': 'garbage\n', keys: {} });
  const cases: [args: string[], code: number, stderr: RegExp][] = [
    [['--keyring', join(dir, 'missing.asc'), SIGNED], 3, /^sif: open .*missing\.asc: no such file or directory$/],
    [['--keyring', join(dir, 'garbage.asc'), SIGNED], 6, /garbage\.asc: not a valid OpenPGP keyring: not an OpenPGP packet at byte 0 \(0x67\)/],
    [['--global-keyring', join(dir, 'missing.asc'), SIGNED], 3, /no such file or directory$/],
    [['--keyring', GO_KEY, join(GO_IMAGES, 'two-groups.sif')], 11, /^sif: signature not found for object group 1$/],
    [['--keyring', GO_KEY, '--group-id', '5', SIGNED], 5, /^sif: group not found$/],
    [['--keyring', GO_KEY, '--group-id', '0', SIGNED], 5, /^sif: invalid group ID$/],
    [['--keyring', GO_KEY, '--sif-id', '9', SIGNED], 5, /^sif: object not found$/],
    [['--keyring', GO_KEY, '--sif-id', '0', SIGNED], 5, /^sif: invalid object ID$/],
    [['--keyring', GO_KEY, '--sif-id', 'two', SIGNED], 2, /^sif: while converting object ID: /],
    [['--keyring', GO_KEY, join(GO_IMAGES, 'empty.sif')], 5, /^sif: no groups found$/],
    [['--keyring', GO_KEY, '--legacy-insecure', join(GO_IMAGES, 'one-object-generic-json.sif')], 5, /^sif: object not found$/],
    [['--keyring', GO_KEY, join(GO_IMAGES, 'one-group-signed-legacy.sif')], 11, /^sif: signature not found for object group 1$/],
    [[SIGNED], 13, /^sif: signature object 4 not valid: signed by unknown key ID A20C27EE7FF7BA84 /],
    [['--keyring', GO_KEY, join(dir, 'missing.sif')], 3, /no such file or directory$/],
  ];
  for (const [args, code, stderr] of cases) {
    const r = await runCli(['verify', '--keysdir', join(dir, 'keys'), ...args]);
    t.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    t.match(r.stderr.trimEnd(), stderr);
    t.equal(r.stderr.split('\n').length, 2, 'one line');
  }
});

withReference(t, 'verify: keys from the keysdir, the environment and the global keyring', ['go-sif', 'shared'], async (t) => {
  const dir = t.testdir({ keys: {} });
  const key = await openpgp.readKey({ armoredKey: readFileSync(GO_KEY, 'utf8') });
  writeFileSync(join(dir, 'keys/pgp-public'), key.toPublic().write());
  writeFileSync(join(dir, 'global'), key.toPublic().write());
  const local = /^\[LOCAL\] {12}Signing entity: Unit Test <unit@test\.com>\n/;
  const global = /^\[GLOBAL\] {11}Signing entity: Unit Test <unit@test\.com>\n/;
  const runs: [string[], NodeJS.ProcessEnv, RegExp][] = [
    [['--keysdir', join(dir, 'keys')], {}, local],
    [[], { SIF_KEYSDIR: join(dir, 'keys') }, local],
    [[], { APPTAINER_KEYSDIR: join(dir, 'keys') }, local],
    [['--global-keyring', join(dir, 'global')], { SIF_KEYSDIR: dir }, global],
    [[], { SIF_GLOBAL_KEYRING: join(dir, 'global'), SIF_KEYSDIR: join(dir, 'keys') }, global],
  ];
  for (const [args, env, out] of runs) {
    const r = await runCli(['verify', ...args, SIGNED], env);
    t.equal(r.code, 0, `${args.join(' ')} ${JSON.stringify(env)}: ${r.stderr}`);
    t.match(r.stdout.toString(), out);
  }
  const json = await runCli(['verify', '--json', SIGNED], { SIF_GLOBAL_KEYRING: join(dir, 'global'), SIF_KEYSDIR: join(dir, 'keys') });
  const doc = JSON.parse(json.stdout.toString()) as { SignerKeys: { Signer: { KeyLocal: boolean } }[] };
  t.ok(doc.SignerKeys.every((k) => k.Signer.KeyLocal), 'KeyLocal: the key is also in the local keyring');
});

withReference(t, 'verify: expired and revoked keys fail, as in the reference', ['go', 'go-sif'], async (t) => {
  const dir = t.testdir();
  const past = new Date('2020-01-01T00:00:00Z');
  const expiring = await openpgp.generateKey({ type: 'ecc', userIDs: [{ name: 'Expired', email: 'e@example.com' }], date: past, keyExpirationTime: 3600, format: 'object' });
  const expiredImage = copyImage(dir, 'expired.sif');
  await signImage(expiredImage, { key: expiring.privateKey, date: new Date(past.getTime() + 60_000) });
  const revocable = await openpgp.generateKey({ type: 'ecc', userIDs: [{ name: 'Revoked', email: 'r@example.com' }], format: 'object' });
  const revokedImage = copyImage(dir, 'revoked.sif');
  await signImage(revokedImage, { key: revocable.privateKey });
  const { publicKey: revoked } = await openpgp.revokeKey({ key: revocable.privateKey, format: 'armored' });
  const keyFiles = { expired: join(dir, 'expired.asc'), revoked: join(dir, 'revoked.asc') };
  writeFileSync(keyFiles.expired, expiring.publicKey.armor());
  writeFileSync(keyFiles.revoked, revoked);
  const cases: [string, string, RegExp][] = [
    [expiredImage, keyFiles.expired, /^sif: signature object 4 not valid: .*expired/],
    [revokedImage, keyFiles.revoked, /^sif: signature object 4 not valid: .*revoked/],
  ];
  const refs = oracleBatch(dir, cases.map(([image, key]) => ['verify', '--keyring', key, image]));
  for (const [i, [image, key, stderr]] of cases.entries()) {
    const r = await runCli(['verify', '--keyring', key, '--keysdir', dir, image]);
    t.equal(r.code, 14, `key validity has its own exit code: ${r.stderr}`);
    t.match(r.stderr, stderr);
    t.match(r.stdout.toString(), /^\[LOCAL\] {12}Signing entity: (Expired|Revoked)/, 'the signer is known, so it is shown');
    t.equal(verdictKind(r.stderr), verdictKind(refs[i]!.error), `reference: ${refs[i]!.error}`);
  }
});

withReference(t, 'verify: a signature over part of a group fails default mode but passes for its object', ['go-sif', 'shared'], async (t) => {
  const dir = t.testdir();
  const image = copyImage(dir);
  const key = await openpgp.readPrivateKey({ armoredKey: readFileSync(GO_KEY, 'utf8') });
  await signImage(image, { key, objects: [1] });
  const r = await runCli(['verify', '--keyring', GO_KEY, '--keysdir', dir, image]);
  t.equal(r.code, 11);
  t.equal(r.stderr, 'sif: object 2: object not signed\n');
  t.match(r.stdout.toString(), /Error encountered during signature verification: object 2: object not signed\n$/);
  const one = await runCli(['verify', '--keyring', GO_KEY, '--keysdir', dir, '--sif-id', '1', image]);
  t.equal(one.code, 0, one.stderr);
  t.match(one.stdout.toString(), /\n1   \|1       \|NONE    \|FS\n$/);
  const apptainer = join(FIXTURES, 'apptainer/images/one-group-signed-pgp.sif');
  t.equal((await runCli(['verify', '--keyring', GO_KEY, '--keysdir', dir, apptainer])).code, 13);
});

withReference(t, 'a key file with a long note before its armor is read alike by verify and key import', ['go-sif'], async (t) => {
  // go-crypto's armor.Decode skips any lines before the BEGIN line; so does every sif reader (keys/armor.ts).
  const dir = t.testdir({ keys: {} });
  const noted = join(dir, 'noted.asc');
  writeFileSync(noted, Buffer.concat([Buffer.from(`${'This key signs our release images. '.repeat(20)}\n\n`), readFileSync(GO_KEY)]));
  t.ok(readFileSync(noted).indexOf('-----BEGIN') > 600, 'the note is longer than any fixed window');
  const verified = await runCli(['verify', '--keysdir', join(dir, 'keys'), '--keyring', noted, SIGNED]);
  t.equal(verified.code, 0, verified.stderr);
  const imported = await runCli(['key', 'import', '--keysdir', join(dir, 'keys'), noted]);
  t.equal(imported.code, 0, imported.stderr);
});
