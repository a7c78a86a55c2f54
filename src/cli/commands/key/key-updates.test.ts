/**
 * Updates of keys already held: `sif key import` merges new user IDs,
 * subkeys, expiry and revocations as gpg does (and Go then reads them), a
 * revoked key fails verification, a signature the key did not make is not
 * taken; `sif key remove` removes every copy of a key.
 */
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { copyImage, runCli } from '../../../test-support/cli.js';
import { goKeyring, snapshot, tempGpg } from '../../../test-support/keys.js';
import { oracle } from '../../../test-support/oracle.js';
import { withReference } from '../../../test-support/reference.js';

const newKey = async (name: string) =>
  (await openpgp.generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name, email: `${name.toLowerCase()}@example.com` }], format: 'object' })).privateKey;

withReference(t, 'import merges a new user ID, subkey and expiry made by gpg; Go and gpg read the merged key', ['go', 'go-sif', 'gpg'], async (t) => {
  const dir = t.testdir();
  const keysDir = join(dir, 'keys');
  const gpg = tempGpg(t);
  const fp = gpg.generate('Merge Me <merge@example.com>', 'ed25519');
  writeFileSync(join(dir, 'v1.sec'), gpg.run(['--export-secret-keys', fp]));
  t.equal((await runCli(['key', 'import', '--keysdir', keysDir, join(dir, 'v1.sec')])).code, 0);
  gpg.run(['--quick-add-uid', fp, 'Merge Two <two@example.com>'], { passphrase: '' });
  gpg.run(['--quick-add-key', fp, 'cv25519', 'encr', '1y'], { passphrase: '' });
  gpg.run(['--quick-set-expire', fp, '2y'], { passphrase: '' });
  writeFileSync(join(dir, 'v2.pgp'), gpg.run(['--export', fp]));

  const r = await runCli(['key', 'import', '--keysdir', keysDir, join(dir, 'v2.pgp')]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout.toString(), new RegExp(`^Key with fingerprint ${fp} updated in the private keyring: 1 user ID, \\d+ signatures\\n` + `Key with fingerprint ${fp} updated in the public keyring: 1 user ID, 1 subkey, \\d+ signatures\\n$`));
  for (const ring of ['pgp-public', 'pgp-secret']) {
    const [go] = goKeyring(join(keysDir, ring)).keys;
    t.same(go?.identities.map((i) => i.id).sort(), ['Merge Me <merge@example.com>', 'Merge Two <two@example.com>'], `Go reads both user IDs from ${ring}`);
  }
  const shown = tempGpg(t).run(['--with-colons', '--show-keys', join(keysDir, 'pgp-public')]).toString();
  const expected = gpg.run(['--with-colons', '--list-keys', fp]).toString();
  const records = (colons: string) => colons.split('\n').filter((l) => /^(pub|sub|uid):/.test(l)).map((l) => l.split(':').slice(3, 7).concat(l.split(':')[9]!).join(':'));
  t.same(records(shown), records(expected), 'gpg sees the keyring key as gpg holds it: user IDs, subkey and new expiry');

  const before = snapshot(keysDir);
  const again = await runCli(['key', 'import', '--keysdir', keysDir, join(dir, 'v2.pgp')]);
  t.same([again.code, again.stderr], [6, `sif: the key with fingerprint ${fp} already belongs to the keyring\n`], 'an update with nothing new is refused');
  t.same(snapshot(keysDir), before, 'and changes nothing');

  // A new subkey expiry replaces the subkey's binding signature rather than adding one.
  gpg.run(['--quick-set-expire', fp, '3y', '*'], { passphrase: '' });
  writeFileSync(join(dir, 'v3.pgp'), gpg.run(['--export', fp]));
  const renewed = await runCli(['key', 'import', '--keysdir', keysDir, join(dir, 'v3.pgp')]);
  t.equal(renewed.code, 0, renewed.stderr);
  t.equal(renewed.stdout.toString(), `Key with fingerprint ${fp} updated in the public keyring: newer self-signatures\n`, 'pgp-secret has no copy of the encryption subkey to renew');
  t.same(records(tempGpg(t).run(['--with-colons', '--show-keys', join(keysDir, 'pgp-public')]).toString()), records(gpg.run(['--with-colons', '--list-keys', fp]).toString()));
});

