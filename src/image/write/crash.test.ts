/**
 * Crash safety through the file-ops seam: a writer that dies (or finds the disk
 * full) at every single write, sync or truncate of a change. Before any repair
 * the reference loads the image and sees the old objects or the new ones; after
 * the next writer replays the dead one's journal, the file is byte for byte the
 * old image or the new one. Adding several objects (and signing several groups)
 * is one change: never only some of them.
 */
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createImage, DataType, editImage, FsType, partitionExtra, PartType, type ImageEditor } from '../../index.js';
import { signImage, type SignOptions } from '../../integrity/sign.js';
import { FaultyOps, type Fault } from '../../test-support/faulty-ops.js';
import { oracle } from '../../test-support/oracle.js';
import { withReference } from '../../test-support/reference.js';
import { freshKey } from '../../test-support/signed.js';
import type { InternalEditOptions } from './editor.js';
import { parseLock } from './journal.js';

const REPO = new URL('../../../', import.meta.url).pathname;
const TIME = 1_710_000_000n;

interface Scenario {
  name: string;
  source: string;
  run(path: string, options: InternalEditOptions): Promise<unknown>;
}

const edit = (fn: (e: ImageEditor) => Promise<unknown>) => (path: string, options: InternalEditOptions) => editImage(path, fn, options);

const scenarios: Scenario[] = [
  {
    name: 'add',
    source: 'all-types.sif',
    run: edit((e) => e.addObject({ dataType: DataType.Generic, data: Buffer.alloc(10_000, 7), alignment: 4096, name: 'x' })),
  },
  {
    name: 'add three in one commit',
    source: 'edited.sif',
    run: edit((e) =>
      e.addObjects([
        { dataType: DataType.Generic, data: Buffer.alloc(10_000, 7), alignment: 4096 },
        { dataType: DataType.OCIBlob, data: Buffer.from('{"layers":[]}') },
        { dataType: DataType.Partition, data: Buffer.alloc(5000, 3), extra: partitionExtra({ fsType: FsType.Raw, partType: PartType.Data, arch: 'arm64' }) },
      ]),
    ),
  },
  { name: 'del --zero', source: 'all-types.sif', run: edit((e) => e.deleteObject(4, { zero: true })) },
  { name: 'del --compact', source: 'all-types.sif', run: edit((e) => e.deleteObject(11, { compact: true })) },
  { name: 'setprim', source: 'edited.sif', run: edit((e) => e.setPrimary(1)) },
  {
    name: 'new over an image',
    source: 'edited.sif',
    run: (path, options) =>
      createImage(path, { ...options, id: 'nil', objects: [{ dataType: DataType.Generic, data: Buffer.from('hello') }] }),
  },
];

/** A PID that no process has: one of a child that already exited. */
const deadPid = () => spawnSync('true').pid!;

/** Puts back the lock a dead writer leaves behind, owned by a dead process. */
function leaveStaleLock(lockPath: string, text: string | undefined): void {
  if (text === undefined) return;
  const lines = text.split('\n');
  try {
    lines[0] = JSON.stringify({ ...JSON.parse(lines[0]!), pid: deadPid(), start: undefined });
  } catch {
    // killed while writing its owner line: only its age makes it stale
  }
  writeFileSync(lockPath, lines.join('\n'));
  if (!parseLock(text).owner) utimesSync(lockPath, new Date(0), new Date(0));
}

const copy = (source: string, path: string) => (copyFileSync(source, path), path);
const objectsOf = (path: string) => oracle<{ error?: string; objects: unknown[] }>('load', path);

/** Makes the change once on a copy of `source` at `probe`; returns how many file operations (crash points) it takes. */
async function countFileOps(source: string, probe: string, change: (path: string, fileOps: FaultyOps) => Promise<unknown>): Promise<number> {
  const counter = new FaultyOps(-1, 'none', `${probe}.lock`);
  await change(copy(source, probe), counter);
  return counter.calls;
}

withReference(t, 'a writer dying at any step leaves the old or the new image', ['go', 'go-sif'], async (t) => {
  for (const s of scenarios) {
    const dir = t.testdir();
    const source = join(REPO, 'testdata/images', s.source);
    const probe = join(dir, 'probe.sif');
    const calls = await countFileOps(source, probe, (path, fileOps) => s.run(path, { time: TIME, fileOps }));
    const [oldBytes, newBytes] = [readFileSync(source), readFileSync(probe)];
    const states = [objectsOf(source).objects, objectsOf(probe).objects];
    for (const fault of ['crash', 'torn-crash'] as Fault[]) {
      for (let k = 0; k < calls; k++) {
        const image = join(dir, `${fault}-${k}.sif`);
        copyFileSync(source, image);
        const ops = new FaultyOps(k, fault, `${image}.lock`);
        await t.rejects(s.run(image, { time: TIME, fileOps: ops }), `${s.name}: ${fault} at call ${k}`);
        if (fault === 'crash') {
          const raw = objectsOf(image);
          t.equal(raw.error, undefined, `${s.name}: the reference loads the image left at call ${k}`);
          t.ok(states.some((st) => JSON.stringify(st) === JSON.stringify(raw.objects)), `${s.name}: old or new objects at call ${k}`);
        }
        leaveStaleLock(`${image}.lock`, ops.lockAtCrash);
        await editImage(image, async () => undefined); // the next writer replays the journal
        const bytes = readFileSync(image);
        t.ok(bytes.equals(oldBytes) || bytes.equals(newBytes), `${s.name}: ${fault} at call ${k} repaired to the old or new image`);
        t.notOk(existsSync(`${image}.lock`), 'lock gone');
      }
    }
    t.same(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], `${s.name}: no temporary files left`);
  }
});

