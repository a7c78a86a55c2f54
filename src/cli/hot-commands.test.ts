/**
 * The hot path (hot-commands.ts) must be invisible: for every command line it
 * takes, the same exit code and the same bytes on stdout and stderr as yargs
 * (main.ts) gives; every other line it leaves to main.ts.
 */
import t from 'tap';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { REPO_ROOT } from '../test-support/reference.js';
import { signedImage } from '../test-support/signed.js';
import { sparseImage } from '../test-support/sparse.js';
import { writeFileSync } from 'node:fs';
import type { Io } from './io.js';

const { runPlainCommand } = (await import(join(REPO_ROOT, 'dist/cli/hot-commands.js'))) as typeof import('./hot-commands.js');
const { runPlainVerify } = (await import(join(REPO_ROOT, 'dist/cli/plain-verify.js'))) as typeof import('./plain-verify.js');
const { commands } = (await import(join(REPO_ROOT, 'dist/cli/commands/index.js'))) as typeof import('./commands/index.js');

/** What launch.ts (and plain-verify.ts) do with a command line: run it if plain, else leave it to main.ts. */
async function runHotCommand(argv: readonly string[], io: Io): Promise<number | undefined> {
  const [name, ...rest] = argv;
  if (name === 'verify') return runPlainVerify(rest, io);
  const command = HOT.includes(name ?? '') ? commands(io).find((c) => String(c.command).split(' ')[0] === name) : undefined;
  return command && runPlainCommand(command, rest, io);
}
const HOT = ['list', 'header', 'info', 'dump'];
const { main } = (await import(join(REPO_ROOT, 'dist/cli/main.js'))) as typeof import('./main.js');

/** Runs one CLI entry in-process on argv; `undefined` code when it declined the line. */
async function run(entry: (argv: readonly string[], io: Io) => Promise<number | undefined>, argv: string[], env: NodeJS.ProcessEnv = {}) {
  const collect = () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    return { stream, text: () => Buffer.concat(chunks).toString('latin1') };
  };
  const [stdout, stderr] = [collect(), collect()];
  const io = { stdin: new PassThrough(), stdinIsTTY: false, stdout: stdout.stream, stderr: stderr.stream, env, stdoutIsTTY: false, stderrIsTTY: false };
  const code = await entry(argv, io);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

t.test('each line the hot path takes gives what yargs gives, byte for byte', async (t) => {
  const dir = t.testdir();
  const image = join(dir, 'image.sif');
  await sparseImage(image, [4096, 100]);
  const missing = join(dir, 'missing.sif');
  const taken = [
    ['list', image], ['list', '--json', image], ['list', image, '--json'], ['header', image], ['header', '--json', image],
    ['info', '1', image], ['info', '--json', '2', image], ['info', '01', image], ['info', '9', image], ['info', 'x', image],
    ['info', '99999999999', image], ['dump', '2', image], ['dump', '7', image], ['list', missing], ['header', dir],
  ];
  const { image: signed, keyring } = await signedImage(dir, image);
  const { keyring: stranger } = await signedImage(dir, image, undefined, 'other.sif');
  const notKeys = join(dir, 'not-keys.asc');
  writeFileSync(notKeys, 'not a key\n');
  taken.push(
    ['verify', '--keyring', keyring, signed], ['verify', `--keyring=${keyring}`, '--json', signed], ['verify', '--quiet', signed, '--keyring', keyring],
    ['verify', '--keyring', stranger, '--keyring', keyring, signed], ['verify', '--keyring', stranger, signed], ['verify', '--keyring', notKeys, signed],
    ['verify', '--keyring', keyring, image], ['verify', '--keyring', keyring, '--json', missing], ['verify', '--local', '--keyring', keyring, signed],
    ['verify', '--keyring', keyring, '--fingerprints', 'ABCD', signed], ['verify', '--keyring', keyring, '--ignore-unknown-signers', '--json', signed],
    ['verify', '--keyring', keyring, '--legacy-insecure', signed], ['verify', '--keyring', keyring, '--group-id', '1', signed], ['verify', '--key', notKeys, signed],
    ['list', '--username', 'u', image],
  );
  for (const argv of taken) {
    const hot = await run(runHotCommand, argv);
    t.not(hot.code, undefined, `${argv.join(' ')}: taken`);
    t.same(hot, await run(main, argv), `${argv.join(' ')}: as yargs`);
  }
});

t.test('every other line is left to yargs, untouched', async (t) => {
  const declined = [
    [], ['verify'], ['verify', '-j', 'x.sif'], ['verify', '--keyring', 'k', '--require', 'all', 'x.sif'], ['verify', '--group-id', '1', '--group-id', '2', 'x.sif'],
    ['verify', '--keyring', '--json', 'x.sif'], ['verify', '--keyring=', 'x.sif'], ['verify', 'x.sif', '--keyring'], ['verify', '--json=false', 'x.sif'],
    ['verify', '--no-https', 'x.sif'], ['verify', '--help'], ['verify', '--certificate', 'c.pem', 'x.sif'], ['verify', '--certificate=c.pem', '--json', 'x.sif'], ['sign', 'x.sif'], ['list'], ['list', 'a', 'b'], ['list', '-'], ['list', ''], ['list', '--json', '--json', 'x'],
    ['list', '--json=true', 'x'], ['list', '--no-json', 'x'], ['list', '--help'], ['list', '-h', 'x'], ['list', '--', 'x'],
    ['dump', '--json', '1', 'x'], ['info', '-1', 'x'], ['info', '1'], ['hasOwnProperty', 'x'],
  ];
  for (const argv of declined) t.same(await run(runHotCommand, argv), { code: undefined, stdout: '', stderr: '' }, argv.join(' '));
});

t.test('a verify line that names a certificate, by flag or environment, is left to yargs (plain-verify.js has no X.509 code)', async (t) => {
  for (const name of ['SIF_VERIFY_CERTIFICATE', 'APPTAINER_VERIFY_CERTIFICATE']) {
    t.same(await run(runHotCommand, ['verify', '--keyring', 'k', 'x.sif'], { [name]: 'c.pem' }), { code: undefined, stdout: '', stderr: '' }, name);
  }
});
