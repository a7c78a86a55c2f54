/**
 * in-toto Statement v1 (docs/attestations.md): the shape we emit, and the
 * in-toto Go library's stricter validation rules (`go/v1` Statement.Validate,
 * ResourceDescriptor.Validate), so a Go consumer accepts whatever we write.
 */
import { SignatureError } from '../errors.js';
import { descriptorIntegrityBytes } from '../format/descriptor.js';
import { dataTypeName } from '../format/constants.js';
import { hashBytes } from '../integrity/digest.js';
import type { ImageSha256 } from './image-digests.js';

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
const LEGACY_STATEMENT_TYPE = 'https://in-toto.io/Statement/v0.1';
/** The predicate type when the caller names none: a statement about the image and its objects only. */
export const SIF_OBJECTS_PREDICATE_TYPE = 'https://sif.invalid/attestations/sif-objects/v1';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Subject {
  name: string;
  digest: Record<string, string>;
  annotations?: Record<string, Json>;
}

export interface Statement {
  _type: string;
  subject: Subject[];
  predicateType: string;
  predicate: { [key: string]: Json };
}

/** `<name>#object=<id>`: our name for an object of the image named `name`. */
export const objectSubjectName = (name: string, id: number) => `${name}#object=${id}`;

/**
 * Subjects for the image (named `name`, digest of the file) and each object
 * (digest of its data, with its group, data type and descriptor digest).
 */
export function imageSubjects(name: string, digests: ImageSha256): Subject[] {
  return [
    { name, digest: { sha256: digests.file } },
    ...digests.objects.map(({ descriptor: d, sha256 }) => ({
      name: objectSubjectName(name, d.id),
      digest: { sha256 },
      annotations: {
        'sif.group': d.groupId,
        'sif.dataType': dataTypeName(d.dataType),
        'sif.descriptorDigest': `sha256:${hashBytes('sha256', descriptorIntegrityBytes(d)).toString('hex')}`,
      },
    })),
  ];
}

export function statement(subject: Subject[], predicateType: string, predicate: { [key: string]: Json }): Statement {
  return { _type: STATEMENT_TYPE, subject, predicateType, predicate };
}

/** Hex length of each digest algorithm the Go library checks (`digest_set.go`); others pass unchecked. */
const HEX_LENGTHS: Readonly<Record<string, readonly number[]>> = {
  sha224: [56],
  sha256: [64],
  sha384: [96],
  sha512: [128],
  sha512_224: [56],
  sha512_256: [64],
  sha3_224: [56],
  sha3_256: [64],
  sha3_384: [96],
  sha3_512: [128],
  shake128: [64],
  shake256: [128],
  sha1: [40],
  md5: [32],
  gitCommit: [40, 64],
  gitTree: [40, 64],
  gitBlob: [40, 64],
  gitTag: [40, 64],
  dirHash: [64],
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Why `value` is not a statement the in-toto Go library accepts, or undefined
 * if it is. Stricter than Go in one place: hex digests must be lowercase.
 */
export function statementProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'a statement must be a JSON object';
  if (value._type !== STATEMENT_TYPE && value._type !== LEGACY_STATEMENT_TYPE) return `wrong statement type ${JSON.stringify(value._type)}`;
  if (!Array.isArray(value.subject) || value.subject.length === 0) return 'at least one subject required';
  for (const [i, s] of value.subject.entries()) {
    const problem = subjectProblem(s);
    if (problem !== undefined) return `subject ${i}: ${problem}`;
  }
  if (typeof value.predicateType !== 'string' || value.predicateType === '') return 'predicateType required';
  if (!isObject(value.predicate)) return 'predicate required (a JSON object)';
  return undefined;
}

function subjectProblem(s: unknown): string | undefined {
  if (!isObject(s)) return 'not a JSON object';
  if (!isObject(s.digest) || Object.keys(s.digest).length === 0) return 'a digest is required';
  for (const [alg, hex] of Object.entries(s.digest)) {
    if (typeof hex !== 'string' || !/^[0-9a-f]*$/.test(hex)) return `digest ${alg} is not lowercase hex`;
    const lengths = HEX_LENGTHS[alg];
    if (lengths !== undefined && !lengths.includes(hex.length)) return `digest ${alg} has ${hex.length / 2} bytes`;
  }
  return undefined;
}

/** Most subjects a statement read back may name: an image has at most a few thousand objects. */
export const MAX_SUBJECTS = 100_000;

/**
 * The statement in a verified envelope's payload: JSON, at most MAX_SUBJECTS
 * subjects, and valid by the in-toto Go library's rules; anything else is
 * SIF_ATTESTATION_INVALID (exit 10), reason bad-metadata.
 */
export function parseStatement(payload: Buffer): Statement {
  const refuse = (why: string) => new SignatureError('SIF_ATTESTATION_INVALID', `the payload is not an in-toto statement: ${why}`, { reason: 'bad-metadata' });
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch (e) {
    throw refuse((e as Error).message);
  }
  if (isObject(value) && Array.isArray(value.subject) && value.subject.length > MAX_SUBJECTS) {
    throw refuse(`${value.subject.length} subjects, over the limit of ${MAX_SUBJECTS}`);
  }
  const problem = statementProblem(value);
  if (problem !== undefined) throw refuse(problem);
  return value as Statement;
}
