/**
 * A sequence of new/add/del/setprim steps, applied by our library
 * (`applySteps`) or by the reference library (`oracle edit`, scripts/oracle/edit.go).
 * scripts/gen-images.ts and the writer tests share these recipes.
 */
import { createReadStream } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createImage,
  cryptoMessageExtra,
  editImage,
  partitionExtra,
  sbomExtra,
  signatureExtra,
  type ObjectInput,
} from '../index.js';

export type Step =
  | { op: 'new'; time: bigint; id: string; launchScript?: string; descriptors?: number }
  | ({ op: 'add'; time: bigint } & AddStep)
  | { op: 'del'; time: bigint; objectId: number; zero?: boolean; compact?: boolean }
  | { op: 'setprim'; time: bigint; objectId: number };

export interface AddStep {
  /** siftool's --datatype number, 1–11. */
  dataType: number;
  /** Input file, relative to the inputs directory. */
  file: string;
  groupId?: number;
  linkedObjectId?: number;
  linkedGroupId?: number;
  alignment?: number;
  name?: string;
  objectTime?: bigint;
  partition?: { fsType: number; partType: number; arch: string };
  signature?: { hashType: number; fingerprint: string };
  crypto?: { formatType: number; messageType: number };
  sbomFormat?: number;
}

function extraOf(s: AddStep): Uint8Array | undefined {
  if (s.partition) return partitionExtra(s.partition);
  if (s.signature) return signatureExtra(s.signature.hashType, Buffer.from(s.signature.fingerprint, 'hex'));
  if (s.crypto) return cryptoMessageExtra(s.crypto.formatType, s.crypto.messageType);
  if (s.sbomFormat !== undefined) return sbomExtra(s.sbomFormat);
  return undefined;
}

/** The library input of an add step, streaming its file. */
export function objectInput(s: AddStep, inputs: string): ObjectInput {
  const extra = extraOf(s);
  return {
    dataType: 0x4000 + s.dataType,
    data: createReadStream(join(inputs, s.file), { highWaterMark: 64 * 1024 }),
    ...(s.groupId !== undefined ? { groupId: s.groupId } : {}),
    ...(s.linkedObjectId !== undefined ? { linkedObjectId: s.linkedObjectId } : {}),
    ...(s.linkedGroupId !== undefined ? { linkedGroupId: s.linkedGroupId } : {}),
    ...(s.alignment !== undefined ? { alignment: s.alignment } : {}),
    ...(s.name !== undefined ? { name: s.name } : {}),
    ...(s.objectTime !== undefined ? { time: s.objectTime } : {}),
    ...(extra ? { extra } : {}),
  };
}

async function applyStep(image: string, s: Step, inputs: string): Promise<void> {
  if (s.op === 'new') {
    const { time, id, launchScript, descriptors } = s;
    await createImage(image, { time, id, ...(launchScript ? { launchScript } : {}), ...(descriptors !== undefined ? { descriptors } : {}) });
    return;
  }
  await editImage(
    image,
    async (e) => {
      if (s.op === 'add') await e.addObject(objectInput(s, inputs));
      else if (s.op === 'del') await e.deleteObject(s.objectId, { zero: s.zero ?? false, compact: s.compact ?? false });
      else await e.setPrimary(s.objectId);
    },
    { time: s.time },
  );
}

/**
 * Applies each step with our library, each under its own lock as separate
 * commands would. A failing step is recorded ('' = success) and the next runs,
 * as `oracle edit` does.
 */
export async function applySteps(image: string, steps: readonly Step[], inputs: string): Promise<string[]> {
  const results: string[] = [];
  for (const s of steps) {
    results.push(await applyStep(image, s, inputs).then(() => '', (e: Error) => e.message));
  }
  return results;
}

/** Writes the steps as the JSON `oracle edit` reads (times as numbers, files absolute). */
export function writeOracleSteps(path: string, steps: readonly Step[], inputs: string): void {
  const json = steps.map((s) => ({
    ...s,
    time: Number(s.time),
    ...('file' in s ? { file: join(inputs, s.file) } : {}),
    ...('objectTime' in s && s.objectTime !== undefined ? { objectTime: Number(s.objectTime) } : {}),
  }));
  writeFileSync(path, JSON.stringify(json));
}
