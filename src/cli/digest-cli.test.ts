import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { REPO_ROOT, withReference } from '../test-support/reference.js';
import { runCli, SIF_BIN } from '../test-support/cli.js';
import { oracle } from '../test-support/oracle.js';
import { openpgpKey } from '../test-support/pgp.js';
import { sparseImage } from '../test-support/sparse.js';
import type { Io } from './io.js';

const MiB = 1 << 20;

/** Runs the built CLI in-process with stderr posing as a terminal. */
async function runOnTerminal(args: string[]): Promise<{ code: number; stderr: string }> {
  const { main } = (await import(join(REPO_ROOT, 'dist/cli/main.js'))) as typeof import('./main.js');
  const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
  const err: Buffer[] = [];
  stderr.on('data', (c: Buffer) => err.push(c));
  const stdout = new PassThrough().resume();
  const io: Io = { stdin: new PassThrough(), stdinIsTTY: false, stdout, stderr, env: { NO_COLOR: '1' }, stderrIsTTY: true, stdoutIsTTY: false };
  const code = await main(args, io);
  return { code, stderr: Buffer.concat(err).toString() };
}

/** What is left on the terminal: each line as its last carriage-return segment shows it, trailing blanks dropped. */
const screen = (text: string) => text.split('\n').map((line) => line.split('\r').filter((s) => s.trim() !== '').at(-1) ?? '');

t.test('sign and verify show a progress line on a terminal for big work, erased before their message', async (t) => {
  const dir = t.testdir();
  const image = join(dir, 'big.sif');
  await sparseImage(image, [160 * MiB, 160 * MiB]);
  const key = await openpgpKey(dir, 'ecc');

  const sign = await runOnTerminal(['sign', '--keyring', key.secretPath, image]);
  t.equal(sign.code, 0, sign.stderr);
  t.match(sign.stderr, /^\rSigning \[[#-]{20}\] [\d.]+ [KMG]?i?B \/ 320\.0 MiB  [\d.]+ [KMG]?i?B\/s  ETA \d+:\d\d/, 'the first line shows a rate');
  t.same(screen(sign.stderr), [`Signature created and applied to image '${image}'`, '']);

  const verify = await runOnTerminal(['verify', '--keyring', key.publicPath, image]);
  t.equal(verify.code, 0, verify.stderr);
  t.match(verify.stderr, /^\rVerifying \[/);
  t.same(screen(verify.stderr), [`Verified signature(s) from image '${image}'`, '']);

  for (const args of [['verify', '-q', '--keyring', key.publicPath, image], ['verify', '--quiet', '--keyring', key.publicPath, image]]) {
    const quiet = await runOnTerminal(args);
    t.equal(quiet.code, 0);
    t.equal(quiet.stderr, `Verified signature(s) from image '${image}'\n`, `${args[1]}: no progress`);
  }
  const notTty = await runCli(['verify', '--keyring', key.publicPath, image]);
  t.equal(notTty.stderr, `Verified signature(s) from image '${image}'\n`, 'no progress when stderr is not a terminal');
});

t.test('small work shows no progress line', async (t) => {
  const dir = t.testdir();
  const image = join(dir, 'small.sif');
  await sparseImage(image, [8 * MiB]);
  const key = await openpgpKey(dir, 'ecc');
  const sign = await runOnTerminal(['sign', '-q', '--keyring', key.secretPath, image]);
  t.equal(sign.stderr, `Signature created and applied to image '${image}'\n`);
  const verify = await runOnTerminal(['verify', '--keyring', key.publicPath, image]);
  t.equal(verify.stderr, `Verified signature(s) from image '${image}'\n`);
});

withReference(t, 'objects hashed side by side sign and verify as the Go reference computes them', ['go', 'go-sif'], async (t) => {
  const dir = t.testdir();
  const key = await openpgpKey(dir, 'ecc');
  for (const [name, groupOf] of [['one-group', () => 1], ['four-groups', (i: number) => i + 1]] as const) {
    const image = join(dir, `${name}.sif`);
    await sparseImage(image, [40 * MiB, 24 * MiB, 33 * MiB + 5, 20 * MiB], groupOf);
    const sign = await runCli(['sign', '--keyring', key.secretPath, image]);
    t.equal(sign.code, 0, sign.stderr);
    t.equal(oracle<{ error: string }>('verify', '--keyring', key.publicPath, image).error, '', `${name}: the reference verifies it`);
    const ours = await runCli(['verify', '--keyring', key.publicPath, image]);
    t.equal(ours.code, 0, `${name}: sif verifies it`);
  }
});

t.test('a verify that fails early exits at once: prefetched hashing stops and idle workers never hold the process', async (t) => {
  const dir = t.testdir();
  const image = join(dir, 'four.sif');
  await sparseImage(image, [64 * MiB, 64 * MiB, 64 * MiB, 64 * MiB]);
  const [signer, stranger] = [await openpgpKey(dir, 'ecc'), await openpgpKey(join(dir, '..'), 'rsa')];
  t.equal((await runCli(['sign', '--keyring', signer.secretPath, image])).code, 0);
  for (const key of [stranger, signer]) {
    // The timeout only guards against a hang; nothing is timed.
    const r = spawnSync(SIF_BIN, ['verify', '--keyring', key.publicPath, image], { timeout: 120_000 });
    t.equal(r.signal, null, 'exited by itself');
    t.equal(r.status, key === signer ? 0 : 13, key === signer ? 'verified' : 'unknown signer');
  }
});
