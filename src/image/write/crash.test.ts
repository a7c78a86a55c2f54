/**
 * Crash safety through the file-ops seam: a writer that dies (or finds the disk
 * full) at every single write, sync or truncate of a change. Before any repair
 * the reference loads the image and sees the old objects or the new ones; after
 * the next writer replays the dead one's journal, the file is byte for byte the
 * old image or the new one.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createImage, DataType, editImage, type ImageEditor } from '../../index.js';
import { FaultyOps, type Fault } from '../../test-support/faulty-ops.js';
import { oracle } from '../../test-support/oracle.js';
import { withReference } from '../../test-support/reference.js';
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

const objectsOf = (path: string) => oracle<{ error?: string; objects: unknown[] }>('load', path);

withReference(t, 'a writer dying at any step leaves the old or the new image', ['go', 'go-sif'], async (t) => {
  for (const s of scenarios) {
    const dir = t.testdir();
    const source = join(REPO, 'testdata/images', s.source);
    const probe = join(dir, 'probe.sif');
    copyFileSync(source, probe);
    const counter = new FaultyOps(-1, 'none', `${probe}.lock`);
    await s.run(probe, { time: TIME, fileOps: counter });
    const [oldBytes, newBytes] = [readFileSync(source), readFileSync(probe)];
    const states = [objectsOf(source).objects, objectsOf(probe).objects];
    for (const fault of ['crash', 'torn-crash'] as Fault[]) {
      for (let k = 0; k < counter.calls; k++) {
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
    copyFileSync(source, probe);
    const counter = new FaultyOps(-1, 'none', `${probe}.lock`);
    await s.run(probe, { time: TIME, fileOps: counter });
    const newBytes = readFileSync(probe);
    for (let k = 0; k < counter.calls; k++) {
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
