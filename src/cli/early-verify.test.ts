import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, spawnCli } from '../test-support/cli.js';
import { openpgpKey } from '../test-support/pgp.js';
import { sparseImage } from '../test-support/sparse.js';
import { verifyIntegrity } from '../integrity/verify.js';
import { loadVerificationKeys } from '../integrity/keyset.js';
import { abandonEarlyVerify, claimEarlyVerify, defaultVerifyImage, startEarlyVerify } from './early-verify.js';

const MiB = 1 << 20;

t.test('an early start only for a default-mode verify command line', async (t) => {
  const cases: [string[], string | undefined][] = [
    [['verify', 'a.sif'], 'a.sif'],
    [['verify', '--keyring', 'k.asc', 'a.sif'], 'a.sif'],
    [['verify', 'a.sif', '--keyring', 'k.asc', '--keyring=j.asc', '--keysdir', 'd'], 'a.sif'],
    [['verify', '-j', '--quiet', '--global-keyring', 'g', 'a.sif', '-q', '--json'], 'a.sif'],
    [['verify', '--key', 'k.pem', '--keyring', 'k.asc', '--key=j.pem', 'a.sif'], 'a.sif'],
    [['verify'], undefined],
    [['verify', 'a.sif', 'b.sif'], undefined],
    [['verify', '--keyring', 'a.sif'], undefined],
    [['list', 'a.sif'], undefined],
    [['sign', 'a.sif'], undefined],
    [['verify', '-g', '1', 'a.sif'], undefined],
    [['verify', '--sif-id=2', 'a.sif'], undefined],
    [['verify', '--legacy-insecure', 'a.sif'], undefined],
    [['verify', '--fingerprints', 'ABCD', 'a.sif'], undefined],
    [['verify', '--help', 'a.sif'], undefined],
    [['verify', '--', 'a.sif'], undefined],
    [['verify', '--json', 'false', 'a.sif'], undefined],
  ];
  for (const [argv, image] of cases) t.equal(defaultVerifyImage(argv), image, argv.join(' '));
});

t.test('workers hash while the main thread is busy, the main thread joins after; the digests verify', async (t) => {
  const dir = t.testdir();
  const key = await openpgpKey(dir, 'ecc');
  const image = join(dir, 'big.sif');
  await sparseImage(image, [96 * MiB, 96 * MiB]);
  t.equal((await runCli(['sign', '--keyring', key.secretPath, image])).code, 0);

  await startEarlyVerify(['verify', '--keyring', key.publicPath, image]);
  t.equal(await claimEarlyVerify(join(dir, 'other.sif')), undefined, 'another path claims nothing');
  const early = await claimEarlyVerify(image);
  if (!early) throw new Error('no early start');
  t.equal(await claimEarlyVerify(image), undefined, 'claimed once');
  t.equal(early.digests.stats().jobs, 2, 'both objects requested up front');
  await new Promise((r) => setTimeout(r, 200));
  t.equal(early.digests.stats().mainJobs, 0, 'the main thread hashes nothing before it joins');

  let lastProgress = 0;
  early.joinHashing((done) => (lastProgress = done));
  const keys = await loadVerificationKeys({ keyrings: [key.publicPath], env: {} });
  const report = await verifyIntegrity(early.image, { keys, groups: [], objects: [], legacy: false, legacyAll: false, digests: early.digests });
  t.equal(report.error, undefined, 'verified with the early digests');
  t.equal(early.digests.stats().jobs, 2, 'each object hashed once');
  t.equal(lastProgress, 192 * MiB, 'progress reaches the command once it joins');
  early.digests.close();
  await early.image.close();
});

t.test('an unclaimed early start is stopped; a broken image is left for the command', async (t) => {
  const dir = t.testdir();
  const image = join(dir, 'big.sif');
  await sparseImage(image, [96 * MiB, 96 * MiB]);
  await startEarlyVerify(['verify', image]);
  await abandonEarlyVerify();
  t.equal(await claimEarlyVerify(image), undefined);

  const garbage = join(dir, 'garbage.sif');
  await import('node:fs/promises').then((fs) => fs.writeFile(garbage, 'not a SIF'));
  await startEarlyVerify(['verify', garbage]);
  t.equal(await claimEarlyVerify(garbage), undefined, 'no early start on a file that does not load');
  await startEarlyVerify(['verify', '/dev/null']);
  t.equal(await claimEarlyVerify('/dev/null'), undefined, 'no early start on a device');
});

t.test('bin/sif verify (with the early start) prints what the in-process CLI prints', async (t) => {
  const dir = t.testdir();
  const key = await openpgpKey(dir, 'ecc');
  const image = join(dir, 'big.sif');
  await sparseImage(image, [96 * MiB, 96 * MiB], (i) => i + 1);
  t.equal((await runCli(['sign', '--keyring', key.secretPath, image])).code, 0);
  for (const extra of [[], ['--json']]) {
    const args = ['verify', ...extra, '--keyring', key.publicPath, image];
    const spawned = spawnCli(args);
    const inProcess = await runCli(args);
    t.equal(spawned.code, 0, spawned.stderr);
    t.same(spawned.stdout.toString(), inProcess.stdout.toString(), args.join(' '));
    t.equal(spawned.stderr, inProcess.stderr);
  }
  // A failure after an early start: the usual exit code and message, the image untouched.
  const before = readFileSync(image);
  const missingKey = spawnCli(['verify', image, '--keyring', join(dir, 'missing.asc')]);
  t.equal(missingKey.code, 3);
  t.equal(missingKey.stderr, `sif: open ${join(dir, 'missing.asc')}: no such file or directory\n`);
  t.ok(readFileSync(image).equals(before));
});
