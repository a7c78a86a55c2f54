import t, { type Test } from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { runCli, SIF_BIN } from '../../../test-support/cli.js';
import { NOBODY, nobodyCanRunSif } from '../../../test-support/processes.js';
import { goKeyring, snapshot } from '../../../test-support/keys.js';
import { REPO_ROOT, whenAvailable, withReference } from '../../../test-support/reference.js';

/** Unencrypted Ed25519 secret keys, concatenated as a binary key file, and their fingerprints. */
async function secretKeyFile(path: string, count: number) {
  const keys = await Promise.all(
    Array.from({ length: count }, (_, i) => openpgp.generateKey({ type: 'ecc', userIDs: [{ name: `Key ${i}`, email: `k${i}@example.com` }], format: 'object' })),
  );
  writeFileSync(path, Buffer.concat(keys.map((k) => k.privateKey.write())));
  return keys.map((k) => k.privateKey.getFingerprint().toUpperCase());
}

async function keysDirWithOneKey(dir: string) {
  const keysDir = join(dir, 'keys');
  const r = await runCli(['key', 'newpair', '--keysdir', keysDir, '-N', 'Base', '-E', 'base@example.com', '--algorithm', 'ed25519', '--password', '']);
  if (r.code !== 0) throw new Error(r.stderr);
  return keysDir;
}

t.test('wrong modes are fixed with Apptainer\'s warnings', async (t) => {
  const keysDir = await keysDirWithOneKey(t.testdir());
  chmodSync(keysDir, 0o755);
  chmodSync(join(keysDir, 'pgp-public'), 0o644);
  const r = await runCli(['key', 'list', '--keysdir', keysDir]);
  t.equal(r.code, 0);
  t.equal(
    r.stderr,
    `sif: warning: Directory mode (755) on ${keysDir} needs to be 700, fixing that...\n` +
      `sif: warning: File mode (644) on ${join(keysDir, 'pgp-public')} needs to be 600, fixing that...\n`,
  );
  t.equal(statSync(keysDir).mode & 0o777, 0o700);
  t.equal(statSync(join(keysDir, 'pgp-public')).mode & 0o777, 0o600);
  t.equal((await runCli(['key', 'list', '--keysdir', keysDir])).stderr, '', 'fixed once');
  const shared = join(keysDir, '..', 'shared');
  mkdirSync(shared);
  chmodSync(shared, 0o1777);
  const sticky = await runCli(['key', 'list', '--keysdir', shared]);
  t.equal(sticky.code, 3);
  t.equal(sticky.stderr, `sif: refusing to use ${shared} as a keys directory: it is a shared directory (sticky bit set)\n`);
  t.equal(statSync(shared).mode & 0o7777, 0o1777, 'a shared directory like /tmp is never chmod-ed');
  const listEmpty = await runCli(['key', 'list', '--keysdir', join(keysDir, 'missing')]);
  t.equal(listEmpty.stdout.toString(), `Public key listing (${join(keysDir, 'missing', 'pgp-public')}):\n\n`, 'a missing keys directory lists empty and is not created');
});

