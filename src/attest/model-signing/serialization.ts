/**
 * How a model was serialized into resources (model_signing `manifest.py`):
 * one resource per file (`files`), or per shard of each file (`shards`, every
 * file cut at multiples of `shardSize`), plus the paths left out. Recorded in
 * a signature's predicate so a verifier hashes the model the same way.
 */
import type { Json } from '../statement.js';

/** model_signing's default shard size: 1,000,000,000 bytes (a decimal GB). */
export const DEFAULT_SHARD_SIZE = 1_000_000_000;

/** The paths model_signing leaves out by default (`--ignore-git-paths`). */
export const GIT_PATHS: readonly string[] = ['.git', '.gitattributes', '.github', '.gitignore'];

/**
 * The only hash type this implementation computes; blake2 and blake3 (which
 * model_signing also offers) are refused by name.
 */
export const HASH_TYPE = 'sha256';

interface Common {
  /** Hash symbolic links' targets; false: a link in the model is an error. */
  readonly allowSymlinks: boolean;
  /** Model-relative paths left out, with everything under them. */
  readonly ignorePaths: readonly string[];
}

export type Serialization =
  | (Common & { readonly method: 'files' })
  | (Common & { readonly method: 'shards'; readonly shardSize: number });

/** A resource's `algorithm`: `sha256`, or `sha256-sharded-<S>` for shards. */
export const resourceAlgorithm = (s: Serialization): string => (s.method === 'files' ? HASH_TYPE : `${HASH_TYPE}-sharded-${s.shardSize}`);

/**
 * The predicate's `serialization` object, keys in model_signing's order;
 * `shard_size` an integer (protobuf writes `1000000000.0`, which its own
 * verifier cannot read back: neighbours.md §3.5), `ignore_paths` sorted and
 * only when there are some.
 */
export function serializationParameters(s: Serialization): { [key: string]: Json } {
  return {
    method: s.method,
    hash_type: HASH_TYPE,
    ...(s.method === 'shards' ? { shard_size: s.shardSize } : {}),
    allow_symlinks: s.allowSymlinks,
    ...(s.ignorePaths.length > 0 ? { ignore_paths: [...new Set(s.ignorePaths)].sort() } : {}),
  };
}
