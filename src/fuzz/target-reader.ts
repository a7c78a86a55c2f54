/**
 * Reader target: open the image, render it every way the CLI can (siftool
 * text and JSON for the header, the list and every descriptor), run every
 * selector, stream every object in random chunk sizes, and run one CLI command
 * in-process the way a user would.
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { captureMain } from '../cli/capture.js';
import { descriptorJson, headerJson, toJsonText } from '../cli/render/json.js';
import { renderHeader, renderInfo, renderList } from '../cli/render/siftool.js';
import { PartType } from '../format/constants.js';
import { SifImage } from '../image/image.js';
import {
  groupIds,
  selectAll,
  selectOne,
  withDataType,
  withGroup,
  withId,
  withLinkedGroup,
  withLinkedId,
  withNoGroup,
  withPartitionType,
} from '../image/select.js';
import { readSeeds, seedDirs } from './corpus.js';
import { stack } from './mutate.js';
import { SIF_MUTATORS } from './mutate-sif.js';
import { checkCliRun, Tally } from './outcome.js';
import type { Prng } from './prng.js';
import type { FuzzTarget, RunContext } from './target.js';

async function exerciseImage(image: SifImage, tally: Tally, rng: Prng): Promise<void> {
  tally.run('render header', () => [renderHeader(image.header), toJsonText(headerJson(image.header))]);
  tally.run('render list', () => renderList(image.descriptors));
  tally.run('group ids', () => groupIds(image.descriptors));
  tally.run('select no group', () => selectAll(image.descriptors, withNoGroup));
  for (const d of image.descriptors) {
    tally.run('render info', () => renderInfo(d));
    tally.run('render json', () => toJsonText(descriptorJson(d)));
    tally.run('select id', () => selectOne(image.descriptors, withId(d.id)));
    tally.run('select group', () => selectAll(image.descriptors, withGroup(d.groupId), withDataType(d.dataType)));
    tally.run('select link', () => selectAll(image.descriptors, d.linkIsGroup ? withLinkedGroup(d.linkedId) : withLinkedId(d.linkedId)));
    tally.run('select partition', () => selectAll(image.descriptors, withPartitionType(PartType.PrimSys)));
    await tally.runAsync('stream object', async () => {
      const h = createHash('sha256');
      // Odd small chunk sizes, but never more than ~64 reads per object: a byte-at-a-time
      // read of a large object is slow harness work, not a finding.
      const chunkSize = Math.max(rng.pick([1, 7, 4096, 65536, 1 << 20]), Math.ceil(d.size / 64));
      for await (const chunk of image.objectChunks(d, chunkSize)) h.update(chunk);
      return h.digest();
    });
    await tally.runAsync('read object', () => image.readObject(d, rng.pick([16, 4096, 64 << 20])));
  }
}

/** One CLI command per input, checked for the CLI contract: no internal error, one-line messages. */
async function exerciseCli(path: string, ids: number[], rng: Prng): Promise<void> {
  const id = String(ids.length > 0 && rng.chance(0.9) ? rng.pick(ids) : rng.pick([0, 1, 4294967295]));
  const argv = rng.pick([['list', path], ['header', path], ['list', '--json', path], ['header', '--json', path], ['info', id, path], ['info', '--json', id, path], ['dump', id, path]]);
  checkCliRun(argv, await captureMain(argv));
}

export const readerTarget: FuzzTarget = {
  name: 'reader',
  extension: '.sif',
  seeds: () => readSeeds(seedDirs('images'), ['.sif']),
  mutate: (rng, seed, donors) => stack(rng, seed, SIF_MUTATORS, donors),
  async run(input: Buffer, ctx: RunContext, rng: Prng): Promise<Tally> {
    const tally = new Tally();
    await writeFile(ctx.scratchFile, input);
    const image = await tally.runAsync('open', () => SifImage.open(ctx.scratchFile));
    let ids: number[] = [];
    if (image) {
      try {
        ids = image.descriptors.map((d) => d.id);
        await exerciseImage(image, tally, rng);
      } finally {
        await image.close();
      }
    }
    await exerciseCli(ctx.scratchFile, ids, rng);
    return tally;
  },
};