t.test('symlinked keyrings, directories and other users\' keyrings are refused with one line', async (t) => {
  const dir = t.testdir({ elsewhere: 'not a keyring, must stay as it is' });
  const keysDir = await keysDirWithOneKey(dir);
  const linked = join(dir, 'linked');
  mkdirSync(linked, { mode: 0o700 });
  symlinkSync(join(dir, 'elsewhere'), join(linked, 'pgp-public'));
  const key = join(dir, 'key.pgp');
  await runCli(['key', 'export', '--keysdir', keysDir, '--keyidx', '0', key]);
  for (const args of [['list'], ['import', key], ['remove', '0'.repeat(40)]]) {
    const r = await runCli(['key', ...args, '--keysdir', linked]);
    t.equal(r.code, 3, args[0]!);
    t.equal(r.stderr, `sif: open ${join(linked, 'pgp-public')}: refusing to follow a symbolic link\n`);
  }
  t.equal(readFileSync(join(dir, 'elsewhere'), 'utf8'), 'not a keyring, must stay as it is');
  const force = await runCli(['key', 'export', '--keysdir', keysDir, '--keyidx', '0', '--force', join(linked, 'pgp-public')]);
  t.equal(force.code, 3, 'export --force does not write through a symlink either');

  for (const args of [['list'], ['import', key]]) {
    const notDir = await runCli(['key', ...args, '--keysdir', join(dir, 'elsewhere')]);
    t.equal(notDir.code, 3, `${args[0]!} with a file as keys directory`);
    t.equal(notDir.stderr, `sif: ${join(dir, 'elsewhere')}: not a directory\n`);
  }
  t.equal(statSync(join(dir, 'elsewhere')).mode & 0o777, 0o644, 'a file named as keys directory is not chmod-ed');
  const dirAsFile = join(dir, 'dir-as-file');
  mkdirSync(join(dirAsFile, 'pgp-public'), { recursive: true, mode: 0o700 });
  const r = await runCli(['key', 'import', '--keysdir', dirAsFile, key]);
  t.equal(r.code, 3);
  t.equal(r.stderr, `sif: ${join(dirAsFile, 'pgp-public')}: not a regular file\n`);

  // A real skip, not a silent return: switching to another user needs root.
  const notRoot = process.getuid?.() === 0 ? false : 'switching to user nobody needs root';
  await t.test('as user nobody: permission denied, the keyrings unchanged', { skip: notRoot }, async (t: Test) => {
    const before = snapshot(keysDir);
    // `env -i`: tap's coverage hooks ride along in the environment and would write where nobody may not.
    const nobody = [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'env', '-i', `PATH=${process.env.PATH}`];
    if (!nobodyCanRunSif(t)) return;
    const asNobody = spawnSync('setpriv', [...nobody, process.execPath, SIF_BIN, 'key', 'import', '--keysdir', keysDir, key]);
    t.equal(asNobody.status, 3);
    t.equal(asNobody.stderr.toString(), `sif: open ${join(keysDir, 'pgp-public')}: permission denied\n`);
    t.same(snapshot(keysDir), before);
  });
});

/** A read-only bind mount needs user and mount namespaces (`unshare -rm`). */
const unshareWorks = () => spawnSync('unshare', ['-rm', 'true']).status === 0;

const unshareMissing = unshareWorks() ? undefined : 'unshare -rm (user and mount namespaces) is not available here';
whenAvailable(t, 'a read-only keys directory fails with one line and the keyrings unchanged', unshareMissing, async (t: Test) => {
  const dir = t.testdir();
  const keysDir = await keysDirWithOneKey(dir);
  const file = join(dir, 'new.pgp');
  await secretKeyFile(file, 1);
  const before = snapshot(keysDir);
  for (const args of [['import', file], ['remove', '--both', JSON.parse((await runCli(['key', 'list', '--json', '--keysdir', keysDir])).stdout.toString()).keys[0].fingerprint]]) {
    const r = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount --bind -o ro "$0" "$0" && exec "$@"', keysDir, process.execPath, SIF_BIN, 'key', ...args, '--keysdir', keysDir]);
    t.equal(r.status, 3, args[0]!);
    t.equal(r.stderr.toString(), `sif: write ${join(keysDir, '.sif-keyring.lock')}: read-only file system\n`);
    t.same(snapshot(keysDir), before);
  }
});

t.test('concurrent writers do not lose each other\'s keys', async (t) => {
  const dir = t.testdir();
  const keysDir = await keysDirWithOneKey(dir);
  const files = await Promise.all([0, 1, 2, 3].map(async (i) => ({ path: join(dir, `k${i}.pgp`), fps: await secretKeyFile(join(dir, `k${i}.pgp`), 1) })));
  const codes = await Promise.all(
    files.map(({ path }) => new Promise<number | null>((resolve) => spawn(SIF_BIN, ['key', 'import', '--keysdir', keysDir, path]).on('exit', resolve))),
  );
  t.same(codes, [0, 0, 0, 0]);
  const listed = JSON.parse((await runCli(['key', 'list', '--json', '--secret', '--keysdir', keysDir])).stdout.toString()) as { keys: { fingerprint: string }[] };
  t.same(new Set(listed.keys.map((k) => k.fingerprint)), new Set([listed.keys[0]!.fingerprint, ...files.flatMap((f) => f.fps)]));
  t.same(readdirSync(keysDir).sort(), ['pgp-public', 'pgp-secret'], 'no lock or temp file left behind');
});

