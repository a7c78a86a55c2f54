/**
 * `sif key search|pull|push|refresh` and remote key lookup in `verify` and
 * `bootstrap-check`, against a real keyserver: Debian's sks on loopback
 * (test-support/sks.ts), holding gpg-made keys — RSA with two user IDs,
 * Ed25519, revoked, expired. Pulled keys are checked by the Go reference
 * (go-crypto reads the keyring; sif 2.8.3 signs and verifies with it).
 */
import t, { type Test } from 'tap';
import { chmodSync, copyFileSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import * as openpgp from 'openpgp';
import { signImage } from '../integrity/sign.js';
import { join } from 'node:path';
import { runCli } from '../test-support/cli.js';
import { goKeyring, goSignImage, tempGpg, type Gpg } from '../test-support/keys.js';
import { GO_IMAGES, withReference } from '../test-support/reference.js';
import { startSks, type Sks } from '../test-support/sks.js';

interface Keys {
  bob: string;
  alice: string;
  carol: string;
  dave: string;
}

function makeKeys(gpg: Gpg): { fps: Keys; carolBeforeRevocation: Buffer; carolSecret: Buffer } {
  const bob = gpg.generate('Bob RSA <bob@example.org>', 'rsa3072');
  gpg.run(['--quick-add-uid', bob, 'Bob Second <bob2@example.net>'], { passphrase: '' });
  const alice = gpg.generate('Alice Tester (sif test) <alice@example.org>', 'ed25519');
  const carol = gpg.generate('Carol Revoked <carol@example.org>', 'ed25519');
  const carolBeforeRevocation = gpg.run(['--armor', '--export', carol]);
  const carolSecret = gpg.run(['--armor', '--export-secret-keys', carol], { passphrase: '' });
  const rev = readFileSync(join(gpg.home, 'openpgp-revocs.d', `${carol}.rev`), 'utf8').replace(/^:-----BEGIN/m, '-----BEGIN');
  const revFile = join(gpg.home, 'carol.rev');
  writeFileSync(revFile, rev);
  gpg.run(['--import', revFile]);
  gpg.run(['--faked-system-time', '20200101T000000!', '--quick-gen-key', 'Dave Expired <dave@example.org>', 'ed25519', 'sign', '2020-12-31'], { passphrase: '' });
  const dave = /^fpr:+([0-9A-F]{40}):/m.exec(gpg.run(['--with-colons', '--list-keys', 'dave@example.org']).toString())![1]!;
  return { fps: { bob, alice, carol, dave }, carolBeforeRevocation, carolSecret };
}

withReference(t, 'keyserver round trips against sks', ['sks', 'gpg', 'go', 'go-sif'], async (t: Test) => {
  const root = t.testdir({ home: {}, keys: {}, pulled: {}, other: {} });
  const gpg = tempGpg(t);
  const { fps, carolBeforeRevocation, carolSecret } = makeKeys(gpg);
  const sks: Sks = await startSks(t);
  const env = { HOME: join(root, 'home'), SIF_SYSTEM_REMOTE_YAML: join(root, 'no-remote.yaml'), TZ: 'UTC' };
  const keysdir = join(root, 'keys');
  const pubFile = (fp: string, name: string) => {
    const path = join(root, `${name}.pub.asc`);
    writeFileSync(path, gpg.run(['--armor', '--export', fp]));
    return path;
  };
  for (const [name, fp] of Object.entries(fps)) {
    const r = await runCli(['key', 'import', '--keysdir', keysdir, pubFile(fp, name)], env);
    t.equal(r.code, 0, `import ${name}: ${r.stderr}`);
  }

  t.test('push: each key reaches the server with Apptainer\'s message', async (t: Test) => {
    for (const fp of Object.values(fps)) {
      const r = await runCli(['key', 'push', '-u', sks.url, '--keysdir', keysdir, fp], env);
      t.equal(r.code, 0, r.stderr);
      t.equal(r.stdout.toString(), `public key \`${fp}' pushed to server successfully\n`);
      t.match(r.stderr, /^sif: keyserver response: <html>.*Key block added to key server database/s, 'the server\'s reply on stderr');
    }
    const byId = await runCli(['key', 'push', '-u', sks.url, '--keysdir', keysdir, fps.alice.slice(-16)], env);
    t.equal(byId.code, 0, 'a 16-digit key ID names the key too');
  });

  t.test('search: the table Apptainer prints for the same SKS reply', async (t: Test) => {
    const r = await runCli(['key', 'search', '-u', sks.url, 'example.org'], env);
    t.equal(r.code, 0, r.stderr);
    const text = r.stdout.toString();
    const listed = [
      { fp: fps.bob, bits: '3072', uids: ['Bob RSA <bob@example.org>', 'Bob Second <bob2@example.net>'] },
      { fp: fps.alice, bits: '256', uids: ['Alice Tester (sif test) <alice@example.org>'] },
      { fp: fps.carol, bits: '256', uids: ['Carol Revoked <carol@example.org>'] },
      { fp: fps.dave, bits: '256', uids: ['Dave Expired <dave@example.org>'] },
    ];
    // SKS lists keys in its own order; the first one shares the header's column block (a tabwriter quirk), the others do not.
    const first = listed.find((k) => text.split('\n')[3]!.startsWith(k.fp.slice(-8)))!;
    const firstBits = Math.max('BITS'.length, first.bits.length) + 2;
    const block = (k: (typeof listed)[number]) => {
      const [idWidth, bitsWidth] = k === first ? [10, firstBits] : [10, k.bits.length + 2];
      const [uid, ...more] = k.uids;
      return [k.fp.slice(-8).padEnd(idWidth) + k.bits.padEnd(bitsWidth) + uid, ...more.map((u) => ' '.repeat(idWidth + bitsWidth) + u)].join('\n') + '\n';
    };
    const expected = `Showing 4 results\n\n${'KEY ID'.padEnd(10)}${'BITS'.padEnd(firstBits)}NAME/EMAIL\n`;
    t.ok(text.startsWith(expected + block(first)), 'the header and the first key share column widths');
    for (const k of listed) t.ok(text.includes(block(k)), `${k.uids[0]}: its rows, a second user ID on a continuation row`);
    t.equal(text.split('\n\n').length, 5, 'a blank line between keys');
    const long = await runCli(['key', 'search', '-u', sks.url, '-l', fps.dave], env);
    t.equal(long.code, 0, long.stderr);
    t.match(long.stdout.toString(), `${fps.dave}  unknown    256   2020-01-01 00:00:00 +0000 UTC  2020-12-31`, 'EdDSA is "unknown"; UTC dates as Go prints them');
    const revoked = await runCli(['key', 'search', '-u', sks.url, '-l', fps.carol], env);
    t.match(revoked.stdout.toString(), '[revoked]');
    const none = await runCli(['key', 'search', '-u', sks.url, 'nobody-here'], env);
    t.same([none.code, none.stderr], [2, 'sif: search failed: no matching keys found for fingerprint\n']);
  });

  t.test('pull: one key into pgp-public, read by go-crypto; a second pull adds nothing', async (t: Test) => {
    const pulled = join(root, 'pulled');
    const r = await runCli(['key', 'pull', '-u', sks.url, '--keysdir', pulled, fps.bob], env);
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout.toString(), `1 key(s) added to keyring of trust ${join(pulled, 'pgp-public')}\n`);
    const again = await runCli(['key', 'pull', '-u', sks.url, '--keysdir', pulled, fps.bob.toLowerCase()], env);
    t.equal(again.stdout.toString(), `0 key(s) added to keyring of trust ${join(pulled, 'pgp-public')}\n`);
    const go = goKeyring(join(pulled, 'pgp-public'));
    t.same(go.keys.map((k) => k.fingerprint), [fps.bob], 'go-crypto reads the pulled keyring');
    t.same(go.keys[0]!.identities.length, 2, 'with both user IDs');
    const byId = await runCli(['key', 'pull', '-u', sks.url, '--keysdir', pulled, fps.alice.slice(-8)], env);
    t.equal(byId.code, 0, `an 8-digit key ID: ${byId.stderr}`);
    const missing = await runCli(['key', 'pull', '-u', sks.url, '--keysdir', pulled, '0'.repeat(40)], env);
    t.same([missing.code, missing.stderr], [2, 'sif: pull failed: unable to pull key from server: no matching keys found for fingerprint\n']);
    const bad = await runCli(['key', 'pull', '-u', sks.url, '--keysdir', pulled, `0x${fps.bob}`], env);
    t.same([bad.code, bad.stderr], [2, "sif: failed to decode fingerprint: encoding/hex: invalid byte: U+0078 'x'\n"]);
    const short = await runCli(['key', 'pull', '-u', sks.url, '--keysdir', pulled, fps.bob.slice(-16)], env);
    t.same([short.code, short.stderr], [2, 'sif: not a valid key length: only accepts 8, or 40 chars\n']);
  });

  t.test('a pulled key verifies what the Go reference signs with its secret key', async (t: Test) => {
    const secretDir = join(root, 'bob-secret');
    const secretFile = join(root, 'bob.sec.asc');
    writeFileSync(secretFile, gpg.run(['--armor', '--export-secret-keys', fps.bob], { passphrase: '' }));
    t.equal((await runCli(['key', 'import', '--keysdir', secretDir, secretFile], env)).code, 0);
    const image = join(root, 'bob.sif');
    copyFileSync(join(GO_IMAGES, 'one-group.sif'), image);
    const signed = goSignImage(join(secretDir, 'pgp-secret'), join(root, 'pulled', 'pgp-public'), fps.bob, image);
    t.equal(signed.verifiedBy, fps.bob, 'sif 2.8.3 verifies with the pulled key');

    t.test('verify: the key only the server has', async (t: Test) => {
      const empty = join(root, 'other');
      const base = ['verify', '--keysdir', empty, '--global-keyring', join(root, 'no-global')];
      writeFileSync(join(root, 'no-global'), '');
      const remote = await runCli([...base, '--url', sks.url, image], env);
      t.equal(remote.code, 0, remote.stderr);
      t.match(remote.stdout.toString(), /^\[REMOTE\] +Signing entity: Bob /m, 'the fetched key is labelled [REMOTE]');
      const local = await runCli([...base, '--local', image], { ...env, SIF_KEYSERVER: sks.url });
      t.equal(local.code, 13, '--local: unknown signer even with SIF_KEYSERVER set');
      const apptainerLocal = await runCli([...base, '--url', sks.url, image], { ...env, APPTAINER_LOCAL_VERIFY: 'true' });
      t.equal(apptainerLocal.code, 13, "Apptainer's APPTAINER_LOCAL_VERIFY=true turns the lookup off, --url or not");
      const offline = await runCli([...base, image], env);
      t.equal(offline.code, 13, 'no --url, no SIF_KEYSERVER: no lookup');
      const byEnv = await runCli([...base, image], { ...env, SIF_KEYSERVER: `hkp://127.0.0.1:${sks.port}` });
      t.equal(byEnv.code, 0, `SIF_KEYSERVER turns the lookup on: ${byEnv.stderr}`);
      const json = await runCli([...base, '--url', sks.url, '--json', image], env);
      t.match(JSON.parse(json.stdout.toString()), { SignerKeys: [{ Signer: { KeyLocal: false, KeyCheck: true } }] });
      const policy = await runCli([...base, '--url', sks.url, '--fingerprints', fps.bob, '--json', image], env);
      t.equal(policy.code, 0, policy.stderr);
      const doc = JSON.parse(policy.stdout.toString()) as { Results: { signer: { keyserver?: string } }[] };
      t.equal(doc.Results[0]!.signer.keyserver, `${sks.url}/`, 'Results name the keyserver');
      const wrong = await runCli([...base, '--url', sks.url, '--fingerprints', fps.alice, image], env);
      t.equal(wrong.code, 12, '--fingerprints turns a fetched key into an identity check');
      t.notOk(existsSync(join(empty, 'pgp-public')) && readFileSync(join(empty, 'pgp-public')).length > 0, 'fetched keys are not stored');
    });

    t.test('bootstrap-check: Fingerprints: with the key only the server has', async (t: Test) => {
      const def = join(root, 'app.def');
      writeFileSync(def, `Bootstrap: localimage\nFrom: ${image}\nFingerprints: ${fps.bob}\n`);
      const base = ['bootstrap-check', '--keysdir', join(root, 'other'), '--global-keyring', join(root, 'no-global')];
      const remote = await runCli([...base, '--url', sks.url, def], env);
      t.equal(remote.code, 0, remote.stderr);
      const local = await runCli([...base, '--local', def], { ...env, SIF_KEYSERVER: sks.url });
      t.not(local.code, 0, 'fails with --local');
    });
  });

  t.test('an expired key from the server fails verification', async (t: Test) => {
    // Signed in 2020, while Dave's key was valid: judged now, as Apptainer judges it, the key has expired.
    const dave = await openpgp.readPrivateKey({ armoredKey: gpg.run(['--armor', '--export-secret-keys', fps.dave], { passphrase: '' }).toString() });
    const image = join(root, 'dave.sif');
    copyFileSync(join(GO_IMAGES, 'one-group.sif'), image);
    chmodSync(image, 0o644);
    await signImage(image, { key: dave, date: new Date('2020-06-01T00:00:00Z') });
    writeFileSync(join(root, 'no-global'), '');
    const r = await runCli(['verify', '--keysdir', join(root, 'other'), '--global-keyring', join(root, 'no-global'), '--url', sks.url, image], env);
    t.equal(r.code, 14, r.stderr);
    t.match(r.stderr, /key expired/);
  });

  t.test('a revoked key from the server fails verification; refresh merges the revocation', async (t: Test) => {
    const secretFile = join(root, 'carol.sec.asc');
    writeFileSync(secretFile, carolSecret); // as exported before the revocation
    const image = join(root, 'carol.sif');
    copyFileSync(join(GO_IMAGES, 'one-group.sif'), image);
    const sign = await runCli(['sign', '--keyring', secretFile, '--quiet', image], env);
    t.equal(sign.code, 0, sign.stderr);
    writeFileSync(join(root, 'no-global'), '');
    const r = await runCli(['verify', '--keysdir', join(root, 'other'), '--global-keyring', join(root, 'no-global'), '--url', sks.url, image], env);
    t.equal(r.code, 14, `revoked: ${r.stderr}`);

    const stale = join(root, 'stale');
    const staleFile = join(root, 'carol-old.pub.asc');
    writeFileSync(staleFile, carolBeforeRevocation);
    t.equal((await runCli(['key', 'import', '--keysdir', stale, staleFile], env)).code, 0);
    const refresh = await runCli(['key', 'refresh', '-u', sks.url, '--keysdir', stale], env);
    t.equal(refresh.code, 0, refresh.stderr);
    t.match(refresh.stdout.toString(), `${fps.carol}: revocation\n1 key(s) updated in keyring of trust ${join(stale, 'pgp-public')}\n`);
    const list = await runCli(['key', 'list', '--keysdir', stale, '--json'], env);
    t.match(list.stdout.toString(), /revoked/i, 'the keyring now holds the revocation');
    const twice = await runCli(['key', 'refresh', '-u', sks.url, '--keysdir', stale], env);
    t.match(twice.stdout.toString(), `${fps.carol}: unchanged\n0 key(s) updated`);
  });
});
