/** The lock file: who holds it, when it is stale, and how a stale one is replayed. */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { DataType, editImage } from '../../index.js';
import { headerLayout } from '../../format/layout.js';
import { nodeFileOps } from './file-ops.js';
import { ImageLock } from './lock.js';

const REPO = new URL('../../../', import.meta.url).pathname;
const ALL_TYPES = join(REPO, 'testdata/images/all-types.sif');
const deadPid = () => spawnSync('true').pid!;
const noop = async () => undefined;

function setup(t: { testdir(): string }) {
  const image = join(t.testdir(), 'image.sif');
  copyFileSync(ALL_TYPES, image);
  const { ino, dev } = statSync(image);
  return { image, lock: `${image}.lock`, owner: { pid: deadPid(), host: hostname(), token: 't', ino, dev } };
}
const lines = (...records: object[]) => records.map((r) => `${JSON.stringify(r)}\n`).join('');

t.test('a dead writer that only began: its appended data is cut off', async (t) => {
  const { image, lock, owner } = setup(t);
  const size = statSync(image).size;
  writeFileSync(image, Buffer.alloc(5000, 9), { flag: 'a' });
  writeFileSync(lock, lines(owner, { begin: size }, { commit: 'torn' }).slice(0, -10));
  await editImage(image, noop);
  t.ok(readFileSync(image).equals(readFileSync(ALL_TYPES)));
  t.notOk(existsSync(lock));
});

t.test('a dead writer that committed: its metadata is written again', async (t) => {
  const { image, lock, owner } = setup(t);
  const h = headerLayout.decode(readFileSync(image));
  h.modifiedAt = 77n;
  const size = statSync(image).size;
  writeFileSync(image, Buffer.alloc(100, 1), { flag: 'a' });
  writeFileSync(lock, lines(owner, { begin: 1 }, { commit: { writes: [[0, headerLayout.encode(h).toString('base64')]], zero: [32176, 82], truncate: size } }));
  await editImage(image, noop);
  const bytes = readFileSync(image);
  t.equal(headerLayout.decode(bytes).modifiedAt, 77n);
  t.ok(bytes.subarray(32176, 32258).every((b) => b === 0), 'zeroed');
  t.equal(bytes.length, size, 'truncated');
});

t.test('a journal for another file (the image was replaced) is not replayed', async (t) => {
  const { image, lock, owner } = setup(t);
  writeFileSync(lock, lines({ ...owner, ino: owner.ino + 1 }, { begin: 1 }));
  await editImage(image, noop);
  t.ok(readFileSync(image).equals(readFileSync(ALL_TYPES)));
});

t.test('a reused PID (other start time) is not taken for the owner', async (t) => {
  const { image, lock, owner } = setup(t);
  writeFileSync(lock, lines({ ...owner, pid: process.pid, start: '1' }));
  await editImage(image, noop);
  t.notOk(existsSync(lock));
});

t.test('a lock from another host is never broken', async (t) => {
  const { image, lock, owner } = setup(t);
  writeFileSync(lock, lines({ ...owner, host: 'elsewhere.example' }));
  await t.rejects(editImage(image, noop), { code: 'SIF_LOCKED', message: /image is locked by process \d+ on elsewhere\.example/ });
  t.ok(existsSync(lock));
});

t.test('a lock without an owner line is stale only when old', async (t) => {
  const { image, lock } = setup(t);
  writeFileSync(lock, '{"pid":');
  await t.rejects(editImage(image, noop), { code: 'SIF_LOCKED', message: /image is locked by another writer/ });
  utimesSync(lock, new Date(0), new Date(0));
  await editImage(image, noop);
  t.notOk(existsSync(lock));
});

t.test('while another writer recovers a stale lock, it counts as held', async (t) => {
  const { image, lock, owner } = setup(t);
  writeFileSync(lock, lines(owner));
  writeFileSync(`${lock}.recover`, lines({ pid: process.pid, host: hostname(), token: 'r' }));
  await t.rejects(editImage(image, noop), { code: 'SIF_LOCKED' });
  writeFileSync(`${lock}.recover`, lines({ pid: deadPid(), host: hostname(), token: 'r' }));
  await editImage(image, noop, { lockTimeoutMs: 2000 });
  t.notOk(existsSync(lock));
  t.notOk(existsSync(`${lock}.recover`));
});

t.test('lockTimeoutMs waits for the holder to finish', async (t) => {
  const { image, lock } = setup(t);
  const held = await ImageLock.acquire(image, { ops: nodeFileOps });
  setTimeout(() => void held.release(), 300);
  const started = Date.now();
  await editImage(image, (e) => e.addObject({ dataType: DataType.Generic, data: Buffer.from('after the wait') }), { lockTimeoutMs: 5000 });
  t.ok(Date.now() - started >= 250, 'waited');
  t.notOk(existsSync(lock));
});

t.test("temporary lock files of killed writers are cleaned up", async (t) => {
  const { image, lock } = setup(t);
  const litter = `${lock}.${deadPid()}.0123abcd.tmp`;
  const mine = `${lock}.${process.pid}.0123abcd.tmp`;
  writeFileSync(litter, 'x');
  writeFileSync(mine, 'x');
  await editImage(image, noop);
  t.notOk(existsSync(litter));
  t.ok(existsSync(mine), 'a live process keeps its own');
});

t.test('a dead createImage leaves its temporary file, which the next writer removes', async (t) => {
  const { image, lock, owner } = setup(t);
  const tmp = `${image}.half-written.tmp`;
  writeFileSync(tmp, 'partial image');
  writeFileSync(lock, lines({ ...owner, tmp }));
  await editImage(image, noop);
  t.notOk(existsSync(tmp));
});

t.test('without hard links the lock is created in place', async (t) => {
  const fsp = await import('node:fs/promises');
  const { ImageLock: Mocked } = await t.mockImport<typeof import('./lock.js')>('./lock.js', {
    'node:fs/promises': { ...fsp, link: async () => Promise.reject(Object.assign(new Error('no links'), { code: 'EPERM' })) },
  });
  const { image, lock } = setup(t);
  const held = await Mocked.acquire(image, { ops: nodeFileOps });
  t.match(JSON.parse(readFileSync(lock, 'utf8')), { pid: process.pid });
  await t.rejects(Mocked.acquire(image, { ops: nodeFileOps }), { code: 'SIF_LOCKED' });
  await held.release();
  t.notOk(existsSync(lock));
});

t.test('an image replaced while a writer waits for the lock is not edited', async (t) => {
  const { image } = setup(t);
  const held = await ImageLock.acquire(image, { ops: nodeFileOps });
  const waiting = editImage(image, (e) => e.addObject({ dataType: DataType.Generic, data: Buffer.from('x') }), { lockTimeoutMs: 5000 });
  await new Promise((r) => setTimeout(r, 200));
  copyFileSync(ALL_TYPES, `${image}.new`);
  const { renameSync } = await import('node:fs');
  renameSync(`${image}.new`, image);
  await held.release();
  await t.rejects(waiting, { code: 'SIF_IO', message: /the image was replaced while waiting for its lock/ });
  t.ok(readFileSync(image).equals(readFileSync(ALL_TYPES)));
});
