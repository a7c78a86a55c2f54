import type { Argv, CommandModule } from 'yargs';
import { SifImage } from '../../image/image.js';
import { selectOne, withId } from '../../image/select.js';
import { parseId } from '../args.js';
import { write, type Io } from '../io.js';
import { descriptorJson, headerJson, toJsonText } from '../render/json.js';
import { renderHeader, renderInfo, renderList } from '../render/siftool.js';
import { remoteOptions, remoteOptionsFromArgs, type RemoteArgs } from './remote-flags.js';

/** Opens the image `a` names (a path or a remote image) for `fn`, and closes it after. */
async function withImage<T>(a: RemoteArgs & { image: string }, io: Io, fn: (image: SifImage) => Promise<T>): Promise<T> {
  const image = await SifImage.open(a.image, { remote: await remoteOptionsFromArgs(a, io) });
  try {
    return await fn(image);
  } finally {
    await image.close();
  }
}

const jsonOption = <T>(y: Argv<T>) =>
  remoteOptions(y).option('json', { type: 'boolean', default: false, describe: 'print JSON (schema in docs/json.md)' });

interface ImageArgs extends RemoteArgs {
  image: string;
  json: boolean;
}
interface ObjectArgs extends ImageArgs {
  id: string;
}

export function listCommand(io: Io): CommandModule<object, ImageArgs> {
  return {
    command: 'list <image>',
    describe: 'List the data objects of an image (as siftool list)',
    builder: (y) => jsonOption(y.positional('image', { type: 'string', demandOption: true, describe: 'SIF image: a path, oras://REGISTRY/REPO:TAG or an https:// URL' })),
    handler: (a) =>
      withImage(a, io, async (image) => {
        const out = a.json ? toJsonText({ objects: image.descriptors.map(descriptorJson) }) : renderList(image.descriptors);
        await write(io.stdout, out);
      }),
  };
}

export function headerCommand(io: Io): CommandModule<object, ImageArgs> {
  return {
    command: 'header <image>',
    describe: 'Print the global header of an image (as siftool header)',
    builder: (y) => jsonOption(y.positional('image', { type: 'string', demandOption: true, describe: 'SIF image: a path, oras://REGISTRY/REPO:TAG or an https:// URL' })),
    handler: (a) =>
      withImage(a, io, async (image) => {
        await write(io.stdout, a.json ? toJsonText(headerJson(image.header)) : renderHeader(image.header));
      }),
  };
}

const objectPositionals = <T>(y: Argv<T>) =>
  y
    .positional('id', { type: 'string', demandOption: true, describe: 'object ID' })
    .positional('image', { type: 'string', demandOption: true, describe: 'SIF image: a path, oras://REGISTRY/REPO:TAG or an https:// URL' });

export function infoCommand(io: Io): CommandModule<object, ObjectArgs> {
  return {
    command: 'info <id> <image>',
    describe: 'Print the descriptor of one object (as siftool info)',
    builder: (y) => jsonOption(objectPositionals(y)),
    handler: (a) => {
      const id = parseId(a.id);
      return withImage(a, io, async (image) => {
        const d = selectOne(image.descriptors, withId(id));
        await write(io.stdout, a.json ? toJsonText(descriptorJson(d)) : renderInfo(d));
      });
    },
  };
}

export function dumpCommand(io: Io): CommandModule<object, Omit<ObjectArgs, 'json'>> {
  return {
    command: 'dump <id> <image>',
    describe: "Write one object's raw bytes to stdout (as siftool dump)",
    builder: (y) => remoteOptions(objectPositionals(y)),
    handler: (a) => {
      const id = parseId(a.id);
      return withImage(a, io, async (image) => {
        const d = selectOne(image.descriptors, withId(id));
        for await (const chunk of image.objectChunks(d)) await write(io.stdout, chunk);
      });
    },
  };
}
