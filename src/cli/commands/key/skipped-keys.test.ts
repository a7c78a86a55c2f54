/**
 * Keyrings holding what Apptainer's go-crypto skips — a marker packet, a v3
 * key, a v6 key, a key of an unknown algorithm, a key whose subkey has an
 * unknown algorithm — work with every command: `sif key list` lists exactly
 * the keys the Go reference reads (and gpg reads them too), `sif sign -k N`
 * signs with the key listed at N, and remove, import and newpair rewrite the
 * keyrings with every skipped byte where it was.
 */
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { copyImage, runCli } from '../../../test-support/cli.js';
import { goKeyring, tempGpg } from '../../../test-support/keys.js';
import { withReference } from '../../../test-support/reference.js';

/** A new-format packet with a five-byte length. */
function packet(tag: number, body: Buffer): Buffer {
  const head = Buffer.from([0xc0 | tag, 0xff, 0, 0, 0, 0]);
  head.writeUInt32BE(body.length, 2);
  return Buffer.concat([head, body]);
}
const userId = (text: string) => packet(13, Buffer.from(text));

/** What go-crypto drops unseen, each with the user ID and signature that would follow it. */
const MARKER = packet(10, Buffer.from('PGP'));
const V3_KEY = Buffer.concat([
  packet(6, Buffer.concat([Buffer.from([3, 0x5e, 0, 0, 0, 0, 0, 1, 2, 0]), Buffer.alloc(64, 0xab).fill(0xc1, 0, 1), Buffer.from([0, 17, 1, 0, 1])])),
  userId('Old Key <old@example.com>'),
]);
const UNKNOWN_ALGORITHM = Buffer.concat([
  packet(6, Buffer.concat([Buffer.from([4, 0x5e, 0, 0, 0, 99]), Buffer.alloc(32, 7)])),
  userId('Future <future@example.com>'),
  packet(2, Buffer.concat([Buffer.from([4, 0x13, 99, 8, 0, 0, 0, 0, 0xaa, 0xbb]), Buffer.alloc(32, 9)])),
]);

const newKey = async (name: string, config?: openpgp.PartialConfig) =>
  (await openpgp.generateKey({ type: config?.v6Keys ? 'curve25519' : 'ecc', userIDs: [{ name, email: `${name.toLowerCase()}@example.com` }], format: 'object', config })).privateKey;

/** Carol's key with a subkey of an unknown algorithm spliced in after her user ID, bound by a copy of her real binding signature. */
async function keyWithUnknownSubkey(): Promise<Buffer> {
  const carol = (await newKey('Carol')).toPublic();
  const [primary, uid, cert, , binding] = [...carol.toPacketList()].map((p) => {
    const list = new openpgp.PacketList();
    list.push(p);
    return Buffer.from(list.write());
  });
  const unknownSubkey = packet(14, Buffer.concat([Buffer.from([4, 0x5e, 0, 0, 0, 99]), Buffer.alloc(32, 5)]));
  return Buffer.concat([primary!, uid!, cert!, unknownSubkey, binding!]);
}

const fingerprints = (r: { stdout: Buffer }) => (JSON.parse(r.stdout.toString()) as { keys: { fingerprint: string }[] }).keys.map((k) => k.fingerprint);

