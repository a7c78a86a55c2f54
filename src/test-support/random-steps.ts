/** Random new/add/del/setprim sequences for the writer's property and oracle tests. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Rng } from './random.js';
import type { AddStep, Step } from './steps.js';

/** Sizes around the alignment boundaries, and an empty object. */
const SIZES = [0, 1, 3, 100, 585, 4095, 4096, 4097, 9000];
/** 1–12: the architectures 2.8.3 knows (loong64 is tested on its own). */
const ARCH_NAMES = ['386', 'amd64', 'arm', 'arm64', 'ppc64', 'ppc64le', 'mips', 'mipsle', 'mips64', 'mips64le', 's390x', 'riscv64'];

/** Writes one input file per size into `dir` and returns their names. */
export function writeRandomInputs(rng: Rng, dir: string): string[] {
  return SIZES.map((size, i) => {
    const name = `input-${i}-${size}.bin`;
    writeFileSync(join(dir, name), rng.bytes(size));
    return name;
  });
}

function extraFor(rng: Rng, dataType: number): Partial<AddStep> {
  if (rng.chance(0.1)) return {};
  switch (dataType) {
    case 4:
      return { partition: { fsType: 1 + rng.int(5), partType: rng.chance(0.3) ? 2 : 1 + rng.int(4), arch: rng.pick(ARCH_NAMES) } };
    case 5:
      return { signature: { hashType: 1 + rng.int(5), fingerprint: rng.bytes(20).toString('hex') } };
    case 8:
      return { crypto: { formatType: 1 + rng.int(2), messageType: rng.pick([0x100, 0x200]) } };
    case 9:
      return { sbomFormat: 1 + rng.int(8) };
    default:
      return {};
  }
}

/** One random object to add, from the input files of writeRandomInputs. */
export function randomAdd(rng: Rng, files: string[]): AddStep {
  // Partitions are over-represented so setprim has something to work on.
  const dataType = rng.chance(0.35) ? 4 : 1 + rng.int(11);
  const step: AddStep = { dataType, file: rng.pick(files), ...extraFor(rng, dataType) };
  const group = rng.pick([undefined, 0, 1, 2, 3]);
  if (group !== undefined) step.groupId = group;
  if (rng.chance(0.2)) step.linkedObjectId = 1 + rng.int(6);
  else if (rng.chance(0.1)) step.linkedGroupId = 1 + rng.int(3);
  const alignment = rng.pick([undefined, 0, 1, 4, 64, 512, 4096]);
  if (alignment !== undefined) step.alignment = alignment;
  if (rng.chance(0.4)) step.name = `object-${rng.int(1000)}.${rng.pick(['bin', 'json', 'sqfs'])}`;
  if (rng.chance(0.2)) step.objectTime = BigInt(1_600_000_000 + rng.int(100_000_000));
  return step;
}

/** A `new` followed by `length` random steps; some are meant to fail (no such object, table full, …). */
export function randomSteps(rng: Rng, files: string[], length: number): Step[] {
  const t0 = BigInt(1_700_000_000 + rng.int(1_000_000));
  const id = rng.bytes(16).toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
  const steps: Step[] = [{ op: 'new', time: t0, id, descriptors: 4 + rng.int(7) }];
  for (let k = 1; k <= length; k++) {
    const time = t0 + BigInt(k);
    const r = rng.next();
    if (r < 0.55) steps.push({ op: 'add', time, ...randomAdd(rng, files) });
    else if (r < 0.85) steps.push({ op: 'del', time, objectId: rng.chance(0.05) ? 0 : 1 + rng.int(5), zero: rng.chance(0.5), compact: rng.chance(0.4) });
    else steps.push({ op: 'setprim', time, objectId: 1 + rng.int(5) });
  }
  return steps;
}
