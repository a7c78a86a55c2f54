/**
 * A really full disk: a small tmpfs mounted for the test (needs root). Every
 * write that runs out of space fails with exit 3 and leaves the image
 * byte-identical. Where the mount is impossible the test skips, or fails under
 * SIF_REQUIRE_REFERENCE=1 so CI cannot pass it silently.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../test-support/cli.js';
import { whenAvailable } from '../test-support/reference.js';

const REPO = new URL('../../', import.meta.url).pathname;
const ALL_TYPES = join(REPO, 'testdata/images/all-types.sif');

/** Mounts a tmpfs of `size` on a fresh directory, or says why it cannot. */
function mountTmpfs(size: string): { dir: string } | { reason: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sif-full-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  if (r.status === 0) return { dir };
  rmdirSync(dir);
  return { reason: `cannot mount a tmpfs (${r.stderr?.toString().trim() || r.error?.message}); run as root` };
}

/** Fills the file system until a write fails. */
function fill(dir: string): void {
  const chunk = Buffer.alloc(4096, 1);
  for (let i = 0; ; i++) {
    try {
      writeFileSync(join(dir, `filler-${i}`), chunk);
    } catch {
      return;
    }
  }
}

const mounted = mountTmpfs('256k');
if ('reason' in mounted) {
  whenAvailable(t, 'disk full on a real file system', mounted.reason, () => undefined);
} else {
  const { dir } = mounted;
  t.teardown(() => {
    spawnSync('umount', [dir]);
    rmdirSync(dir);
  });
  const image = join(dir, 'image.sif');
  const big = join(t.testdir(), 'big.bin');
  writeFileSync(big, Buffer.alloc(1 << 20, 'x'));

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tap's plugin-extended Test type is not nameable here
  const expectFull = async (t: any, args: string[]) => {
    const before = existsSync(image) ? readFileSync(image) : undefined;
    const r = await runCli(args);
    t.equal(r.code, 3, args.join(' '));
    t.match(r.stderr, /^sif: write \S+: no space left on device\n$/);
    if (before) t.ok(readFileSync(image).equals(before), 'image byte-identical');
    t.same(readdirSync(dir).filter((f) => f.endsWith('.lock') || f.endsWith('.tmp')), [], 'no lock or temporary file left');
  };

  t.test('an object larger than the free space', async (t) => {
    copyFileSync(ALL_TYPES, image);
    await expectFull(t, ['add', '--datatype', '7', image, big]);
    await expectFull(t, ['add', '--datatype', '4', '--partfs', '4', '--parttype', '3', '--partarch', '2', image, big]);
  });

  t.test('a disk with no space left at all', async (t) => {
    copyFileSync(ALL_TYPES, image);
    fill(dir);
    await expectFull(t, ['add', '--datatype', '7', image, join(REPO, 'testdata/inputs/notes.txt')]);
    await expectFull(t, ['del', '--zero', '4', image]);
    await expectFull(t, ['setprim', '4', image]);
    await expectFull(t, ['new', image]);
    await expectFull(t, ['new', join(dir, 'other.sif')]);
    t.notOk(existsSync(join(dir, 'other.sif')));
  });
}

