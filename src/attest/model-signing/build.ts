/**
 * The statement `model_signing sign` would sign for a model (its CLI's
 * defaults: files, sha256, git paths ignored, symbolic links refused), for
 * `sif attest --format model-signing`: a SIF image is a single-file model.
 */
import { UsageError } from '../../errors.js';
import type { Statement } from '../statement.js';
import type { ObjectDigestsOptions } from '../../integrity/digest.js';
import { hashModel } from './manifest.js';
import { modelName } from './paths.js';
import { DEFAULT_SHARD_SIZE, GIT_PATHS, type Serialization } from './serialization.js';
import { modelStatement } from './statement.js';

export interface BuildModelOptions extends ObjectDigestsOptions {
  /** The subject's name; default the path's last component (model_signing's). */
  readonly name?: string;
  /** `shards` cuts files at multiples of `shardSize`; default `files`, all model_signing's CLI writes. */
  readonly method?: 'files' | 'shards';
  /** Default 1,000,000,000 bytes. */
  readonly shardSize?: number;
  /** Model-relative paths to leave out, the signature file among them (ignorePathsFromCwd); default none. */
  readonly ignorePaths?: readonly string[];
  /** Default true. */
  readonly ignoreGitPaths?: boolean;
  /** Default false: a symbolic link in the model is an error. */
  readonly allowSymlinks?: boolean;
}

/** Hashes the model at `path` (a file or directory) and returns the v1.0 statement for it. */
export async function buildModelStatement(path: string, options: BuildModelOptions = {}): Promise<Statement> {
  const shardSize = options.shardSize ?? DEFAULT_SHARD_SIZE;
  if (!Number.isSafeInteger(shardSize) || shardSize <= 0) throw new UsageError(`shard size ${shardSize} is not a positive integer`);
  const common = {
    allowSymlinks: options.allowSymlinks ?? false,
    ignorePaths: [...(options.ignorePaths ?? []), ...((options.ignoreGitPaths ?? true) ? GIT_PATHS : [])],
  };
  const serialization: Serialization =
    options.method === 'shards' ? { method: 'shards', shardSize, ...common } : { method: 'files', ...common };
  return modelStatement(await hashModel(path, options.name ?? modelName(path), serialization, options));
}
