/**
 * Real file-system faults for every command that writes an image or a
 * keyring: a full disk (a small tmpfs), a read-only file system (the tmpfs
 * remounted read-only) and a file the user may not write (sif run as nobody).
 * Each ends in one clear line and exit 3, with every file byte-identical and
 * no lock or temporary file left. Needs root for mount and setuid; without it
 * the test skips, and fails under SIF_REQUIRE_REFERENCE=1.
 */
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, whenAvailable } from '../test-support/reference.js';
import { NOBODY, nobodyCanRunSif, runSif } from '../test-support/processes.js';
import { freshKey } from '../test-support/signed.js';

const ALL_TYPES = join(REPO_ROOT, 'testdata/images/all-types.sif');
const NOTES = join(REPO_ROOT, 'testdata/inputs/notes.txt');

function cannot(reason: string): void {
  whenAvailable(t, 'write faults on a real file system', reason, () => undefined);
}

function mountTmpfs(size: string): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'sif-fault-'));
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir]).status === 0) return dir;
  rmdirSync(dir);
  return undefined;
}

/** Every file under `dir` with its bytes, for before/after comparison. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out[join(entry.parentPath, entry.name)] = readFileSync(join(entry.parentPath, entry.name)).toString('base64');
  }
  return out;
}

function fill(dir: string): void {
  for (let i = 0; ; i++) {
    try {
      writeFileSync(join(dir, `filler-${i}`), Buffer.alloc(4096, 1));
    } catch {
      return;
    }
  }
}

interface Setup {
  image: string;
  keysDir: string;
  secret: string;
  newKey: string;
  fingerprint: string;
}

/** An image, a keys directory holding one key, and key files to sign with and to import. */
async function prepare(dir: string, outside: string): Promise<Setup> {
  const [key, other] = [await freshKey('ecc', 'Fault Test'), await freshKey('ecc', 'Another')];
  const image = join(dir, 'image.sif');
  copyFileSync(ALL_TYPES, image);
  const keysDir = join(dir, 'keys');
  mkdirSync(keysDir, { mode: 0o700 });
  const secret = join(outside, 'secret.asc');
  const newKey = join(outside, 'other.asc');
  writeFileSync(secret, key.armor());
  writeFileSync(newKey, other.armor());
  const r = await runSif(['key', 'import', '--keysdir', keysDir, secret]);
  if (r.code !== 0) throw new Error(r.stderr);
  return { image, keysDir, secret, newKey, fingerprint: key.getFingerprint() };
}

/** Every writing command, on `s`. */
const writers = (s: Setup): [string, string[]][] => [
  ['sign', ['sign', '--keyring', s.secret, s.image]],
  ['add', ['add', '--datatype', '7', s.image, NOTES]],
  ['del', ['del', '--zero', '4', s.image]],
  ['setprim', ['setprim', '4', s.image]],
  ['new', ['new', join(s.image, '..', 'new.sif')]],
  ['key import', ['key', 'import', '--keysdir', s.keysDir, s.newKey]],
  ['key newpair', ['key', 'newpair', '--keysdir', s.keysDir, '-N', 'New', '-E', 'new@example.com', '--algorithm', 'ed25519', '--password', '']],
  ['key remove', ['key', 'remove', '--keysdir', s.keysDir, '--both', s.fingerprint]],
];

async function expectRefused(t: Test, dir: string, s: Setup, message: RegExp, run: (args: string[]) => ReturnType<typeof runSif>): Promise<void> {
  for (const [name, args] of writers(s)) {
    const before = snapshot(dir);
    const r = await run(args);
    t.equal(r.code, 3, `${name}: exit 3 (${r.stderr.trim()})`);
    t.match(r.stderr, message, `${name}: one clear line`);
    t.same(snapshot(dir), before, `${name}: every file unchanged, nothing left behind`);
  }
}

const root = process.getuid?.() === 0;
const disk = root ? mountTmpfs('4m') : undefined;
if (!disk) {
  cannot(root ? 'cannot mount a tmpfs' : 'not root: cannot mount a tmpfs or run as another user');
} else {
  t.teardown(() => {
    spawnSync('umount', [disk]);
    rmdirSync(disk);
  });

  t.test('a full disk', async (t) => {
    const dir = join(disk, 'full');
    mkdirSync(dir);
    const s = await prepare(dir, t.testdir());
    fill(disk);
    await expectRefused(t, dir, s, /^(sif: warning: [^\n]*\n)*sif: write \S+: no space left on device\n$/, (args) => runSif(args));
    for (const f of readdirSync(disk).filter((f) => f.startsWith('filler-'))) spawnSync('rm', [join(disk, f)]);
  });

  t.test('a read-only file system', async (t) => {
    const dir = join(disk, 'ro');
    mkdirSync(dir);
    const s = await prepare(dir, t.testdir());
    t.equal(spawnSync('mount', ['-o', 'remount,ro', disk]).status, 0, 'remounted read-only');
    try {
      await expectRefused(t, dir, s, /^(sif: warning: [^\n]*\n)*sif: (write|open) \S+: read-only file system\n$/, (args) => runSif(args));
    } finally {
      spawnSync('mount', ['-o', 'remount,rw', disk]);
    }
  });

  t.test('files the user may not write (sif run as nobody)', async (t) => {
    if (!nobodyCanRunSif(t)) return;
    const dir = join(disk, 'perm');
    mkdirSync(dir);
    const s = await prepare(dir, t.testdir());
    chmodSync(s.secret, 0o644); // readable by nobody, like a key the user owns
    chmodSync(join(s.secret, '..'), 0o755);
    const asNobody = (args: string[]) => {
      // Through sh and without NODE_OPTIONS: tap's coverage hooks in a node child would try to write as nobody.
      const env = { PATH: process.env.PATH, HOME: dir };
      const script = 'unset NODE_OPTIONS; exec "$0" "$@"';
      const r = spawnSync('sh', ['-c', script, process.execPath, join(REPO_ROOT, 'bin/sif'), ...args], { uid: NOBODY, gid: NOBODY, env });
      return Promise.resolve({ code: r.status, signal: r.signal, stdout: r.stdout.toString(), stderr: r.stderr.toString(), lockedMs: undefined });
    };
    await expectRefused(t, dir, s, /^(sif: warning: [^\n]*\n)*sif: (write|open|read) \S+: permission denied\n$/, asNobody);
  });
}
