/**
 * The image-writing commands as real `bin/sif` runs, for tests that stop them
 * at a chosen step (SIF_TEST_SIGNAL_AT, src/interrupts.ts) and judge the
 * image with the Go reference loader.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createImage, DataType, editImage } from '../index.js';
import { oracle } from './oracle.js';
import { runSif, type Exit } from './processes.js';
import { REPO_ROOT } from './reference.js';
import { freshKey } from './signed.js';

const TIME = '1710000000';

export interface Writer {
  name: string;
  /** The image the command changes. */
  source: string;
  args(image: string): string[];
}

/** `sif add` (a 300,000-byte partition), `del --zero`, `setprim` and `sign` of three groups, with their inputs in `dir`. */
export async function writers(dir: string): Promise<Writer[]> {
  const images = join(REPO_ROOT, 'testdata/images');
  const input = join(dir, 'part.img');
  writeFileSync(input, Buffer.alloc(300_000, 'partition '));
  const key = await freshKey('ecc', 'Writer Test');
  const secret = join(dir, 'secret.asc');
  writeFileSync(secret, key.armor());
  const groups = join(dir, 'three-groups.sif');
  const objects = [1, 2, 3].map((groupId) => ({ dataType: DataType.Generic, data: Buffer.alloc(3000 * groupId, groupId), groupId }));
  await createImage(groups, { time: BigInt(TIME), id: 'nil', objects });
  return [
    {
      name: 'add',
      source: join(images, 'all-types.sif'),
      args: (img) => ['add', '--time', TIME, '--datatype', '4', '--groupid', '2', '--partfs', '2', '--parttype', '3', '--partarch', '2', img, input],
    },
    { name: 'del', source: join(images, 'all-types.sif'), args: (img) => ['del', '--time', TIME, '--zero', '4', img] },
    { name: 'setprim', source: join(images, 'edited.sif'), args: (img) => ['setprim', '--time', TIME, '1', img] },
    { name: 'sign', source: groups, args: (img) => ['sign', '--keyring', secret, img] },
  ];
}

/** `args` stopped by `signal` as its `step`-th uninterruptible step begins (counted from 0). */
export const runStopped = (args: string[], signal: NodeJS.Signals, step: number): Promise<Exit> =>
  runSif(args, { env: { SIF_TEST_SIGNAL_AT: `${signal}:${step}` } });

export interface LoadedObject {
  id: number;
  dataType: string;
  groupId: number;
  linkedId: number;
  size: number;
  dataSha256: string;
}

/** The objects as the reference loader reads them (undefined when it refuses the file), signatures without their salted bytes. */
export function objectsOf(path: string): string | undefined {
  const loaded = oracle<{ error?: string; objects: LoadedObject[] }>('load', path);
  if (loaded.error) return undefined;
  return JSON.stringify(loaded.objects.map((o) => (o.dataType === 'Signature' ? { ...o, dataSha256: '', size: 0 } : o)));
}

/** A copy of `source` at `path`. */
export const copyTo = (source: string, path: string) => (copyFileSync(source, path), path);

/** The image `w` makes from its source when nothing stops it, at `path`. */
export async function completed(w: Writer, path: string): Promise<Exit> {
  return runSif(w.args(copyTo(w.source, path)));
}

/** Images to copy over a writer's image: smaller, of equal size, larger, all different from it. */
export async function replacements(source: string, dir: string): Promise<[name: string, path: string][]> {
  const base = join(dir, source.split('/').pop()!);
  const smaller = `${base}.smaller`;
  await createImage(smaller, { descriptors: 4 });
  const equal = copyTo(source, `${base}.equal`);
  const bytes = readFileSync(equal);
  bytes.fill(0xab, 48, 64); // another image ID: a rebuild of the same size
  writeFileSync(equal, bytes);
  const larger = copyTo(source, `${base}.larger`);
  await editImage(larger, (e) => e.addObject({ dataType: DataType.Generic, data: Buffer.alloc(100_000, 'larger ') }));
  return [
    ['a smaller image', smaller],
    ['an equal-size image', equal],
    ['a larger image', larger],
  ];
}

/** The lock file's journal state: none, `begin` (data being appended) or `commit` (metadata being written). */
export function journalState(lockPath: string): 'none' | 'begin' | 'commit' {
  if (!existsSync(lockPath)) return 'none';
  const text = readFileSync(lockPath, 'utf8');
  return text.includes('{"commit":') ? 'commit' : text.includes('{"begin":') ? 'begin' : 'none';
}
