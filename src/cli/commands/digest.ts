/** `sif digest`: the documents a pipeline needs about an image, no key needed (docs/attestations.md). */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { CommandModule } from 'yargs';
import { fromSystemError, UsageError } from '../../errors.js';
import { SifImage } from '../../image/image.js';
import type { ImageSha256 } from '../../attest/image-digests.js';
import type { Json } from '../../attest/statement.js';
import { write, type Io } from '../io.js';

const FORMATS = ['in-toto'] as const;
type Format = (typeof FORMATS)[number];

interface DigestArgs {
  image: string;
  format: Format;
  name?: string;
  'predicate-type'?: string;
  predicate?: string;
  quiet: boolean;
}

export function digestCommand(io: Io): CommandModule<object, DigestArgs> {
  return {
    command: 'digest <image>',
    describe: 'Print digests of an image and its objects for attestations (in-toto statement, …)',
    builder: (y) =>
      y
        .positional('image', { type: 'string', demandOption: true, describe: 'SIF image' })
        .option('format', { alias: 'f', choices: FORMATS, default: 'in-toto' as Format, describe: 'output format (docs/attestations.md)' })
        .option('name', { type: 'string', describe: "the image's subject name (default: its file name)" })
        .option('predicate-type', { type: 'string', describe: 'in-toto: the predicate type URI' })
        .option('predicate', { type: 'string', describe: 'in-toto: a file holding the predicate (a JSON object); needs --predicate-type' })
        .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress line on stderr' }),
    handler: async (a) => {
      const predicate = await predicateOf(a);
      const name = a.name ?? basename(a.image);
      if (name === '') throw new UsageError('--name must not be empty');
      const digests = await hashImage(io, a.image, a.quiet);
      const { imageSubjects, statement, SIF_OBJECTS_PREDICATE_TYPE } = await import('../../attest/statement.js');
      const out = statement(imageSubjects(name, digests), a['predicate-type'] ?? SIF_OBJECTS_PREDICATE_TYPE, predicate);
      await write(io.stdout, `${JSON.stringify(out, null, 2)}\n`);
    },
  };
}

async function hashImage(io: Io, path: string, quiet: boolean): Promise<ImageSha256> {
  const { commandProgress } = await import('../progress.js');
  const { imageSha256 } = await import('../../attest/image-digests.js');
  const progress = commandProgress(io, 'Hashing', quiet);
  const image = await SifImage.open(path);
  try {
    return await imageSha256(image, { onProgress: progress?.update });
  } finally {
    progress?.finish();
    await image.close();
  }
}

/** The predicate file's JSON object, or `{}` (the in-toto Go library refuses a statement without a predicate). */
async function predicateOf(a: DigestArgs): Promise<{ [key: string]: Json }> {
  if (a.predicate === undefined) return {};
  if (a['predicate-type'] === undefined) throw new UsageError('--predicate needs --predicate-type');
  let text: string;
  try {
    text = await readFile(a.predicate, 'utf8');
  } catch (e) {
    throw fromSystemError(e, a.predicate);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`predicate ${a.predicate}: not JSON: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`predicate ${a.predicate}: not a JSON object`);
  return value as { [key: string]: Json };
}
