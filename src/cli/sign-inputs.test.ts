import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import * as openpgp from 'openpgp';
import { GO_IMAGES, REPO_ROOT, withReference } from '../test-support/reference.js';
import { copyImage, runCli, type CliResult } from '../test-support/cli.js';
import { openpgpKey } from '../test-support/pgp.js';

const binaryKeyring = async (...armored: string[]) =>
  Buffer.concat(await Promise.all(armored.map(async (a) => Buffer.from((await openpgp.readKey({ armoredKey: a })).write()))));

async function fingerprintsIn(image: string): Promise<string[]> {
  const listed = JSON.parse((await runCli(['list', '--json', image])).stdout.toString()) as { objects: { signature?: { fingerprint: string } }[] };
  return listed.objects.flatMap((o) => (o.signature ? [o.signature.fingerprint] : []));
}

withReference(t, 'sign: bad inputs fail in one line with their exit code and leave the image unchanged', ['go-sif'], async (t) => {
  const dir = t.testdir({ 'garbage.asc': `not a key\n${'.'.repeat(200)}\n`, 'empty-keys': { 'pgp-secret': '' }, 'no-keys': {} });
  const plain = await openpgpKey(dir, 'ecc');
  const locked = await openpgpKey(dir, 'rsa', 'secret');
  const two = join(dir, 'two.gpg');
  writeFileSync(two, await binaryKeyring(readFileSync(plain.secretPath, 'utf8'), readFileSync(locked.secretPath, 'utf8')));
  const expired = await openpgp.generateKey({ type: 'ecc', userIDs: [{ name: 'Old' }], date: new Date('2020-01-01T00:00:00Z'), keyExpirationTime: 60, format: 'armored' });
  writeFileSync(join(dir, 'expired.asc'), expired.privateKey);
  const image = copyImage(dir);
  const notSif = join(dir, 'garbage.asc');
  const cases: [args: string[], code: number, stderr: RegExp, env?: NodeJS.ProcessEnv][] = [
    [['--keyring', join(dir, 'missing.asc')], 3, /^sif: open .*missing\.asc: no such file or directory$/],
    [['--keyring', join(dir, 'garbage.asc')], 6, /^sif: .*garbage\.asc: not a valid OpenPGP keyring: not an OpenPGP packet at byte 0 /],
    [['--keyring', plain.publicPath], 6, /^sif: key [0-9A-F]{40} in .* has no secret key material$/],
    [['--keyring', locked.secretPath], 6, /^sif: wrong passphrase for key [0-9A-F]{40}$/, { SIF_PASSPHRASE: 'wrong' }],
    [['--keyring', locked.secretPath], 2, /^sif: a passphrase is needed: stdin ended before one was given$/],
    [['--keyring', locked.secretPath, '--passphrase-file', join(dir, 'nope')], 3, /no such file or directory$/],
    [['--keyring', two, '--keyidx', '2'], 6, /^sif: --keyidx 2: index out of range \(.* holds 2 keys, 0-1\)$/],
    [['--keyring', two], 6, /^sif: .*two\.gpg holds 2 keys; choose one with --keyidx N: 0\) [0-9A-F]{40} openpgp\.js ecc <ecc@example\.com>; 1\) [0-9A-F]{40} openpgp\.js rsa/],
    [['--keyring', two, '--keyidx', 'x'], 2, /^sif: while converting key index: strconv\.ParseUint: parsing "x": invalid syntax$/],
    [['--keyring', plain.secretPath, '--group-id', '7'], 5, /^sif: group not found$/],
    [['--keyring', plain.secretPath, '--group-id', '0'], 5, /^sif: invalid group ID$/],
    [['--keyring', plain.secretPath, '--sif-id', '9'], 5, /^sif: object not found$/],
    [['--keyring', plain.secretPath, '--sif-id', '1,x'], 2, /^sif: while converting object ID: /],
    [['--keysdir', join(dir, 'no-keys')], 6, /^sif: no secret keyring at .*no-keys\/pgp-secret \(pass --keyring FILE or --keysdir DIR\)$/],
    [['--keysdir', join(dir, 'empty-keys')], 6, /^sif: .*pgp-secret: keyring is empty$/],
    [['--keyring', join(dir, 'expired.asc')], 6, /^sif: cannot sign with key [0-9A-F]{40}: .*expired/i],
  ];
  const before = readFileSync(image);
  for (const [args, code, stderr, env] of cases) {
    const r = await runCli(['sign', ...args, image], env ?? {});
    t.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    t.match(r.stderr.trimEnd(), stderr);
    t.equal(r.stderr.split('\n').length, 2, 'one line');
    t.ok(readFileSync(image).equals(before), 'image unchanged');
    t.notOk(existsSync(`${image}.lock`), 'no lock left behind');
  }
  const other: [string, number, RegExp][] = [
    [join(dir, 'nothing.sif'), 3, /no such file or directory/],
    [notSif, 4, /^sif: invalid SIF magic$/],
    [copyImage(dir, 'empty.sif', join(GO_IMAGES, 'empty.sif')), 5, /^sif: no groups found$/],
  ];
  for (const [img, code, stderr] of other) {
    const r = await runCli(['sign', '--keyring', plain.secretPath, img]);
    t.equal(r.code, code, img);
    t.match(r.stderr.trimEnd(), stderr);
  }
  writeFileSync(`${image}.lock`, `${JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname() })}\n`);
  const busy = await runCli(['sign', '--keyring', plain.secretPath, image]);
  t.equal(busy.code, 7, 'another writer holds the lock');
  t.match(busy.stderr, /image is locked/);
  t.ok(readFileSync(image).equals(before));
});

