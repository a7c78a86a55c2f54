/**
 * What `sif digest` and `sif attest` share: hashing an image with a progress
 * line, and the image's in-toto statement with the caller's predicate.
 */
import { readWholeFile } from '../../bounded-read.js';
import { fromSystemError, UsageError } from '../../errors.js';
import type { Descriptor } from '../../format/descriptor.js';
import { SifImage } from '../../image/image.js';
import type { ImageSha256 } from '../../attest/image-digests.js';
import type { Json, Statement } from '../../attest/statement.js';
import type { Io } from '../io.js';

export interface StatementArgs {
  image: string;
  'predicate-type'?: string;
  predicate?: string;
  quiet: boolean;
}

/** The file's digest and those of the objects `wanted` keeps (default all). */
export async function hashImage(io: Io, a: { image: string; quiet: boolean }, wanted?: (d: Descriptor) => boolean): Promise<ImageSha256> {
  const { commandProgress } = await import('../progress.js');
  const { imageSha256 } = await import('../../attest/image-digests.js');
  const progress = commandProgress(io, 'Hashing', a.quiet);
  const image = await SifImage.open(a.image);
  try {
    return await imageSha256(image, { onProgress: progress?.update }, wanted);
  } finally {
    progress?.finish();
    await image.close();
  }
}

/** The in-toto statement naming the image (as `name`) and each object; the predicate file is read before the image is hashed. */
export async function imageStatement(io: Io, a: StatementArgs, name: string): Promise<Statement> {
  const predicate = await predicateOf(a);
  const digests = await hashImage(io, a);
  const { imageSubjects, statement, SIF_OBJECTS_PREDICATE_TYPE } = await import('../../attest/statement.js');
  return statement(imageSubjects(name, digests), a['predicate-type'] ?? SIF_OBJECTS_PREDICATE_TYPE, predicate);
}

/** A predicate or definition file, whole (bounded: bounded-read.ts). */
export async function readWhole(path: string, what: string): Promise<Buffer> {
  try {
    return await readWholeFile(path, what);
  } catch (e) {
    throw fromSystemError(e, path);
  }
}

/** The predicate file's JSON object, or `{}` (the in-toto Go library refuses a statement without a predicate). */
async function predicateOf(a: StatementArgs): Promise<{ [key: string]: Json }> {
  if (a.predicate === undefined) return {};
  if (a['predicate-type'] === undefined) throw new UsageError('--predicate needs --predicate-type');
  const text = (await readWhole(a.predicate, 'a predicate file')).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`predicate ${a.predicate}: not JSON: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`predicate ${a.predicate}: not a JSON object`);
  return value as { [key: string]: Json };
}
