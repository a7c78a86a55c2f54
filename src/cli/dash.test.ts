/**
 * A lone "-" argument means the same to every command: stdin for an input,
 * stdout for an output, and a one-line usage error (exit 2) where a file is
 * needed. yargs alone would turn it into '' or drop it.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, SIF_BIN, spawnCli } from '../test-support/cli.js';
import { openpgpKey } from '../test-support/pgp.js';
import { sparseImage } from '../test-support/sparse.js';
import { protectDash, restoreDash, showDash } from './dash.js';

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

t.test('a SIF image or a definition file cannot be "-": exit 2, one line, nothing changed', async (t) => {
  const dir = t.testdir();
  const image = join(dir, 'image.sif');
  await sparseImage(image, [4096]);
  const before = sha(image);
  const def = join(dir, 'app.def');
  writeFileSync(def, 'Bootstrap: library\nFrom: alpine\n');
  const notImage = 'sif: IMAGE cannot be "-": a SIF image must be a file (for a file named -, write ./-)\n';
  const notDefinition = 'sif: DEFINITION cannot be "-": apptainer build reads the definition from a file (for a file named -, write ./-)\n';
  type Case = [args: string[], stderr: string];
  const cases: Case[] = [
    ...[['list'], ['header'], ['info', '1'], ['dump', '1'], ['new'], ['del', '1'], ['setprim', '1'], ['sign'], ['verify']].map((c): Case => [[...c, '-'], notImage]),
    [['list', '--json', '-'], notImage],
    [['add', '--datatype', '7', '-', image], notImage],
    [['verify', '--keyring', image, '--fingerprints', '0'.repeat(40), '-'], notImage],
    [['bootstrap-check', def, '-'], notImage],
    [['bootstrap-check', '-'], notDefinition],
    [['info', '-', image], 'sif: while converting id: strconv.ParseUint: parsing "-": invalid syntax\n'],
    [['list', image, '-'], 'sif: Unknown argument: -\n'],
  ];
  for (const [args, stderr] of cases) {
    const r = await runCli(args, {}, 'stdin data');
    t.same([r.code, r.stderr, r.stdout.length], [2, stderr, 0], `sif ${args.join(' ')}`);
  }
  t.equal(sha(image), before, 'the image is unchanged');
});

t.test('"-" is stdin for `add` and `key import`, stdout for `key export`', async (t) => {
  const dir = t.testdir();
  const image = join(dir, 'image.sif');
  t.equal((await runCli(['new', image])).code, 0);
  const added = await runCli(['add', '--datatype', '7', image, '-'], {}, 'from stdin');
  t.equal(added.code, 0, added.stderr);
  t.equal((await runCli(['dump', '1', image])).stdout.toString(), 'from stdin');

  const key = await openpgpKey(dir, 'ecc');
  const keysDir = join(dir, 'keys');
  const imported = await runCli(['key', 'import', '--keysdir', keysDir, '-'], {}, readFileSync(key.publicPath));
  t.equal(imported.code, 0, imported.stderr);
  t.equal(imported.stdout.toString(), `Key with fingerprint ${key.fingerprint} successfully added to the public keyring\n`);
  const exported = await runCli(['key', 'export', '--keysdir', keysDir, '--armor', '--fingerprint', key.fingerprint, '-']);
  t.equal(exported.code, 0, exported.stderr);
  t.match(exported.stdout.toString(), /^-----BEGIN PGP PUBLIC KEY BLOCK-----\n/);

  const bad = await runCli(['key', 'import', '--keysdir', keysDir, '-'], {}, 'not a key');
  t.same([bad.code, bad.stderr], [6, 'sif: stdin: not a valid OpenPGP keyring: not an OpenPGP packet at byte 0 (0x6e)\n']);
});

t.test('add IMG - refuses a closed stdin; an open, empty one adds an empty object', async (t) => {
  const dir = t.testdir();
  const image = join(dir, 'image.sif');
  t.equal((await runCli(['new', image])).code, 0);
  const before = sha(image);
  // A real process, as users run it: the shell closes fd 0 and Node puts /dev/null there.
  const sh = (redirect: string) => spawnSync('sh', ['-c', `exec "$0" add --datatype 7 "$1" - ${redirect}`, SIF_BIN, image], { encoding: 'utf8' });
  const closed = sh('0<&-');
  t.same([closed.status, closed.stderr], [2, 'sif: FILE is "-" but stdin is closed: pipe the data in, or name a file\n']);
  t.equal(sha(image), before, 'the image is unchanged');
  for (const redirect of ['< /dev/null', '< "$1.empty"']) {
    writeFileSync(`${image}.empty`, '');
    const r = sh(redirect);
    t.same([r.status, r.stderr], [0, ''], redirect);
  }
  const piped = spawnCli(['add', '--datatype', '7', image, '-'], { input: '' });
  t.same([piped.code, piped.stderr], [0, ''], 'an empty pipe');
  t.match((await runCli(['list', image])).stdout.toString(), /3 +\|NONE +\|NONE +\|\d+-\d+ +\|Generic\/Raw/);
});

t.test('key import - of an encrypted secret key: the passphrase cannot come from the consumed stdin', async (t) => {
  const dir = t.testdir();
  const key = await openpgpKey(dir, 'ecc', 'pw');
  const keysDir = join(dir, 'keys');
  // A real process: stdin is read to its end before the passphrase is asked for, and nothing waits forever.
  const r = spawnCli(['key', 'import', '--keysdir', keysDir, '-'], { input: readFileSync(key.secretPath) });
  t.same([r.code, r.stderr], [2, 'sif: a passphrase is needed: stdin ended before one was given\n']);
  writeFileSync(join(dir, 'pw'), 'pw\n');
  const ok = spawnCli(['key', 'import', '--keysdir', keysDir, '--password-file', join(dir, 'pw'), '-'], { input: readFileSync(key.secretPath) });
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.stdout.toString(), /successfully added to the private keyring/);
});

t.test('"-" crosses the parser as a token and comes back in every value', async (t) => {
  const [token] = protectDash(['-']);
  t.same(protectDash(['add', '--', '-x', '-', '--']).filter((a) => a === token).length, 1, 'only a lone "-"');
  const argv: Record<string, unknown> = { _: ['add', token], file: token, keyring: [token, 'k.asc'], quiet: false };
  restoreDash(argv);
  t.same(argv, { _: ['add', '-'], file: '-', keyring: ['-', 'k.asc'], quiet: false });
  t.equal(showDash(`Unknown argument: ${token}`), 'Unknown argument: -');
  t.throws(() => restoreDash({ image: token }), { code: 'SIF_USAGE', message: /^IMAGE cannot be "-"/ });
});
