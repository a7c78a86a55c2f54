/**
 * Round-trip property test: random adds (any data type, size, chunking,
 * alignment, group, link, name, Extra, time) and deletes, checked after every
 * change against a model and by reading everything back, in the open editor
 * and after reopening the file.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createImage, DataType, editImage, isSifError, SifImage, type ImageEditor, type ObjectInput } from '../../index.js';
import { GROUP_MASK } from '../../format/constants.js';
import { Rng } from '../../test-support/random.js';

interface Model {
  id: number;
  data: Buffer;
  dataType: number;
  groupId: number;
  linkedId: number;
  alignment: number;
  name: Buffer;
  extra: Buffer;
  time: bigint;
}

const padded = (b: Uint8Array, size: number) => Buffer.concat([Buffer.from(b), Buffer.alloc(size - b.length)]);
const ociTypes = new Set<number>([DataType.OCIRootIndex, DataType.OCIBlob]);

async function* chunked(rng: Rng, data: Buffer): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < data.length; ) {
    const n = 1 + rng.int(5000);
    yield data.subarray(at, at + n);
    at += n;
  }
}

function randomInput(rng: Rng, time: bigint): { input: ObjectInput; model: Omit<Model, 'id'> } {
  const dataType = 0x4001 + rng.int(11);
  const data = rng.bytes(rng.pick([0, 1, 7, 512, 4096, 5000, 20_000]));
  const groupId = rng.pick([0, 0, 1, 2, 0x0fffffff]);
  const link = rng.int(3);
  const alignment = rng.chance(0.5) ? undefined : rng.pick([0, 1, 3, 100, 512, 4096, 65536]);
  const name = rng.chance(0.5) ? rng.bytes(rng.int(129)) : undefined;
  const extra = ociTypes.has(dataType) || rng.chance(0.3) ? undefined : rng.bytes(rng.int(385));
  const objTime = rng.chance(0.3) ? BigInt(rng.int(2_000_000_000)) : undefined;
  const input: ObjectInput = {
    dataType,
    data: rng.chance(0.5) ? data : chunked(rng, data),
    groupId,
    ...(link === 1 ? { linkedObjectId: 1 + rng.int(10) } : link === 2 ? { linkedGroupId: 1 + rng.int(3) } : {}),
    ...(alignment !== undefined ? { alignment } : {}),
    ...(name ? { name } : {}),
    ...(extra ? { extra } : {}),
    ...(objTime !== undefined ? { time: objTime } : {}),
  };
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  return {
    input,
    model: {
      data,
      dataType,
      groupId,
      linkedId: input.linkedObjectId ?? (input.linkedGroupId ? (input.linkedGroupId | GROUP_MASK) >>> 0 : 0),
      alignment: alignment ?? (dataType === DataType.Partition ? 4096 : 0),
      name: padded(name ?? new Uint8Array(0), 128),
      extra: ociTypes.has(dataType) ? padded(Buffer.from(digest), 384) : padded(extra ?? new Uint8Array(0), 384),
      time: objTime ?? time,
    },
  };
}

/** Every object in the image is exactly the model's, and the header's counters agree. */
async function check(t: Tap, image: SifImage, models: Map<number, Model>, label: string) {
  t.same(image.descriptors.map((d) => d.id).sort((a, b) => a - b), [...models.keys()].sort((a, b) => a - b), `${label}: IDs`);
  t.equal(image.header.raw.descriptorsFree, image.header.raw.descriptorsTotal - BigInt(models.size), `${label}: free count`);
  const ranges: [number, number][] = [];
  for (const d of image.descriptors) {
    const m = models.get(d.id)!;
    t.ok((await image.readObject(d)).equals(m.data), `${label}: data of ${d.id}`);
    t.match(
      { type: d.dataType, group: d.groupId, link: d.raw.linkedId, name: d.raw.name, extra: d.raw.extra, c: d.raw.createdAt, mt: d.raw.modifiedAt },
      { type: m.dataType, group: m.groupId, link: m.linkedId, name: m.name, extra: m.extra, c: m.time, mt: m.time },
      `${label}: descriptor ${d.id}`,
    );
    if (m.alignment > 1) t.equal(d.offset % m.alignment, 0, `${label}: ${d.id} aligned to ${m.alignment}`);
    if (d.size > 0) ranges.push([d.offset, d.offset + d.size]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  t.ok(ranges.every((r, i) => i === 0 || r[0] >= ranges[i - 1]![1]), `${label}: objects do not overlap`);
  t.ok(ranges.every(([s]) => s >= Number(image.header.raw.dataOffset)), `${label}: objects after the table`);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tap's plugin-extended Test type is not nameable here
type Tap = any;

/** One random change; true when it changed the image. */
async function step(t: Tap, rng: Rng, e: ImageEditor, models: Map<number, Model>, path: string, time: bigint, label: string): Promise<boolean> {
  const before = readFileSync(path);
  if (models.size === 0 || rng.chance(0.6)) {
    const { input, model } = randomInput(rng, time);
    const full = e.image.slots.every((s) => s.used);
    try {
      const d = await e.addObject(input);
      t.notOk(full, `${label}: added only with a free slot`);
      t.equal(d.id, e.image.slots.findIndex((s) => s.used && s.id === d.id) + 1, `${label}: ID = slot + 1`);
      models.set(d.id, { ...model, id: d.id });
      return true;
    } catch (err) {
      t.ok(full && isSifError(err, 'SIF_CAPACITY'), `${label}: only a full table refuses (${(err as Error).message})`);
      t.ok(readFileSync(path).equals(before), `${label}: refused add left the file byte-identical`);
      return false;
    }
  }
  const id = rng.pick([...models.keys()]);
  const d = e.image.descriptors.find((o) => o.id === id)!;
  const last = e.image.descriptors.every((o) => o.offset + o.size <= d.offset + d.size);
  const options = { zero: rng.chance(0.5), compact: rng.chance(0.4) };
  try {
    await e.deleteObject(id, options);
    models.delete(id);
    t.ok(!options.compact || last, `${label}: compacted only the last object`);
    const now = readFileSync(path);
    if (options.compact) t.equal(now.length, Number(d.raw.offset + d.raw.size - d.raw.sizeWithPadding), `${label}: compaction cut the file`);
    else if (options.zero) t.ok(now.subarray(d.offset, d.offset + d.size).every((b) => b === 0), `${label}: data zeroed`);
    else t.ok(now.subarray(d.offset, d.offset + d.size).equals(before.subarray(d.offset, d.offset + d.size)), `${label}: data kept`);
    return true;
  } catch (err) {
    t.ok(options.compact && !last && isSifError(err, 'SIF_CONFLICT'), `${label}: ${(err as Error).message}`);
    t.ok(readFileSync(path).equals(before), `${label}: refused delete left the file byte-identical`);
    return false;
  }
}

t.test('random adds and deletes read back exactly what was written', async (t) => {
  const seed = Number(process.env.SIF_SEED ?? 31337);
  t.comment(`seed ${seed} (replay with SIF_SEED=${seed})`);
  const rng = new Rng(seed);
  const dir = t.testdir();
  for (let trial = 0; trial < 12; trial++) {
    const path = join(dir, `trial-${trial}.sif`);
    await createImage(path, { descriptors: 2 + rng.int(10), time: 1000n, launchScript: '#!/bin/sh\n' });
    const models = new Map<number, Model>();
    let modifiedAt = 1000n;
    for (let session = 0; session < 3; session++) {
      const time = BigInt(2000 + session);
      await editImage(
        path,
        async (e) => {
          for (let k = 0; k < 8; k++) {
            if (await step(t, rng, e, models, path, time, `trial ${trial}.${session}.${k}`)) modifiedAt = time;
            await check(t, e.image, models, `trial ${trial}.${session}.${k}`);
          }
        },
        { time },
      );
      const reopened = await SifImage.open(path);
      await check(t, reopened, models, `trial ${trial}.${session} reopened`).finally(() => reopened.close());
      t.equal(reopened.header.raw.modifiedAt, modifiedAt, 'header ModifiedAt is the time of the last change');
    }
  }
});

t.test('a batch of random adds writes the bytes of the same adds one by one', async (t) => {
  const seed = Number(process.env.SIF_SEED ?? 4242);
  t.comment(`seed ${seed} (replay with SIF_SEED=${seed})`);
  const rng = new Rng(seed);
  const dir = t.testdir();
  for (let trial = 0; trial < 12; trial++) {
    const [batch, single] = [join(dir, `batch-${trial}.sif`), join(dir, `single-${trial}.sif`)];
    const descriptors = 2 + rng.int(8);
    for (const path of [batch, single]) await createImage(path, { descriptors, time: 1000n, id: 'nil' });
    const inputs = Array.from({ length: 1 + rng.int(descriptors) }, () => randomInput(rng, 2000n));
    // Streams are read once: the one-by-one side gets the same bytes as a buffer.
    const batchInputs = inputs.map(({ input, model }) => ({ ...input, data: rng.chance(0.5) ? model.data : chunked(rng, model.data) }));
    const added = await editImage(batch, (e) => e.addObjects(batchInputs), { time: 2000n });
    await editImage(single, async (e) => {
      for (const { input, model } of inputs) await e.addObject({ ...input, data: model.data });
    }, { time: 2000n });
    t.ok(readFileSync(batch).equals(readFileSync(single)), `trial ${trial}: ${inputs.length} objects, same bytes`);
    t.same(added.map((d) => d.id), inputs.map((_, k) => k + 1), `trial ${trial}: IDs in input order`);
  }
});