t.test('a full disk at any step leaves the image byte-identical or finishes on the next write', async (t) => {
  for (const s of scenarios) {
    const dir = t.testdir();
    const source = join(REPO, 'testdata/images', s.source);
    const probe = join(dir, 'probe.sif');
    const calls = await countFileOps(source, probe, (path, fileOps) => s.run(path, { time: TIME, fileOps }));
    const newBytes = readFileSync(probe);
    for (let k = 0; k < calls; k++) {
      const image = join(dir, `full-${k}.sif`);
      copyFileSync(source, image);
      await t.rejects(s.run(image, { time: TIME, fileOps: new FaultyOps(k, 'enospc', `${image}.lock`) }), {
        code: 'SIF_IO',
        message: /no space left on device/,
      });
      if (!existsSync(`${image}.lock`)) {
        t.ok(readFileSync(image).equals(readFileSync(source)), `${s.name}: ENOSPC at call ${k} left the image byte-identical`);
        continue;
      }
      // The metadata write itself failed: the journal stays for the next writer.
      leaveStaleLock(`${image}.lock`, readFileSync(`${image}.lock`, 'utf8'));
      await editImage(image, async () => undefined);
      t.ok(readFileSync(image).equals(newBytes), `${s.name}: ENOSPC at call ${k} finished by the next writer`);
    }
  }
});

interface Loaded {
  error?: string;
  objects: { dataType: string; linkedId: number; linkIsGroup: boolean }[];
}

/** The reference's view of an image signed (or not) at `what`: the old objects, then no signature or one for every group. */
function signedGroups(t: Test, path: string, old: Loaded['objects'], what: string): number[] {
  const loaded = oracle<Loaded>('load', path);
  t.equal(loaded.error, undefined, `${what}: the reference loads it`);
  t.same(loaded.objects.slice(0, old.length), old, `${what}: the old objects are intact`);
  const added = loaded.objects.slice(old.length);
  t.ok(added.every((o) => o.dataType === 'Signature' && o.linkIsGroup), `${what}: anything new is a group signature`);
  return added.map((o) => o.linkedId);
}

withReference(t, 'sif sign of three groups dying at any step: no group signed, or every one', ['go', 'go-sif'], async (t) => {
  const dir = t.testdir();
  const key = await freshKey();
  const keyring = join(dir, 'public.asc');
  writeFileSync(keyring, key.toPublic().armor());
  const source = join(dir, 'source.sif');
  const objects = [1, 2, 3].map((groupId) => ({ dataType: DataType.Generic, data: Buffer.alloc(3000 * groupId, groupId), groupId }));
  await createImage(source, { time: TIME, id: 'nil', objects });
  const old = oracle<Loaded>('load', source).objects;
  const sign = (image: string, fileOps: FaultyOps) => signImage(image, { key, time: TIME, fileOps } as SignOptions);
  const calls = await countFileOps(source, join(dir, 'probe.sif'), sign);
  for (const fault of ['crash', 'torn-crash'] as Fault[]) {
    for (let k = 0; k < calls; k++) {
      const image = copy(source, join(dir, `${fault}-${k}.sif`));
      const ops = new FaultyOps(k, fault, `${image}.lock`);
      await t.rejects(sign(image, ops), `${fault} at call ${k}`);
      const what = `${fault} at call ${k}`;
      // A half-done write is repaired only by the replay below (as in the test above).
      if (fault === 'crash') t.ok([0, 3].includes(signedGroups(t, image, old, what).length), `${what}: no signature or all three`);
      leaveStaleLock(`${image}.lock`, ops.lockAtCrash);
      await editImage(image, async () => undefined);
      const groups = signedGroups(t, image, old, `${what}, repaired`);
      if (groups.length === 0) t.ok(readFileSync(image).equals(readFileSync(source)), `${what}: repaired to the old image`);
      else {
        t.same(groups, [1, 2, 3], `${what}: repaired to every group signed`);
        t.equal(oracle<{ error: string }>('verify', '--keyring', keyring, image).error, '', `${what}: the reference verifies it`);
      }
    }
  }
});
