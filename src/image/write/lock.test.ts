/** The lock file: who holds it, when it is stale, and how a stale one is replayed. */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { DataType, editImage } from '../../index.js';
import { headerLayout } from '../../format/layout.js';
import { currentOwner } from '../../locks/owner.js';
import { nodeFileOps } from './file-ops.js';
import { beginRecord } from './image-state.js';
import { ImageLock } from './lock.js';

const REPO = new URL('../../../', import.meta.url).pathname;
const ALL_TYPES = join(REPO, 'testdata/images/all-types.sif');
const deadPid = () => spawnSync('true').pid!;
const noop = async () => undefined;

/** The owner line of a writer that died on this host, in this boot and PID namespace. */
const deadOwner = () => ({ ...currentOwner(), pid: deadPid(), start: undefined });

function setup(t: { testdir(): string }) {
  const image = join(t.testdir(), 'image.sif');
  copyFileSync(ALL_TYPES, image);
  const { ino, dev } = statSync(image);
  return { image, lock: `${image}.lock`, owner: { ...deadOwner(), ino, dev } };
}
const lines = (...records: object[]) => records.map((r) => `${JSON.stringify(r)}\n`).join('');

async function beginOf(image: string) {
  const handle = await open(image);
  try {
    return await beginRecord(handle, headerLayout.decode(readFileSync(image)));
  } finally {
    await handle.close();
  }
}

t.test('a dead writer that only began: its appended data is cut off', async (t) => {
  const { image, lock, owner } = setup(t);
  const begin = await beginOf(image);
  writeFileSync(image, Buffer.alloc(5000, 9), { flag: 'a' });
  writeFileSync(lock, `${lines(owner, begin)}not a record\n${lines({ commit: 'torn' }).slice(0, -10)}`);
  await editImage(image, noop);
  t.ok(readFileSync(image).equals(readFileSync(ALL_TYPES)));
  t.notOk(existsSync(lock));
});

t.test('a dead writer that never began a change changed nothing: its lock is removed', async (t) => {
  const { image, lock, owner } = setup(t);
  writeFileSync(lock, lines(owner));
  await editImage(image, noop);
  t.notOk(existsSync(lock));
});

t.test('a journal that does not match the image is moved aside, the image untouched', async (t) => {
  const cases: [name: string, records: (begin: object) => object[]][] = [
    ['another header', (begin) => [{ ...begin, state: '0'.repeat(64) }]],
    ['a shorter file', (begin) => [{ ...begin, begin: 1 << 30 }]],
    ['a journal of an older sif (no state recorded)', () => [{ begin: 1 }, { commit: { writes: [[0, 'AAAA']] } }]],
    ['records but no begin', () => [{ commit: { writes: [] } }]],
  ];
  for (const [name, records] of cases) {
    const { image, lock, owner } = setup(t);
    writeFileSync(lock, lines(owner, ...records(await beginOf(image))));
    const journal = readFileSync(lock);
    await t.rejects(editImage(image, noop), { code: 'SIF_STALE_JOURNAL', message: /the unfinished change of a killed writer \(process \d+ on .*\) does not match the image, which changed since; the image was left as it is and the journal moved to .*image\.sif\.lock\.stale-/ }, name);
    t.ok(readFileSync(image).equals(readFileSync(ALL_TYPES)), `${name}: image untouched`);
    const aside = readdirSync(join(image, '..')).filter((f) => f.startsWith('image.sif.lock.stale-'));
    t.equal(aside.length, 1, `${name}: the journal is kept aside`);
    t.ok(readFileSync(join(image, '..', aside[0]!)).equals(journal), `${name}: unchanged`);
    t.notOk(existsSync(lock), `${name}: the next writer can go ahead`);
    await editImage(image, noop);
  }
});

t.test('the journal of an image that is gone is dropped; one of a path that cannot be opened fails', async (t) => {
  const { image, lock, owner } = setup(t);
  writeFileSync(lock, lines(owner, await beginOf(image)));
  const { rmSync, mkdirSync } = await import('node:fs');
  rmSync(image);
  const { createImage } = await import('../../index.js');
  await createImage(image, { descriptors: 4 });
  t.notOk(existsSync(lock), 'nothing to repair');
  rmSync(image);
  mkdirSync(image);
  writeFileSync(lock, lines(owner, { begin: 1, table: [0, 0], state: '' }));
  await t.rejects(editImage(image, noop), { code: 'SIF_IO', message: new RegExp(`${image}`) }, 'a directory');
});

t.test('a reused PID (other start time) is not taken for the owner', async (t) => {
  const { image, lock, owner } = setup(t);
  writeFileSync(lock, lines({ ...owner, pid: process.pid, start: '1' }));
  await editImage(image, noop);
  t.notOk(existsSync(lock));
});

t.test('an owner that cannot be proven dead is live: other PID namespace, other boot, old owner line', async (t) => {
  const cases: [name: string, owner: (o: ReturnType<typeof deadOwner>) => object][] = [
    ['another PID namespace', (o) => ({ ...o, pidns: 'pid:[1]' })],
    ['another boot', (o) => ({ ...o, boot: '00000000-0000-0000-0000-000000000000' })],
    ['an owner line of an older sif', ({ pid, host, token }) => ({ pid, host, token })],
  ];
  for (const [name, owner] of cases) {
    const { image, lock } = setup(t);
    writeFileSync(lock, lines(owner(deadOwner())));
    await t.rejects(editImage(image, noop, { lockTimeoutMs: 100 }), { code: 'SIF_LOCKED', message: /image is locked by process \d+ on / }, name);
    t.ok(existsSync(lock), `${name}: the lock stays`);
  }
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
  writeFileSync(`${lock}.recover`, lines(currentOwner()));
  await t.rejects(editImage(image, noop), { code: 'SIF_LOCKED' });
  writeFileSync(`${lock}.recover`, lines(deadOwner()));
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
  const unwritten = `${lock}.${deadPid()}.89abcdef.tmp`;
  const mine = `${lock}.${process.pid}.0123abcd.tmp`;
  writeFileSync(litter, lines(deadOwner()));
  writeFileSync(unwritten, '');
  utimesSync(unwritten, new Date(0), new Date(0));
  writeFileSync(mine, lines(currentOwner()));
  await editImage(image, noop);
  t.notOk(existsSync(litter));
  t.notOk(existsSync(unwritten), 'one killed before writing its owner line, once old');
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
  let links = 0;
  const lockFile = await t.mockImport<typeof import('../../locks/lock-file.js')>('../../locks/lock-file.js', {
    'node:fs/promises': { ...fsp, link: async () => (links++, Promise.reject(Object.assign(new Error('no links'), { code: 'EPERM' }))) },
  });
  const { ImageLock: Mocked } = await t.mockImport<typeof import('./lock.js')>('./lock.js', { '../../locks/lock-file.js': lockFile });
  const { image, lock } = setup(t);
  const held = await Mocked.acquire(image, { ops: nodeFileOps });
  t.match(JSON.parse(readFileSync(lock, 'utf8')), { pid: process.pid });
  await t.rejects(Mocked.acquire(image, { ops: nodeFileOps }), { code: 'SIF_LOCKED' });
  await held.release();
  t.notOk(existsSync(lock));
  t.equal(links, 2, 'both writers tried a hard link first');
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