t.test('the lock: a live holder makes writers wait and then fail clearly; a dead one is cleaned up', async (t) => {
  const { withLock } = (await import(join(REPO_ROOT, 'dist/keys/lock.js'))) as typeof import('../../../keys/lock.js');
  const { currentOwner } = (await import(join(REPO_ROOT, 'dist/locks/owner.js'))) as typeof import('../../../locks/owner.js');
  const dir = t.testdir();
  const keysDir = await keysDirWithOneKey(dir);
  const lockPath = join(keysDir, '.sif-keyring.lock');
  const ownerLine = (o: object) => `${JSON.stringify({ ...currentOwner(), ...o })}\n`;
  writeFileSync(lockPath, ownerLine({}));
  await t.rejects(withLock(lockPath, async () => 'never', { timeoutMs: 150, pollMs: 20 }), {
    code: 'SIF_LOCKED',
    message: `keyring is locked by process ${process.pid} on ${hostname()} (lock file ${lockPath}); try again, or remove the lock file if that process is gone`,
  });
  const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
  // Not proven dead: another host, another PID namespace, or the "PID HOST" line of an older sif.
  for (const [holder, shown] of [
    [ownerLine({ pid: dead, host: 'some-other-host' }), /on some-other-host/],
    [ownerLine({ pid: dead, pidns: 'pid:[1]' }), new RegExp(`process ${dead} on `)],
    [`${dead} ${hostname()}\n`, new RegExp(`process ${dead} on ${hostname()} `)],
  ] as const) {
    writeFileSync(lockPath, holder);
    await t.rejects(withLock(lockPath, async () => 'never', { timeoutMs: 50 }), { code: 'SIF_LOCKED', message: shown });
  }
  writeFileSync(lockPath, ownerLine({ pid: dead, start: undefined }));
  t.equal(await withLock(lockPath, async () => 'ran', { timeoutMs: 1000 }), 'ran', 'a lock left by a dead process is broken');
  writeFileSync(lockPath, '');
  const old = new Date(Date.now() - 60_000);
  const { utimesSync } = await import('node:fs');
  utimesSync(lockPath, old, old);
  t.equal(await withLock(lockPath, async () => 'ran', { timeoutMs: 1000 }), 'ran', 'an empty lock left by a writer killed at birth is broken');
  t.same(readdirSync(keysDir).sort(), ['pgp-public', 'pgp-secret']);
});

t.test('an import refused as bringing nothing still breaks a dead writer\'s lock', async (t) => {
  const { currentOwner } = (await import(join(REPO_ROOT, 'dist/locks/owner.js'))) as typeof import('../../../locks/owner.js');
  const dir = t.testdir();
  const keysDir = await keysDirWithOneKey(dir);
  const exported = join(dir, 'base.asc');
  t.equal((await runCli(['key', 'export', '--keysdir', keysDir, '--armor', '--keyidx', '0', exported])).code, 0);
  // A writer killed after writing (SIGKILL) leaves its lock and the keyrings already complete.
  const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
  writeFileSync(join(keysDir, '.sif-keyring.lock'), `${JSON.stringify({ ...currentOwner(), pid: dead, start: undefined })}\n`);
  const again = await runCli(['key', 'import', '--keysdir', keysDir, exported]);
  t.match(again, { code: 6, stderr: /already belongs to the keyring\n$/ });
  t.same(readdirSync(keysDir).sort(), ['pgp-public', 'pgp-secret'], 'the dead writer\'s lock is gone');
});

