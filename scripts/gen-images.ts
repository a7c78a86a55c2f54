/**
 * Regenerates the project's own test images, testdata/images/*.sif, from the
 * inputs in testdata/inputs/ with our writer. Deterministic: fixed UUIDs and
 * times, so running it again gives the same bytes (a test checks that).
 *
 * Usage: npm run gen-images   (node --import @tapjs/typescript/import scripts/gen-images.ts [OUTDIR])
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FsType, HashType, PartType, SbomFormat } from '../src/index.js';
import { applySteps, type Step } from '../src/test-support/steps.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
export const INPUTS = join(ROOT, 'testdata/inputs');
export const IMAGES_DIR = join(ROOT, 'testdata/images');

/** 2024-01-02T03:04:05Z and a few seconds after it. */
const T = 1704164645n;
const ZERO_TIME = -62135596800n;
const NIL = '00000000-0000-0000-0000-000000000000';
const FINGERPRINT = '0123456789ABCDEF0123456789ABCDEF01234567';

/** One object of every data type, with every Extra field, in two groups and with links. */
const allTypes: Step[] = [
  { op: 'new', time: T, id: '5e1f0a3c-8d2b-4c6e-9a7f-0b1c2d3e4f50' },
  { op: 'add', time: T, dataType: 1, file: 'hello.def', groupId: 1, name: 'hello.def' },
  { op: 'add', time: T, dataType: 2, file: 'env.sh', groupId: 1, name: 'env.sh' },
  { op: 'add', time: T, dataType: 3, file: 'labels.json', groupId: 1, name: 'labels.json' },
  { op: 'add', time: T, dataType: 4, file: 'rootfs.img', groupId: 1, name: 'rootfs.img', partition: { fsType: FsType.Raw, partType: PartType.PrimSys, arch: 'amd64' } },
  { op: 'add', time: T, dataType: 5, file: 'signature.bin', linkedGroupId: 1, signature: { hashType: HashType.SHA256, fingerprint: FINGERPRINT } },
  { op: 'add', time: T, dataType: 6, file: 'data.json', groupId: 2, name: 'data.json' },
  { op: 'add', time: T, dataType: 7, file: 'notes.txt', groupId: 2, linkedObjectId: 6, alignment: 512 },
  { op: 'add', time: T, dataType: 8, file: 'message.pem', groupId: 2, crypto: { formatType: 2, messageType: 0x200 } },
  { op: 'add', time: T, dataType: 9, file: 'sbom.spdx.json', groupId: 2, sbomFormat: SbomFormat.SPDXJSON },
  { op: 'add', time: T, dataType: 10, file: 'oci-index.json', groupId: 3 },
  { op: 'add', time: T + 1n, dataType: 11, file: 'oci-config.json', groupId: 3, linkedObjectId: 10, objectTime: T },
];

/** setprim, delete with --zero and --compact, and an ID reused after a delete. */
const edited: Step[] = [
  { op: 'new', time: T, id: 'a1b2c3d4-e5f6-4711-8899-aabbccddeeff', launchScript: '#!/usr/bin/env run-singularity\n', descriptors: 6 },
  { op: 'add', time: T + 1n, dataType: 4, file: 'rootfs.img', groupId: 1, partition: { fsType: FsType.Raw, partType: PartType.System, arch: 'amd64' } },
  { op: 'add', time: T + 2n, dataType: 4, file: 'overlay.img', groupId: 1, partition: { fsType: FsType.Raw, partType: PartType.System, arch: 'arm64' } },
  { op: 'setprim', time: T + 3n, objectId: 1 },
  { op: 'setprim', time: T + 4n, objectId: 2 },
  { op: 'add', time: T + 5n, dataType: 7, file: 'notes.txt' },
  { op: 'add', time: T + 6n, dataType: 6, file: 'data.json' },
  { op: 'del', time: T + 7n, objectId: 4, compact: true },
  { op: 'del', time: T + 8n, objectId: 3, zero: true },
  { op: 'add', time: T + 9n, dataType: 1, file: 'hello.def', name: 'hello.def' },
];

/** Every image, by file name. */
export const RECIPES: Record<string, Step[]> = {
  'empty.sif': [{ op: 'new', time: ZERO_TIME, id: NIL }],
  'all-types.sif': allTypes,
  'edited.sif': edited,
};

/** Writes every image into `outDir` and returns their paths. */
export async function generateImages(outDir: string): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const [name, steps] of Object.entries(RECIPES)) {
    const path = join(outDir, name);
    rmSync(path, { force: true });
    const failed = (await applySteps(path, steps, INPUTS)).find((r) => r !== '');
    if (failed) throw new Error(`${name}: ${failed}`);
    written.push(path);
  }
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? IMAGES_DIR;
  for (const path of await generateImages(out)) process.stdout.write(`${path}\n`);
}
