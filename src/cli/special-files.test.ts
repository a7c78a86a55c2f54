/**
 * Images that are not regular files. A block device (an image written to a
 * disk, here a loop device) reads as siftool reads it; a pipe (`sif verify
 * <(curl …)`) and a character device are refused at once with one line, where
 * stat's size of 0 used to say "EOF (file is 0 bytes)" and opening a pipe
 * waited for a writer; no writer touches any of them.
 */
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, readdirSync, readFileSync, truncateSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SIF_BIN, type CliResult } from '../test-support/cli.js';
import { GO_IMAGES, whenAvailable, withReference } from '../test-support/reference.js';
import { signedImage } from '../test-support/signed.js';
import { EXIT_CODES } from './exit-codes.js';

/** A real `bin/sif`, bounded: a refusal that waited for a pipe's writer would otherwise hang the test. */
function sif(args: string[]): CliResult {
  const r = spawnSync(SIF_BIN, args, { timeout: 30_000, maxBuffer: 1 << 26 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString() };
}

function refused(t: Test, r: CliResult, message: string, label: string): void {
  t.same({ code: r.code, stdout: r.stdout.toString(), stderr: r.stderr }, { code: EXIT_CODES.SIF_IO, stdout: '', stderr: `sif: ${message}\n` }, label);
}

t.test('a pipe: refused at once, not waited on', async (t) => {
  const fifo = join(t.testdir(), 'image.sif');
  t.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
  for (const command of [['list'], ['header'], ['info', '1'], ['verify']]) {
    refused(t, sif([...command, fifo]), `read ${fifo}: illegal seek (a pipe: save the image to a file first)`, command[0]!);
  }
  for (const command of [['add', '--datatype', '1', fifo, SIF_BIN], ['del', '1', fifo], ['setprim', '1', fifo], ['new', fifo]]) {
    refused(t, sif(command), `${fifo}: not a regular file (sif changes image files only)`, command[0]!);
  }
  t.ok(lstatSync(fifo).isFIFO(), 'still a pipe');
  refused(t, sif(['sign', '--key', SIF_BIN, fifo]), `read ${fifo}: illegal seek (a pipe: save the image to a file first)`, 'sign reads the image first');
  t.same(readdirSync(dirname(fifo)), ['image.sif'], 'no lock or journal beside it');
});

withReference(t, 'a character device: refused where siftool finds no SIF magic', ['siftool'], async (t) => {
  refused(t, sif(['list', '/dev/zero']), 'read /dev/zero: not a regular file or block device', 'sif list');
  t.match(spawnSync('siftool', ['list', '/dev/zero']).stderr.toString(), /^Error: invalid SIF magic/, 'siftool list');
});

// `sif new` renames a new image over the path: over a device node it would have replaced the device (as root, /dev/zero).
const noMknod = process.getuid?.() !== 0 ? 'device nodes need root' : undefined;
t.test('sif new, add, del, pull --force over a device node: refused, the node kept', { skip: noMknod ?? false }, async (t) => {
  const dir = t.testdir();
  const nodes = { zero: ['c', '1', '5'], loop: ['b', '7', '0'] };
  for (const [name, [kind, major, minor]] of Object.entries(nodes)) {
    const node = join(dir, name);
    if (!t.equal(spawnSync('mknod', [node, kind!, major!, minor!]).status, 0, `mknod ${name}`)) continue;
    // pull refuses before it asks the registry (nothing listens on port 9 here).
    const pull = ['pull', '--force', 'oras://127.0.0.1:9/none:1', node];
    for (const command of [['new', node], ['add', '--datatype', '1', node, SIF_BIN], ['del', '1', node], pull]) {
      refused(t, sif(command), `${node}: not a regular file (sif changes image files only)`, `${command[0]} ${name}`);
    }
    const st = lstatSync(node);
    t.ok(kind === 'c' ? st.isCharacterDevice() : st.isBlockDevice(), `${name}: still a device`);
  }
  t.same(readdirSync(dir).sort(), ['loop', 'zero'], 'no temporary file or lock left');
});

/** A loop device over `file`, detached when the test ends; undefined when this machine cannot make one. */
function loopDevice(t: Test, file: string): string | undefined {
  const r = spawnSync('losetup', ['--find', '--show', file], { encoding: 'utf8' });
  const device = r.status === 0 ? r.stdout.trim() : undefined;
  if (device) t.teardown(() => void spawnSync('losetup', ['--detach', device]));
  return device;
}

const noLoopDevices =
  process.getuid?.() !== 0 ? 'loop devices need root' : spawnSync('losetup', ['--find']).status !== 0 ? 'no free loop device (losetup --find)' : undefined;

whenAvailable(t, 'a block device reads as siftool reads it; verify passes; writers refuse it', noLoopDevices, async (t) => {
  const missing = !existsSync(GO_IMAGES) || spawnSync('siftool', ['--help']).error ? 'siftool and the Go test images' : undefined;
  if (!t.notOk(missing, `${missing} are needed`)) return;
  const dir = t.testdir();
  const { image, keyring } = await signedImage(dir, join(GO_IMAGES, 'two-groups.sif'));
  // A loop device ends at the last whole 512-byte sector: pad the image, as a disk holding one is.
  const padded = join(dir, 'padded.sif');
  copyFileSync(image, padded);
  truncateSync(padded, Math.ceil(readFileSync(image).length / 512) * 512 + 512);
  const device = loopDevice(t, padded);
  if (!t.ok(device, 'losetup made a loop device')) return;

  for (const command of [['list'], ['header'], ['info', '1'], ['info', '3'], ['dump', '1']]) {
    const ours = sif([...command, device!]);
    const theirs = spawnSync('siftool', [...command, device!]);
    t.same({ code: ours.code, stdout: ours.stdout.toString('latin1') }, { code: theirs.status, stdout: theirs.stdout.toString('latin1') }, `sif ${command.join(' ')} = siftool`);
  }
  const onFile = sif(['verify', '--keyring', keyring, image]);
  const onDevice = sif(['verify', '--keyring', keyring, device!]);
  t.equal(onDevice.code, 0, `verify passes: ${onDevice.stderr}`);
  t.equal(onDevice.stderr.replaceAll(device!, 'IMG'), onFile.stderr.replaceAll(image, 'IMG'), 'the same report as for the file');

  const before = readFileSync(padded);
  refused(t, sif(['add', '--datatype', '1', device!, keyring]), `${device}: not a regular file (sif changes image files only)`, 'add');
  refused(t, sif(['del', '1', device!]), `${device}: not a regular file (sif changes image files only)`, 'del');
  t.ok(readFileSync(padded).equals(before), 'the device unchanged');
  t.notOk(existsSync(`${device}.lock`), 'no lock file beside the device');
});
