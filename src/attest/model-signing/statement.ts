/**
 * The in-toto statement of a model_signing signature (`_signing/signing.py`):
 * one subject, the model's name and root digest, and the predicate
 * `https://model_signing/signature/v1.0` with `serialization` and
 * `resources`. Also read: v0.2.0's legacy predicate
 * `https://model_signing/Digests/v0.1`, one subject per file.
 */
import { SignatureError } from '../../errors.js';
import { STATEMENT_TYPE, statement, type Statement } from '../statement.js';
import { rootDigest, type Manifest, type ManifestItem } from './manifest.js';
import { posixName } from './paths.js';
import { HASH_TYPE, serializationParameters, type Serialization } from './serialization.js';

export const MODEL_SIGNING_PREDICATE_TYPE = 'https://model_signing/signature/v1.0';
/** v0.2.0's predicate: no root digest, every file a subject. */
export const LEGACY_MODEL_SIGNING_PREDICATE_TYPE = 'https://model_signing/Digests/v0.1';

/** The statement model_signing signs for `manifest` (its `Payload`). */
export function modelStatement(manifest: Manifest): Statement {
  const resources = manifest.items.map(({ name, algorithm, digest }) => ({ name, algorithm, digest }));
  return statement([{ name: manifest.modelName, digest: { sha256: rootDigest(manifest.items) } }], MODEL_SIGNING_PREDICATE_TYPE, {
    serialization: serializationParameters(manifest.serialization),
    resources,
  });
}

/** What a signed statement says about a model. */
export interface SignedManifest {
  readonly predicateType: string;
  /** The subject's name; undefined for the legacy predicate. */
  readonly modelName: string | undefined;
  /** The subject's sha256; undefined for the legacy predicate, which has none. */
  readonly rootDigest: string | undefined;
  readonly serialization: Serialization;
  /** As listed, names normalized as model_signing keys them (`./a` is `a`, `f:007:9` is `f:7:9`). */
  readonly items: readonly ManifestItem[];
}

/**
 * Reads a model_signing statement (already parsed, its signature already
 * checked). A statement model_signing would refuse is a SignatureError
 * (`SIF_SIGNATURE_INVALID`, reason `bad-metadata`) saying why.
 */
export function readModelStatement(value: unknown): SignedManifest {
  if (!isObject(value)) throw bad('not a JSON object');
  if (value._type !== STATEMENT_TYPE) throw bad(`_type is ${JSON.stringify(value._type)}, not ${STATEMENT_TYPE}`);
  if (value.predicateType === LEGACY_MODEL_SIGNING_PREDICATE_TYPE) return readLegacy(value);
  if (value.predicateType !== MODEL_SIGNING_PREDICATE_TYPE) {
    throw bad(`predicate type ${JSON.stringify(value.predicateType)} is not ${MODEL_SIGNING_PREDICATE_TYPE}`);
  }
  const subjects = arrayOf(value.subject, 'subject');
  if (subjects.length !== 1) throw bad(`${subjects.length} subjects: a model_signing statement has exactly one`);
  const subject = objectOf(subjects[0], 'subject 0');
  const predicate = objectOf(value.predicate, 'predicate');
  const serialization = readSerialization(objectOf(predicate.serialization, 'predicate.serialization'));
  const items = arrayOf(predicate.resources, 'predicate.resources').map((r, i) => {
    const resource = objectOf(r, `resource ${i}`);
    const name = stringOf(resource.name, `resource ${i} name`);
    return {
      name: serialization.method === 'files' ? posixName(name) : shardName(name, i),
      algorithm: stringOf(resource.algorithm, `resource ${i} algorithm`),
      digest: hexOf(resource.digest, `resource ${i} digest`),
    };
  });
  return {
    predicateType: MODEL_SIGNING_PREDICATE_TYPE,
    modelName: stringOf(subject.name, 'subject 0 name'),
    rootDigest: stringOf(objectOf(subject.digest, 'subject 0 digest').sha256, 'subject 0 digest sha256'),
    serialization,
    items: unique(items),
  };
}

/** v0.2.0: each subject a file with its sha256 (model_signing reads it as files, sha256, symlinks allowed). */
function readLegacy(value: Record<string, unknown>): SignedManifest {
  const items = arrayOf(value.subject, 'subject').map((s, i) => {
    const subject = objectOf(s, `subject ${i}`);
    return {
      name: posixName(stringOf(subject.name, `subject ${i} name`)),
      algorithm: HASH_TYPE,
      digest: hexOf(objectOf(subject.digest, `subject ${i} digest`).sha256, `subject ${i} digest sha256`),
    };
  });
  const serialization: Serialization = { method: 'files', allowSymlinks: true, ignorePaths: [] };
  return { predicateType: LEGACY_MODEL_SIGNING_PREDICATE_TYPE, modelName: undefined, rootDigest: undefined, serialization, items: unique(items) };
}

function readSerialization(s: Record<string, unknown>): Serialization {
  const hashType = stringOf(s.hash_type, 'serialization hash_type');
  if (hashType !== HASH_TYPE) throw bad(`hash type ${JSON.stringify(hashType)} is not supported (only ${HASH_TYPE})`);
  if (typeof s.allow_symlinks !== 'boolean') throw bad('serialization allow_symlinks is not a boolean');
  const ignorePaths = s.ignore_paths === undefined ? [] : arrayOf(s.ignore_paths, 'serialization ignore_paths').map((p, i) => stringOf(p, `ignore_paths ${i}`));
  const common = { allowSymlinks: s.allow_symlinks, ignorePaths };
  if (s.method === 'files') return { method: 'files', ...common };
  if (s.method !== 'shards') throw bad(`serialization method ${JSON.stringify(s.method)} is neither files nor shards`);
  // protobuf's Struct writes 1000000000.0: any integral number is read.
  const shardSize = s.shard_size;
  if (typeof shardSize !== 'number' || !Number.isSafeInteger(shardSize) || shardSize <= 0) throw bad('serialization shard_size is not a positive integer');
  return { method: 'shards', shardSize, ...common };
}

/** `path:start:end` with decimal offsets, keyed as model_signing's `_Shard` prints it. */
function shardName(name: string, i: number): string {
  const parts = name.split(':');
  if (parts.length !== 3 || !/^\d+$/.test(parts[1]!) || !/^\d+$/.test(parts[2]!)) throw bad(`resource ${i} name ${JSON.stringify(name)} is not path:start:end`);
  return `${posixName(parts[0]!)}:${Number(parts[1])}:${Number(parts[2])}`;
}

/** Two resources of one name: model_signing would keep the last silently; refused here. */
function unique(items: ManifestItem[]): ManifestItem[] {
  const seen = new Set<string>();
  for (const { name } of items) {
    if (seen.has(name)) throw bad(`resource ${JSON.stringify(name)} is listed twice`);
    seen.add(name);
  }
  return items;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function objectOf(v: unknown, what: string): Record<string, unknown> {
  if (!isObject(v)) throw bad(`${what} is not a JSON object`);
  return v;
}

function arrayOf(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw bad(`${what} is not an array`);
  return v;
}

function stringOf(v: unknown, what: string): string {
  if (typeof v !== 'string') throw bad(`${what} is not a string`);
  return v;
}

/** Hex of whole bytes, either case (Python's bytes.fromhex), kept lowercase. */
function hexOf(v: unknown, what: string): string {
  const s = stringOf(v, what);
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(s)) throw bad(`${what} is not hex`);
  return s.toLowerCase();
}

const bad = (problem: string) => new SignatureError('SIF_SIGNATURE_INVALID', `model_signing statement: ${problem}`, { reason: 'bad-metadata' });
