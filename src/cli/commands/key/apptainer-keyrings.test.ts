import t from 'tap';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { captureCli, runCli } from '../../../test-support/cli.js';
import { goClearSign, goKeyring, snapshot, tempGpg } from '../../../test-support/keys.js';
import { FIXTURES, withReference } from '../../../test-support/reference.js';

/** Apptainer's e2e keys: key1/key2 (passphrase "e2e", primary encrypted only) and the unencrypted test key. */
const KEY1 = '0C5B8C9A5FFC44E2A0AC79851CD6FA281D476DD1';
const KEY2 = '78F8AD36B0DCB84B707F23853D608DAE21C8CA10';
const TESTS = 'F34371D0ACD5D09EB9BD853A80600A5FA11BBD29';

const dearmor = async (file: string) => Buffer.from((await openpgp.unarmor(readFileSync(join(FIXTURES, 'apptainer', file), 'utf8'))).data as unknown as Uint8Array);

/** A keys directory laid out exactly as Apptainer writes one: binary keys, concatenated. */
async function apptainerKeysDir(dir: string) {
  const pub = [await dearmor('ecl-keys/pubkey1.asc'), await dearmor('ecl-keys/pubkey2.asc'), await dearmor('keys/pgp-public.asc')];
  const sec = [await dearmor('ecl-keys/key1.asc'), await dearmor('ecl-keys/key2.asc'), await dearmor('keys/pgp-private.asc')];
  const keysDir = join(dir, 'keys');
  mkdirSync(keysDir, { mode: 0o700 });
  writeFileSync(join(keysDir, 'pgp-public'), Buffer.concat(pub), { mode: 0o600 });
  writeFileSync(join(keysDir, 'pgp-secret'), Buffer.concat(sec), { mode: 0o600 });
  return { keysDir, pub, sec, pubPath: join(keysDir, 'pgp-public'), secPath: join(keysDir, 'pgp-secret') };
}

withReference(t, "existing Apptainer keyrings list exactly as Apptainer's printEntity prints them", ['shared', 'go', 'go-sif'], async (t) => {
  const ring = await apptainerKeysDir(t.testdir());
  // Zones whose names ICU does not know (CET, IST, AEDT) come from the TZif files, as Go reads them.
  for (const TZ of ['UTC', '', 'America/Chicago', 'Europe/Berlin', 'Asia/Kolkata', 'Australia/Sydney', 'America/Sao_Paulo', 'No/Such_Zone', undefined]) {
    for (const secret of [false, true]) {
      const path = secret ? ring.secPath : ring.pubPath;
      const env = TZ === undefined ? {} : { TZ };
      const go = goKeyring(path, { env });
      const r = await runCli(['key', 'list', '--keysdir', ring.keysDir, ...(secret ? ['--secret'] : [])], env);
      t.equal(r.code, 0, r.stderr);
      const header = `${secret ? 'Private' : 'Public'} key listing (${path}):\n\n`;
      t.equal(r.stdout.toString(), header + go.keys.map((k) => k.listing).join(''), `${secret ? 'secret' : 'public'} listing, TZ=${TZ}`);
    }
  }
  t.same(goKeyring(ring.secPath).keys.map((k) => k.fingerprint), [KEY1, KEY2, TESTS], 'index order: file order');
});

