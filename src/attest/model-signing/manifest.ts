/**
 * A model's manifest as model_signing computes it: each file (or shard of a
 * file) with its sha256, in pathlib order, and the root digest over them.
 * Hashing goes through the project's digest engine, so files and shards hash
 * side by side on the main thread and the worker pool, as model_signing's
 * thread pool does.
 */
import { readFileSync, statSync } from 'node:fs';
import { fromSystemError, isSifError, IoError } from '../../errors.js';
import { hashBytes, RangeDigests, type ObjectDigestsOptions } from '../../integrity/digest.js';
import { FileSource } from '../../source/file.js';
import { comparePaths } from './paths.js';
import { resourceAlgorithm, type Serialization } from './serialization.js';
import { modelFiles, type ModelFile } from './walk.js';

/** One resource: a file (`path`) or a shard (`path:start:end`, end excluded). */
export interface ManifestItem {
  readonly name: string;
  readonly algorithm: string;
  /** Lowercase hex. */
  readonly digest: string;
}

export interface Manifest {
  /** The model's name: informative only, never compared. */
  readonly modelName: string;
  readonly serialization: Serialization;
  /** In model_signing's canonical order. */
  readonly items: readonly ManifestItem[];
}

/** Files opened at once: enough queued work for every hashing slot, far from the descriptor limit. */
const OPEN_FILES = 16;

/** A piece of a file to hash: the whole file (files) or one shard. */
interface Piece {
  readonly path: string;
  readonly start: number;
  readonly end: number;
}

/**
 * The manifest of the model at `root` (a file or a directory) under
 * `serialization`, named `modelName`. Errors name the file at fault.
 */
export async function hashModel(root: string, modelName: string, serialization: Serialization, options: ObjectDigestsOptions = {}): Promise<Manifest> {
  const files = await modelFiles(root, serialization);
  const digests = new RangeDigests(options);
  const items: (ManifestItem & { readonly sortKey: Piece })[] = [];
  try {
    const queue = [...files];
    const hashNext = async (): Promise<void> => {
      for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
        for (const { piece, digest } of await hashFile(digests, file, serialization)) {
          const name = serialization.method === 'files' ? file.name : `${file.name}:${piece.start}:${piece.end}`;
          items.push({ name, algorithm: resourceAlgorithm(serialization), digest, sortKey: { ...piece, path: file.name } });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(OPEN_FILES, files.length) }, hashNext));
  } finally {
    digests.close();
  }
  items.sort((a, b) => comparePieces(a.sortKey, b.sortKey));
  return { modelName, serialization, items: items.map(({ name, algorithm, digest }) => ({ name, algorithm, digest })) };
}

/** model_signing's `_File`/`_Shard` order: by path (pathlib), then numerically by start and end. */
const comparePieces = (a: Piece, b: Piece): number => comparePaths(a.path, b.path) || a.start - b.start || a.end - b.end;

/**
 * Files up to this size are read whole with blocking calls and hashed in
 * memory: three times faster than a hashing job each for a model of many
 * small files, where opening them costs more than hashing them.
 */
const SMALL_FILE_BYTES = 1 << 20;

const piecesOf = (file: ModelFile, size: number, s: Serialization): Piece[] =>
  s.method === 'files' ? [{ path: file.path, start: 0, end: size }] : shards(file.path, size, s.shardSize);

async function hashFile(digests: RangeDigests, file: ModelFile, s: Serialization): Promise<{ piece: Piece; digest: string }[]> {
  const small = readSmallFile(file.path);
  if (small !== undefined) return piecesOf(file, small.length, s).map((piece) => ({ piece, digest: digests.hashInMemory(small.subarray(piece.start, piece.end), 'sha256').toString('hex') }));
  const source = await FileSource.open(file.path);
  try {
    const pieces = piecesOf(file, source.size, s);
    const hashed = pieces.map((p) => digests.digest(source, [{ id: 0, offset: p.start, size: p.end - p.start }], 'sha256'));
    const out: { piece: Piece; digest: string }[] = [];
    for (const [i, piece] of pieces.entries()) out.push({ piece, digest: (await hashed[i]!).toString('hex') });
    return out;
  } catch (e) {
    // The engine names an image object; here the bytes are a model file that shrank while hashed.
    throw isSifError(e, 'SIF_TRUNCATED') ? new IoError('SIF_IO', `${file.path}: the file changed while it was hashed`, { cause: e }) : e;
  } finally {
    await source.close();
  }
}

/** The whole file if it is small, read with blocking calls; undefined for a larger one. */
function readSmallFile(path: string): Buffer | undefined {
  try {
    return statSync(path).size <= SMALL_FILE_BYTES ? readFileSync(path) : undefined;
    /* c8 ignore next 3 -- the walk read it a moment ago: only a file removed (or made unreadable) since fails here */
  } catch (e) {
    throw fromSystemError(e, path);
  }
}

/** `[0,S), [S,2S), …, [kS,size)`; an empty file has no shard (file_shard.py `_get_shards`). */
function shards(path: string, size: number, shardSize: number): Piece[] {
  const out: Piece[] = [];
  for (let start = 0; start < size; start += shardSize) out.push({ path, start, end: Math.min(size, start + shardSize) });
  return out;
}

/** The root digest: sha256 over the raw bytes of the digests, in the given order. */
export function rootDigest(items: readonly { readonly digest: string }[]): string {
  return hashBytes('sha256', Buffer.concat(items.map((i) => Buffer.from(i.digest, 'hex')))).toString('hex');
}
