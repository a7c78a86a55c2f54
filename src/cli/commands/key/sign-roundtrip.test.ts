/**
 * The whole key life cycle as users run it: keys made by `sif key newpair`
 * (ed25519, rsa3072) and by gpg (rsa, ed25519; with and without a
 * passphrase) brought in with `sif key import`, then `sif sign --keysdir`
 * picking each by the index `sif key list --secret` prints, the passphrase
 * from a file or from one line of stdin. Every signed image must verify under
 * the Go reference with our pgp-public as its keyring, and under `sif verify`.
 */
import t, { type Test } from 'tap';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyImage, runCli, spawnCli } from '../../../test-support/cli.js';
import { tempGpg } from '../../../test-support/keys.js';
import { GO_IMAGES, withReference } from '../../../test-support/reference.js';
import { oracleBatch } from '../../../test-support/verdict.js';

const PASS = 'round trip passphrase';

interface Made {
  label: string;
  fingerprint?: string;
  protected: boolean;
}

interface Listed {
  keys: { index: number; fingerprint: string; encrypted: boolean }[];
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** `sif key list --secret` text: fingerprint per printed index. */
function indexedFingerprints(listing: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const m of listing.matchAll(/^(\d+)\) {2}User:[^\n]*\n(?: {4}[^\n]*\n)*? {4}Fingerprint: +([0-9A-F]{40})$/gm)) out.set(Number(m[1]), m[2]!);
  return out;
}

withReference(t, 'sif key → sif sign → Go reference verify', ['go', 'go-sif', 'gpg'], async (t: Test) => {
  const dir = t.testdir({ pass: `${PASS}\n` });
  const keysDir = join(dir, 'keys');
  const passFile = join(dir, 'pass');
  const env = { HOME: dir, SIF_GLOBAL_KEYRING: '' };
  const sif = (args: string[], input?: string) => runCli(args, env, input);

  // 1. Keys, in keyring order.
  const made: Made[] = [
    { label: 'newpair ed25519, passphrase', protected: true },
    { label: 'newpair rsa3072, no passphrase', protected: false },
  ];
  for (const [args, pass] of [[['--algorithm', 'ed25519'], ['--password-file', passFile]], [['--algorithm', 'rsa3072'], ['--password', '']]] as const) {
    const r = await sif(['key', 'newpair', '--keysdir', keysDir, '-N', 'Round Trip', '-E', 'rt@example.com', ...args, ...pass]);
    t.equal(r.code, 0, r.stderr);
  }
  const gpg = tempGpg(t);
  for (const [algorithm, passphrase] of [['rsa3072', PASS], ['rsa3072', ''], ['ed25519', PASS], ['ed25519', '']] as const) {
    const fingerprint = gpg.generate(`gpg ${algorithm} ${passphrase ? 'locked' : 'clear'} <${algorithm}@example.com>`, algorithm, passphrase);
    const file = join(dir, `${fingerprint}.asc`);
    writeFileSync(file, gpg.run(['--armor', '--export-secret-keys', fingerprint], { passphrase }));
    const r = await sif(['key', 'import', '--keysdir', keysDir, ...(passphrase ? ['--password-file', passFile] : []), file]);
    t.equal(r.code, 0, `import gpg ${algorithm}: ${r.stderr}`);
    t.match(r.stdout.toString(), `Key with fingerprint ${fingerprint} successfully added to the private keyring`);
    made.push({ label: `gpg ${algorithm}, ${passphrase ? 'passphrase' : 'no passphrase'}`, fingerprint, protected: passphrase !== '' });
  }

  // 2. The indices `sif key list --secret` prints are the ones --keyidx takes.
  const listed = (JSON.parse((await sif(['key', 'list', '--secret', '--json', '--keysdir', keysDir])).stdout.toString()) as Listed).keys;
  t.equal(listed.length, made.length);
  const text = indexedFingerprints((await sif(['key', 'list', '--secret', '--keysdir', keysDir])).stdout.toString());
  t.same([...text.entries()], listed.map((k) => [k.index, k.fingerprint]), 'text and JSON listings agree');
  for (const [i, m] of made.entries()) {
    if (m.fingerprint) t.equal(listed[i]!.fingerprint, m.fingerprint, `${m.label} is key ${i}`);
    t.equal(listed[i]!.encrypted, m.protected, `${m.label}: encrypted as made`);
  }

  // 3. Sign with each key: passphrase from a file, from a stdin line (a real pipe), or none needed.
  const signed: { image: string; fingerprint: string; label: string }[] = [];
  for (const [i, m] of made.entries()) {
    const fingerprint = listed[i]!.fingerprint;
    const ways: [how: string, args: string[], input: string | undefined][] = m.protected
      ? [['--passphrase-file', ['--passphrase-file', passFile], undefined], ['stdin', [], `${PASS}\n`]]
      : [['no passphrase', [], undefined]];
    for (const [how, args, input] of ways) {
      const image = copyImage(dir, `signed-${i}-${signed.length}.sif`, join(GO_IMAGES, 'two-groups.sif'));
      const sign = ['sign', '--keysdir', keysDir, '--keyidx', String(i), ...args, image];
      const r = input === undefined ? await sif(sign) : spawnCli(sign, { env, input });
      t.equal(r.code, 0, `${m.label}, ${how}: ${r.stderr}`);
      signed.push({ image, fingerprint, label: `${m.label}, ${how}` });
    }
  }

  // 4. The Go reference, trusting exactly our pgp-public, verifies every image; so does sif verify --keysdir.
  const refs = oracleBatch(dir, signed.map((s) => ['verify', '--keyring', join(keysDir, 'pgp-public'), s.image]));
  for (const [n, s] of signed.entries()) {
    const ref = refs[n]!;
    t.equal(ref.error, '', `reference verifies: ${s.label}`);
    t.same(ref.signatures.map((v) => [v.signature, v.fingerprint.toUpperCase(), v.verified]), [[4, s.fingerprint, [1, 2]], [5, s.fingerprint, [3]]], `${s.label}: one signature per group, by key ${s.fingerprint}`);
    const ours = await sif(['verify', '--keysdir', keysDir, s.image]);
    t.equal(ours.code, 0, `sif verify: ${s.label}: ${ours.stderr}`);
    t.match(ours.stdout.toString(), `[LOCAL]            Fingerprint: ${s.fingerprint}\n`);
  }

  // 5. A wrong passphrase on stdin: exit 6, the key named, the passphrase never printed, the image unchanged.
  const image = copyImage(dir, 'wrong.sif', join(GO_IMAGES, 'two-groups.sif'));
  const before = sha(image);
  const r = spawnCli(['sign', '--keysdir', keysDir, '--keyidx', '4', image], { env, input: 'not the passphrase\n' });
  t.same([r.code, r.stderr], [6, `sif: wrong passphrase for key ${listed[4]!.fingerprint}\n`]);
  t.equal(sha(image), before);
});