withReference(t, 'SIGKILL at any moment leaves each keyring parseable with the old or the new key set', ['go', 'go-sif'], async (t: Test) => {
  const dir = t.testdir();
  const base = await keysDirWithOneKey(dir);
  const file = join(dir, 'import.pgp');
  const added = await secretKeyFile(file, 8);
  const old = { pub: readFileSync(join(base, 'pgp-public')), sec: readFileSync(join(base, 'pgp-secret')) };
  const oldFps = goKeyring(join(base, 'pgp-public')).keys.map((k) => k.fingerprint);
  const start = Date.now();
  spawnSync(SIF_BIN, ['key', 'import', '--keysdir', join(dir, 'timing'), file]);
  const fullRun = Date.now() - start;
  const outcomes = new Set<string>();
  for (let i = 0; i < 12; i++) {
    const keysDir = join(dir, `run${i}`);
    cpSync(base, keysDir, { recursive: true });
    const child = spawn(SIF_BIN, ['key', 'import', '--keysdir', keysDir, file]);
    const delay = Math.floor(Math.random() * fullRun * 1.2);
    const timer = setTimeout(() => child.kill('SIGKILL'), delay);
    await new Promise((resolve) => child.on('exit', resolve));
    clearTimeout(timer);
    const sec = readFileSync(join(keysDir, 'pgp-secret'));
    t.ok(sec.equals(old.sec) || sec.equals(Buffer.concat([old.sec, readFileSync(file)])), `run ${i} (kill after ${delay} ms): pgp-secret is old or complete`);
    const pubFps = goKeyring(join(keysDir, 'pgp-public')).keys.map((k) => k.fingerprint);
    const pubState = JSON.stringify(pubFps) === JSON.stringify(oldFps) ? 'old' : JSON.stringify(pubFps) === JSON.stringify([...oldFps, ...added]) ? 'new' : 'broken';
    t.not(pubState, 'broken', `run ${i}: pgp-public holds the old or the complete new key set`);
    t.equal(goKeyring(join(keysDir, 'pgp-secret')).error, undefined, `run ${i}: go-crypto reads pgp-secret`);
    outcomes.add(`${sec.equals(old.sec) ? 'old' : 'new'}/${pubState}`);
    // The next writer breaks the dead writer's lock, sweeps its temp files and completes the import.
    const again = spawnSync(SIF_BIN, ['key', 'import', '--keysdir', keysDir, file]);
    if (pubState !== 'new') t.equal(again.status, 0, again.stderr.toString());
    t.same(goKeyring(join(keysDir, 'pgp-public')).keys.map((k) => k.fingerprint), [...oldFps, ...added]);
    t.same(readdirSync(keysDir).sort(), ['pgp-public', 'pgp-secret']);
  }
  t.comment(`outcomes seen (secret/public): ${[...outcomes].sort().join(', ')}`);
});

t.test('atomic replacement under SIGKILL: the file is always one complete version', async (t) => {
  const dir = t.testdir();
  const target = join(dir, 'ring');
  const size = 4 << 20;
  const script = `
    const { replaceFileAtomically } = await import(${JSON.stringify(join(REPO_ROOT, 'dist/keys/store.js'))});
    const versions = [Buffer.alloc(${size}, 0x61), Buffer.alloc(${size}, 0x62)];
    for (let i = 0; ; i++) await replaceFileAtomically(${JSON.stringify(target)}, versions[i % 2], 0o600);`;
  writeFileSync(target, Buffer.alloc(size, 0x61), { mode: 0o600 });
  for (let i = 0; i < 8; i++) {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script]);
    setTimeout(() => child.kill('SIGKILL'), 150 + Math.floor(Math.random() * 300));
    await new Promise((resolve) => child.on('exit', resolve));
    const bytes = readFileSync(target);
    t.ok(bytes.length === size && (bytes.every((b) => b === 0x61) || bytes.every((b) => b === 0x62)), `kill ${i}: one complete version`);
    t.equal(statSync(target).mode & 0o777, 0o600);
  }
});