withReference(t, 'export, remove and re-list keep every other key byte for byte', ['shared', 'go', 'go-sif'], async (t) => {
  const dir = t.testdir();
  const ring = await apptainerKeysDir(dir);

  for (const [i, fp] of [KEY1, KEY2, TESTS].entries()) {
    const out = join(dir, `export-${i}`);
    t.equal((await runCli(['key', 'export', '--keysdir', ring.keysDir, '--fingerprint', fp.toLowerCase(), out])).code, 0);
    t.ok(readFileSync(out).equals(ring.pub[i]!), `public export of ${fp} is the keyring's bytes`);
    const armored = join(dir, `export-${i}.asc`);
    const r = await runCli(['key', 'export', '--keysdir', ring.keysDir, '--secret', '--armor', '--keyidx', String(i), armored]);
    t.equal(r.stdout.toString(), `Private key with fingerprint ${fp} correctly exported to file: ${armored}\n`);
    t.equal(statSync(armored).mode & 0o777, 0o600, 'secret exports are 0600');
    const unarmored = await openpgp.unarmor(readFileSync(armored, 'utf8'));
    t.ok(Buffer.from(unarmored.data as unknown as Uint8Array).equals(ring.sec[i]!), 'armored secret export holds the same bytes');
    t.match(readFileSync(armored, 'utf8'), /\n=[A-Za-z0-9+/]{4}\n-----END PGP PRIVATE KEY BLOCK-----\n$/, 'with a CRC-24 line');
  }

  // Apptainer's bug: removing one secret key re-serializes the others without their private parts.
  const removed = await runCli(['key', 'remove', '--keysdir', ring.keysDir, '--secret', KEY1]);
  t.equal(removed.code, 0, removed.stderr);
  t.equal(removed.stdout.toString(), `Key with fingerprint ${KEY1} removed from ${ring.secPath}\n`);
  t.ok(readFileSync(ring.secPath).equals(Buffer.concat([ring.sec[1]!, ring.sec[2]!])), 'the other secret keys are byte-intact');
  t.ok(readFileSync(ring.pubPath).equals(Buffer.concat(ring.pub)), 'pgp-public untouched');
  const left = goKeyring(ring.secPath, { passphrase: 'e2e' }).keys;
  t.same(left.map((k) => [k.fingerprint, k.hasPrivate, k.decrypts]), [[KEY2, true, true], [TESTS, true, true]], 'go-crypto still finds their private material');
  t.equal(goClearSign(ring.secPath, ring.pubPath, KEY2, 'e2e').signedBy, KEY2, 'and still signs with it');

  const both = await runCli(['key', 'remove', '--keysdir', ring.keysDir, '--both', KEY2.toLowerCase()]);
  t.equal(both.code, 0, both.stderr);
  t.ok(readFileSync(ring.secPath).equals(ring.sec[2]!));
  t.ok(readFileSync(ring.pubPath).equals(Buffer.concat([ring.pub[0]!, ring.pub[2]!])));
  const list = await runCli(['key', 'list', '--keysdir', ring.keysDir]);
  t.equal(list.stdout.toString(), `Public key listing (${ring.pubPath}):\n\n${goKeyring(ring.pubPath).keys.map((k) => k.listing).join('')}`);
  t.match(list.stdout.toString(), /^0\)  User: +e2e \(e2e tests\) <e2e@hpcng\.org>\n[\s\S]*^1\)  User: +SingularityCE Tests \(\) <singularityce@example\.com>\n/m);

  const before = snapshot(ring.keysDir);
  const cases: [args: string[], code: number, stderr: string][] = [
    [['--secret', KEY1], 6, `sif: no key with fingerprint ${KEY1} in ${ring.secPath}\n`],
    [['--both', KEY2], 6, `sif: no key with fingerprint ${KEY2} in ${ring.pubPath} or ${ring.secPath}\n`],
    // One fingerprint rule for every command (keys/fingerprint.ts): full 40 hex, no 0x, no gpg spacing.
    [['0'], 2, 'sif: key remove: fingerprint "0" is 1 hex digits; a full 40-hex-digit fingerprint is required (short key IDs are ambiguous)\n'],
    [[`0x${TESTS}`], 2, `sif: key remove: fingerprint "0x${TESTS}" must not start with 0x\n`],
    [[TESTS.replace(/(.{4})(?!$)/g, '$1 ')], 2, `sif: key remove: fingerprint "${TESTS.replace(/(.{4})(?!$)/g, '$1 ')}" is not 40 hex digits\n`],
  ];
  for (const [args, code, stderr] of cases) {
    const r = await runCli(['key', 'remove', '--keysdir', ring.keysDir, ...args]);
    t.equal(r.code, code, args.join(' '));
    t.equal(r.stderr, stderr);
    t.same(snapshot(ring.keysDir), before, 'nothing changed');
  }
  const pubOnly = await runCli(['key', 'remove', '--keysdir', ring.keysDir, '--public', '--secret', TESTS]);
  t.equal(pubOnly.stdout.toString().split('\n').length, 3, '--public --secret means both');
  t.equal(readFileSync(ring.secPath).length, 0);
});

withReference(t, 'gpg reads the armored keys sif key export writes', ['shared', 'gpg'], async (t) => {
  const dir = t.testdir();
  const ring = await apptainerKeysDir(dir);
  const gpg = tempGpg(t);
  for (const secret of [false, true]) {
    const out = join(dir, secret ? 'secret.asc' : 'public.asc');
    t.equal((await runCli(['key', 'export', '--keysdir', ring.keysDir, '--armor', '--fingerprint', KEY1, ...(secret ? ['--secret'] : []), out])).code, 0);
    gpg.run(['--import', out]);
  }
  t.match(gpg.run(['--with-colons', '--list-keys', KEY1]).toString(), `fpr:::::::::${KEY1}:`);
  t.match(gpg.run(['--with-colons', '--list-secret-keys', KEY1]).toString(), `fpr:::::::::${KEY1}:`);
  t.match(gpg.run(['--local-user', KEY1, '--clearsign'], { passphrase: 'e2e' }).toString(), /BEGIN PGP SIGNATURE/, 'the exported secret key signs in gpg');
});