withReference(t, 'keyrings with keys Apptainer skips work with every key command, as Go reads them', ['go', 'go-sif', 'gpg'], async (t) => {
  const dir = t.testdir({ keys: {} });
  const keysDir = join(dir, 'keys');
  const [alice, bob] = [await newKey('Alice'), await newKey('Bob')];
  const carol = await keyWithUnknownSubkey();
  const skipped = [MARKER, V3_KEY, UNKNOWN_ALGORITHM, carol];
  const pub = Buffer.concat([MARKER, V3_KEY, alice.toPublic().write(), UNKNOWN_ALGORITHM, bob.toPublic().write(), carol, V3_KEY]);
  const sec = Buffer.concat([alice.write(), V3_KEY, bob.write(), MARKER]);
  writeFileSync(join(keysDir, 'pgp-public'), pub, { mode: 0o600 });
  writeFileSync(join(keysDir, 'pgp-secret'), sec, { mode: 0o600 });
  const [A, B] = [alice, bob].map((k) => k.getFingerprint().toUpperCase()) as [string, string];

  for (const secret of [false, true]) {
    const path = join(keysDir, secret ? 'pgp-secret' : 'pgp-public');
    const go = goKeyring(path);
    t.same(go.keys.map((k) => k.fingerprint), [A, B], `Go reads Alice and Bob only from ${path}`);
    const text = await runCli(['key', 'list', '--keysdir', keysDir, ...(secret ? ['--secret'] : [])], { TZ: 'UTC' });
    t.equal(text.code, 0, text.stderr);
    t.equal(text.stdout.toString(), `${secret ? 'Private' : 'Public'} key listing (${path}):\n\n${goKeyring(path, { env: { TZ: 'UTC' } }).keys.map((k) => k.listing).join('')}`);
    const json = await runCli(['key', 'list', '--keysdir', keysDir, '--json', ...(secret ? ['--secret'] : [])]);
    t.same(fingerprints(json), [A, B]);
  }
  const gpg = tempGpg(t);
  const gpgKeys = (file: string) => [...gpg.run(['--with-colons', '--show-keys', file]).toString().matchAll(/^(?:pub|sec):([^:]*):(?:[^:]*:){7}[^\n]*\nfpr:(?::){8}([0-9A-F]{40}):/gm)].filter((m) => m[1] !== 'i').map((m) => m[2]);
  t.same(gpgKeys(join(keysDir, 'pgp-public')).filter((fp) => fp === A || fp === B), [A, B], 'gpg reads the keyring too');

  // sign -k 1 signs with the key `key list --secret` prints at 1 (Bob), not the v3 key's neighbour.
  const image = copyImage(dir, 'img.sif');
  const signed = await runCli(['sign', '--keysdir', keysDir, '-k', '1', '--quiet', image]);
  t.equal(signed.code, 0, signed.stderr);
  const verified = await runCli(['verify', '--keysdir', keysDir, '--json', '--quiet', image]);
  t.equal(verified.code, 0, verified.stderr);
  t.match(verified.stdout.toString(), `"Fingerprint": "${B.toLowerCase()}"`);

  // remove, export, import and newpair keep every skipped byte.
  t.equal((await runCli(['key', 'export', '--keysdir', keysDir, '--keyidx', '0', join(dir, 'alice.pgp')])).code, 0);
  const removed = await runCli(['key', 'remove', '--keysdir', keysDir, '--both', A]);
  t.equal(removed.code, 0, removed.stderr);
  const alicePublic = Buffer.from(alice.toPublic().write());
  t.ok(readFileSync(join(keysDir, 'pgp-public')).equals(Buffer.concat([MARKER, V3_KEY, UNKNOWN_ALGORITHM, bob.toPublic().write(), carol, V3_KEY])), 'only Alice is cut out of pgp-public');
  // The marker packet after Bob's key belongs to it; the v3 key moves after the keys.
  t.ok(readFileSync(join(keysDir, 'pgp-secret')).equals(Buffer.concat([bob.write(), MARKER, V3_KEY])), 'Alice is cut out of pgp-secret, what Go skips moves after the keys');
  const imported = await runCli(['key', 'import', '--keysdir', keysDir, join(dir, 'alice.pgp')]);
  t.equal(imported.code, 0, imported.stderr);
  t.ok(readFileSync(join(keysDir, 'pgp-public')).subarray(-alicePublic.length).equals(alicePublic), 'an imported key is appended with its bytes');
  const made = await runCli(['key', 'newpair', '--keysdir', keysDir, '-N', 'New', '-E', 'new@example.com', '-a', 'ed25519', '-P', '']);
  t.equal(made.code, 0, made.stderr);
  const N = /fingerprint ([0-9A-F]{40})/.exec(made.stdout.toString())![1]!;
  t.same(goKeyring(join(keysDir, 'pgp-public')).keys.map((k) => k.fingerprint), [B, A, N]);
  t.same(goKeyring(join(keysDir, 'pgp-secret')).keys.map((k) => k.fingerprint), [B, N]);
  t.same(fingerprints(await runCli(['key', 'list', '--keysdir', keysDir, '--json'])), [B, A, N]);
  t.same(fingerprints(await runCli(['key', 'list', '--keysdir', keysDir, '--json', '--secret'])), [B, N]);
  t.ok(readFileSync(join(keysDir, 'pgp-secret')).subarray(-V3_KEY.length).equals(V3_KEY), 'skipped bytes stay after the keys');
  const publicNow = readFileSync(join(keysDir, 'pgp-public'));
  for (const bytes of skipped) t.ok(publicNow.includes(bytes), 'skipped bytes are still there');
  t.same(gpgKeys(join(keysDir, 'pgp-public')).filter((fp) => [A, B, N].includes(fp!)), [B, A, N], 'gpg still reads the rewritten keyring');
});