withReference(t, 'sign: key sources and passphrase sources', ['go-sif'], async (t) => {
  const dir = t.testdir({ keys: {}, pass: 'secret\nignored\n' });
  const a = await openpgpKey(dir, 'ecc');
  const b = await openpgpKey(dir, 'rsa', 'secret');
  writeFileSync(join(dir, 'keys/pgp-secret'), await binaryKeyring(readFileSync(a.secretPath, 'utf8'), readFileSync(b.secretPath, 'utf8')));
  const runs: [string[], NodeJS.ProcessEnv, string | undefined, string][] = [
    [['--keysdir', join(dir, 'keys'), '--keyidx', '0'], {}, undefined, a.fingerprint],
    [['--keyidx', '1', '--passphrase-file', join(dir, 'pass')], { SIF_KEYSDIR: join(dir, 'keys') }, undefined, b.fingerprint],
    [['--keyidx', '1'], { APPTAINER_KEYSDIR: join(dir, 'keys'), SIF_PASSPHRASE: 'secret' }, undefined, b.fingerprint],
    [['--keyring', b.secretPath], {}, 'secret\n', b.fingerprint],
  ];
  for (const [i, [args, env, input, fingerprint]] of runs.entries()) {
    const image = copyImage(dir, `img-${i}.sif`, join(GO_IMAGES, 'one-group.sif'));
    const r: CliResult = await runCli(['sign', ...args, image], env, input);
    t.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    t.same(await fingerprintsIn(image), [fingerprint], 'signed with the chosen key');
  }
});

withReference(t, 'sign: on a terminal, several keys are listed and one is asked for', ['go-sif'], async (t) => {
  const dir = t.testdir({ keys: {} });
  const a = await openpgpKey(dir, 'ecc');
  const b = await openpgpKey(dir, 'rsa', 'pw');
  writeFileSync(join(dir, 'keys/pgp-secret'), await binaryKeyring(readFileSync(a.secretPath, 'utf8'), readFileSync(b.secretPath, 'utf8')));
  const { main } = (await import(join(REPO_ROOT, 'dist/cli/main.js'))) as typeof import('./main.js');
  const tty = async (input: string, image: string) => {
    const stdin = Object.assign(new PassThrough(), { setRawMode: () => undefined });
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (c: Buffer) => (err += c.toString()));
    stdin.end(input);
    const code = await main(['sign', '--keysdir', join(dir, 'keys'), image], {
      stdin, stdinIsTTY: true, stdout: new PassThrough(), stderr, env: {}, stdoutIsTTY: true, stderrIsTTY: true,
    });
    return { code, err };
  };
  const image = copyImage(dir, 'img.sif', join(GO_IMAGES, 'one-group.sif'));
  const r = await tty('1\npw\r', image);
  t.equal(r.code, 0, r.err);
  t.match(r.err, /^0\) [0-9A-F]{40} openpgp\.js ecc <ecc@example\.com>\n1\) [0-9A-F]{40} openpgp\.js rsa <rsa@example\.com>\nEnter # of private key to use : Enter key passphrase : \nSignature created and applied to image '.*'\n$/, 'the hidden answer, read ahead with the key number, still ends its line');
  t.same(await fingerprintsIn(image), [b.fingerprint]);
  const bad = await tty('7\n', copyImage(dir, 'img2.sif', join(GO_IMAGES, 'one-group.sif')));
  t.equal(bad.code, 2);
  t.match(bad.err, /sif: invalid key index "7": enter 0-1\n$/);
});