t.test('export: named keys, stdout, no overwrite without --force, a clear error without a terminal', async (t) => {
  const dir = t.testdir({ existing: 'keep me' });
  const keysDir = join(dir, 'keys');
  const empty = await runCli(['key', 'export', '--keysdir', keysDir, '--keyidx', '0', join(dir, 'none')]);
  t.equal(empty.code, 6);
  t.equal(empty.stderr, `sif: keyring ${join(keysDir, 'pgp-public')} is empty\n`);
  await runCli(['key', 'newpair', '--keysdir', keysDir, '-N', 'Exporter', '-E', 'exporter@example.com', '--algorithm', 'ed25519', '--password', '']);
  const pubBytes = readFileSync(join(keysDir, 'pgp-public'));
  const stdout = await runCli(['key', 'export', '--keysdir', keysDir, '--keyidx', '0', '-']);
  t.ok(stdout.stdout.equals(pubBytes), "'-' writes the key to stdout and nothing else");
  const cases: [args: string[], code: number, stderr: RegExp][] = [
    [[join(dir, 'existing'), '--keyidx', '0'], 3, /^sif: .*existing already exists; pass --force to overwrite it\n$/],
    [[join(dir, 'x'), '--keyidx', '1'], 6, /^sif: no key with index 1 in .*pgp-public \(it holds 1; see sif key list\)\n$/],
    [[join(dir, 'x'), '--keyidx', 'first'], 2, /^sif: invalid key index "first": expected a number as sif key list prints it\n$/],
    [[join(dir, 'x'), '--fingerprint', 'A'.repeat(40)], 6, new RegExp(`^sif: no key with fingerprint ${'A'.repeat(40)} in .*pgp-public\n$`)],
    [[join(dir, 'x'), '--fingerprint', 'A'.repeat(40), '--keyidx', '0'], 2, /Arguments fingerprint and keyidx are mutually exclusive/],
    [[join(dir, 'x')], 2, /^sif: name the key to export with --fingerprint or --keyidx \(no terminal to ask on\)\n$/],
  ];
  for (const [args, code, stderr] of cases) {
    const r = await runCli(['key', 'export', '--keysdir', keysDir, ...args]);
    t.equal(r.code, code, args.join(' '));
    t.match(r.stderr, stderr);
  }
  t.equal(readFileSync(join(dir, 'existing'), 'utf8'), 'keep me');
  const forced = await runCli(['key', 'export', '--keysdir', keysDir, '--keyidx', '0', '--force', join(dir, 'existing')]);
  t.equal(forced.code, 0, forced.stderr);
  t.ok(readFileSync(join(dir, 'existing')).equals(pubBytes));
  t.equal(statSync(join(dir, 'existing')).mode & 0o777, 0o644, 'public exports are 0644');
});

t.test('export on a terminal lists the keys and asks which one', async (t) => {
  const dir = t.testdir();
  const keysDir = join(dir, 'keys');
  for (const name of ['One', 'Two']) {
    await runCli(['key', 'newpair', '--keysdir', keysDir, '-N', name, '-E', `${name.toLowerCase()}@example.com`, '--algorithm', 'ed25519', '--password', '']);
  }
  const r = await captureCli(['key', 'export', '--keysdir', keysDir, '--secret', join(dir, 'chosen')], { input: '1\n', env: { TZ: 'UTC' }, tty: true });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, /^0\)  User: +One \(\) <one@example\.com>\n[\s\S]*\n1\)  User: +Two \(\) <two@example\.com>\n[\s\S]*\nEnter # of private key to use : $/);
  const [, second] = (await runCli(['key', 'list', '--json', '--secret', '--keysdir', keysDir])).stdout.toString().match(/"fingerprint": "([0-9A-F]{40})"/g)!;
  t.match(r.stdout.toString(), `Private key with fingerprint ${second!.slice(-41, -1)} correctly exported`);
  const bad = await captureCli(['key', 'export', '--keysdir', keysDir, join(dir, 'other')], { input: 'two\n', tty: true });
  t.equal(bad.code, 2);
  t.match(bad.stderr, /sif: invalid key index "two"/);
});