withReference(t, 'a pgp-secret that starts with a key Go skips: Go reads none of its keys, sif reads them all, and its next rewrite lets Go read them', ['go', 'go-sif'], async (t) => {
  const dir = t.testdir({ keys: {} });
  const keysDir = join(dir, 'keys');
  const [alice, bob] = [await newKey('Alice'), await newKey('Bob')];
  const [A, B] = [alice, bob].map((k) => k.getFingerprint().toUpperCase());
  writeFileSync(join(keysDir, 'pgp-secret'), Buffer.concat([V3_KEY, alice.write(), bob.write()]), { mode: 0o600 });
  // go-crypto resumes after a skipped key only at a *public* key (readToNextPublicKey).
  t.same(goKeyring(join(keysDir, 'pgp-secret')), { error: 'openpgp: invalid data: first packet was not a public/private key' });
  t.same(fingerprints(await runCli(['key', 'list', '--keysdir', keysDir, '--json', '--secret'])), [A, B]);
  t.equal((await runCli(['key', 'remove', '--keysdir', keysDir, '--secret', A!])).code, 0);
  t.ok(readFileSync(join(keysDir, 'pgp-secret')).equals(Buffer.concat([bob.write(), V3_KEY])));
  t.same(goKeyring(join(keysDir, 'pgp-secret')).keys.map((k) => k.fingerprint), [B]);
});

withReference(t, 'a v6 (RFC 9580) key and a key without user IDs, which go-crypto 2.8.3 cannot use, are skipped as Go skips them', ['go', 'go-sif'], async (t) => {
  const dir = t.testdir({ keys: {} });
  const keysDir = join(dir, 'keys');
  const [six, alice, nameless] = [await newKey('Six', { v6Keys: true }), await newKey('Alice'), await newKey('Nameless')];
  const withoutUserId = new openpgp.PacketList();
  withoutUserId.push(...[...nameless.toPublic().toPacketList()].filter((p) => !(p instanceof openpgp.UserIDPacket) && (p as openpgp.SignaturePacket).signatureType !== openpgp.enums.signature.certPositive));
  writeFileSync(join(keysDir, 'pgp-public'), Buffer.concat([six.toPublic().write(), withoutUserId.write(), alice.toPublic().write()]), { mode: 0o600 });
  t.same(goKeyring(join(keysDir, 'pgp-public')).keys.map((k) => k.fingerprint), [alice.getFingerprint().toUpperCase()]);
  t.same(fingerprints(await runCli(['key', 'list', '--keysdir', keysDir, '--json'])), [alice.getFingerprint().toUpperCase()]);
});

t.test('a key file holding only keys Apptainer skips is refused, naming what was skipped; the rest of a file is imported with a warning', async (t) => {
  const dir = t.testdir();
  const keysDir = join(dir, 'keys');
  writeFileSync(join(dir, 'old.pgp'), Buffer.concat([MARKER, V3_KEY]));
  const refused = await runCli(['key', 'import', '--keysdir', keysDir, join(dir, 'old.pgp')]);
  t.equal(refused.code, 6);
  t.equal(refused.stderr, `sif: ${join(dir, 'old.pgp')}: no OpenPGP keys found that Apptainer can read (skipped: marker packet, version 3 key)\n`);
  const alice = await newKey('Alice');
  writeFileSync(join(dir, 'mixed.pgp'), Buffer.concat([V3_KEY, alice.toPublic().write(), UNKNOWN_ALGORITHM]));
  const r = await runCli(['key', 'import', '--keysdir', keysDir, join(dir, 'mixed.pgp')]);
  t.equal(r.code, 0, r.stderr);
  t.equal(
    r.stderr,
    `sif: warning: skipped version 3 key at byte 0 of ${join(dir, 'mixed.pgp')}, as Apptainer does\n` +
      `sif: warning: skipped key of unknown public-key algorithm 99 at byte ${V3_KEY.length + alice.toPublic().write().length} of ${join(dir, 'mixed.pgp')}, as Apptainer does\n`,
  );
  t.ok(readFileSync(join(keysDir, 'pgp-public')).equals(Buffer.from(alice.toPublic().write())), 'only the readable key is imported');
});