withReference(t, 'an imported revocation makes verification fail, in sif and in Go; a revocation by another key is not taken', ['go', 'go-sif'], async (t) => {
  const dir = t.testdir();
  const keysDir = join(dir, 'keys');
  const alice = await newKey('Alice');
  const A = alice.getFingerprint().toUpperCase();
  writeFileSync(join(dir, 'alice.sec'), alice.write());
  t.equal((await runCli(['key', 'import', '--keysdir', keysDir, join(dir, 'alice.sec')])).code, 0);
  const image = copyImage(dir);
  t.equal((await runCli(['sign', '--keysdir', keysDir, '--quiet', image])).code, 0);
  t.equal((await runCli(['verify', '--keysdir', keysDir, '--quiet', image])).code, 0);
  const bob = await newKey('Bob');
  const B = bob.getFingerprint().toUpperCase();
  const bobBytes = Buffer.from(bob.toPublic().write());
  writeFileSync(join(dir, 'bob.pgp'), bobBytes);
  t.equal((await runCli(['key', 'import', '--keysdir', keysDir, join(dir, 'bob.pgp')])).code, 0);

  // Mallory's revocation of his own key, spliced in after Alice's primary key: it does not verify with Alice's key.
  const mallory = await newKey('Mallory');
  const { publicKey: malloryRevoked } = await openpgp.revokeKey({ key: mallory, format: 'object' });
  const forged = new openpgp.PacketList();
  const alicePackets = [...alice.toPublic().toPacketList()];
  forged.push(alicePackets[0]!, malloryRevoked.revocationSignatures[0]!, ...alicePackets.slice(1));
  writeFileSync(join(dir, 'forged.pgp'), forged.write());
  const before = snapshot(keysDir);
  const refused = await runCli(['key', 'import', '--keysdir', keysDir, join(dir, 'forged.pgp')]);
  t.same([refused.code, refused.stderr], [6, `sif: the key with fingerprint ${A} already belongs to the keyring\n`]);
  t.same(snapshot(keysDir), before, 'a revocation Alice did not sign is not merged');

  // A new signing subkey, with its cross-signature, goes to both keyrings.
  const withSigningSubkey = await alice.addSubkey({ sign: true });
  writeFileSync(join(dir, 'subkey.sec'), withSigningSubkey.write());
  const added = await runCli(['key', 'import', '--keysdir', keysDir, join(dir, 'subkey.sec')]);
  t.equal(added.code, 0, added.stderr);
  t.match(added.stdout.toString(), /updated in the private keyring: 1 subkey, 1 signature\n.*updated in the public keyring: 1 subkey, 1 signature\n$/s);
  t.equal(goKeyring(join(keysDir, 'pgp-secret')).keys.length, 1, 'Go reads the key with its new signing subkey');

  const { publicKey: revoked } = await openpgp.revokeKey({ key: alice, format: 'object' });
  writeFileSync(join(dir, 'revoked.asc'), revoked.armor());
  const r = await runCli(['key', 'import', '--keysdir', keysDir, join(dir, 'revoked.asc')]);
  t.equal(r.code, 0, r.stderr);
  t.equal(
    r.stdout.toString(),
    `Key with fingerprint ${A} updated in the private keyring: revocation\nKey with fingerprint ${A} updated in the public keyring: revocation\n`,
  );
  t.same(goKeyring(join(keysDir, 'pgp-public')).keys.map((k) => k.fingerprint), [A, B], 'Go still reads the revoked key, in its place');
  t.ok(readFileSync(join(keysDir, 'pgp-public')).subarray(-bobBytes.length).equals(bobBytes), 'the other key keeps its bytes');
  const verified = await runCli(['verify', '--keysdir', keysDir, '--quiet', image]);
  t.equal(verified.code, 14, 'a revoked signer key: exit 14 (SIF_SIGNER_KEY_NOT_VALID)');
  t.match(verified.stderr, /^sif: signature object \d+ not valid: .*revoked/);
  const go = oracle<{ error: string }>('verify', '--keyring', join(keysDir, 'pgp-public'), image);
  t.match(go.error, /revoked/, 'the Go reference refuses the revoked key too');
  const resign = await runCli(['sign', '--keysdir', keysDir, '--quiet', copyImage(dir, 'other.sif')]);
  t.not(resign.code, 0, 'sign refuses the revoked secret key');
});

withReference(t, 'key remove removes every copy of a key and says how many', ['go', 'go-sif'], async (t) => {
  const dir = t.testdir({ keys: {} });
  const keysDir = join(dir, 'keys');
  const [alice, bob] = [await newKey('Alice'), await newKey('Bob')];
  const [A, B] = [alice, bob].map((k) => k.getFingerprint().toUpperCase()) as [string, string];
  writeFileSync(join(keysDir, 'pgp-public'), Buffer.concat([alice.toPublic().write(), bob.toPublic().write(), alice.toPublic().write()]), { mode: 0o600 });
  writeFileSync(join(keysDir, 'pgp-secret'), Buffer.concat([alice.write(), bob.write()]), { mode: 0o600 });
  const image = copyImage(dir);
  t.equal((await runCli(['sign', '--keysdir', keysDir, '-k', '0', '--quiet', image])).code, 0);
  t.same(goKeyring(join(keysDir, 'pgp-public')).keys.map((k) => k.fingerprint), [A, B, A], 'Go reads both copies');

  const r = await runCli(['key', 'remove', '--keysdir', keysDir, '--both', A.toLowerCase()]);
  t.equal(r.code, 0, r.stderr);
  t.equal(
    r.stdout.toString(),
    `Key with fingerprint ${A} removed from ${join(keysDir, 'pgp-secret')}\n2 copies of the key with fingerprint ${A} removed from ${join(keysDir, 'pgp-public')}\n`,
  );
  t.ok(readFileSync(join(keysDir, 'pgp-public')).equals(Buffer.from(bob.toPublic().write())));
  t.same(goKeyring(join(keysDir, 'pgp-public')).keys.map((k) => k.fingerprint), [B]);
  const verified = await runCli(['verify', '--keysdir', keysDir, '--quiet', image]);
  t.equal(verified.code, 13, 'the removed key is no longer trusted');
});
