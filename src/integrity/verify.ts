/**
 * Verification of an image's signatures, with the reference's tasks, order
 * and verdict, and a result for every signature (the reference stops at the
 * first failure; callers such as policy checks need them all).
 */
import { SelectionError, type SifError } from '../errors.js';
import { DataType, PartType } from '../format/constants.js';
import { partitionInfo, type Descriptor } from '../format/descriptor.js';
import type { SifImage } from '../image/image.js';
import { checkSignature, descriptorFingerprint, type CheckContext, type SignatureVerdict, type Task } from './check.js';
import { ObjectDigests, type DigestAlg } from './digest.js';
import * as err from './errors.js';
import type { TrustMaterial } from './trust.js';
import { parseMetadata } from './metadata.js';
import { signerSets } from '../signer-sets.js';
import {
  allGroupIds,
  assertGroupId,
  assertHasObjects,
  groupObjects,
  groupSignatures,
  objectById,
  objectSignatures,
  SignatureData,
} from './select.js';

export type { Signer, SignatureVerdict, Task } from './check.js';

export interface VerifyOptions {
  /**
   * The trust material: public keys (see loadVerificationKeys), or a KeyFinder
   * asked per signature. No key makes every PGP signature unknown.
   */
  keys: TrustMaterial;
  /** Verify these groups (each signature linked to the group must list exactly its objects). */
  groups?: readonly number[];
  /** Verify these objects (their group's signatures must cover them). */
  objects?: readonly number[];
  /** Consider only legacy (pre-3.6 "SIFHASH") signatures; default false. */
  legacy?: boolean;
  /** Legacy, with one task per grouped non-signature object; default false. */
  legacyAll?: boolean;
  /** Stop checking after the first failure, as the reference does; default false (check everything). */
  stopAtFirstFailure?: boolean;
  /** The time key expiry and revocation are judged at; default now. */
  now?: Date;
  /** Digest cache to share with other work on the same image (the caller closes it); default a fresh one. */
  digests?: ObjectDigests;
}

export interface TaskVerdict extends Task {
  /** Every signature the task consults, in table order, each with its verdict. */
  readonly signatures: readonly SignatureVerdict[];
  /** Why the task could not be checked at all (no signature, invalid group). */
  readonly error: SifError | undefined;
  /** Fingerprints recorded in the task's signature descriptors (upper case, sorted, unique). */
  readonly signedBy: readonly string[];
}

export interface VerifyReport {
  readonly tasks: readonly TaskVerdict[];
  /** The reference's verdict: the first failure in task and signature order, if any. */
  readonly error: SifError | undefined;
  readonly ok: boolean;
  /** Descriptor fingerprints of any task's signatures (the reference's AnySignedBy). Not cryptographic. */
  readonly anySignedBy: readonly string[];
  /** Descriptor fingerprints present in every task (the reference's AllSignedBy). Not cryptographic. */
  readonly allSignedBy: readonly string[];
}

const ascendingUnique = (ids: Iterable<number>) => [...new Set(ids)].sort((a, b) => a - b);

/** The tasks of a verification, as the reference's NewVerifier builds them. */
export function planTasks(image: SifImage, options: Omit<VerifyOptions, 'keys'>): Task[] {
  for (const g of options.groups ?? []) assertGroupId(g);
  for (const id of options.objects ?? []) {
    if (!Number.isInteger(id) || id <= 0 || id > 0xffffffff) throw new SelectionError('SIF_INVALID_ID', 'invalid object ID');
  }
  const legacy = Boolean(options.legacy || options.legacyAll);
  let groups = ascendingUnique(options.groups ?? []);
  let objects = options.objects ?? [];
  if (options.legacyAll) {
    objects = [...objects, ...image.descriptors.filter((d) => d.dataType !== DataType.Signature && d.groupId !== 0).map((d) => d.id)];
  }
  objects = ascendingUnique(objects);
  if (groups.length === 0 && objects.length === 0) groups = allGroupIds(image);
  const tasks: Task[] = groups.map((g) => ({ kind: 'group', id: g, groupId: g, legacy, objects: groupObjects(image, g) }));
  for (const id of objects) {
    const d = objectById(image, id);
    tasks.push({ kind: 'object', id, groupId: d.groupId, legacy, objects: [d] });
  }
  return tasks;
}

/** The primary system partition, which `--legacy-insecure` verifies by default (as Apptainer). */
export function primaryPartitionId(image: SifImage): number {
  assertHasObjects(image);
  const d = image.descriptors.find((o) => o.dataType === DataType.Partition && partitionInfo(o).partType === PartType.PrimSys);
  if (!d) throw new SelectionError('SIF_OBJECT_NOT_FOUND', 'object not found');
  return d.id;
}

/**
 * Verifies `image`. Problems with the request (unknown group or object, no
 * groups) are thrown; problems with signatures or the image are the report.
 */
export async function verifyIntegrity(image: SifImage, options: VerifyOptions): Promise<VerifyReport> {
  const tasks = planTasks(image, options);
  assertHasObjects(image);
  if (image.descriptors.some((d) => d.groupId === 0 && d.dataType !== DataType.Signature)) throw err.nonGroupedObject();
  const digests = options.digests ?? new ObjectDigests(image);
  const ctx: CheckContext = {
    image,
    digests,
    signatures: new SignatureData(image),
    trust: options.keys,
    now: options.now ?? new Date(),
  };
  try {
    return report(await checkTasks(ctx, tasks, options));
  } finally {
    if (!options.digests) digests.close(); // prefetched digests a failure made moot
  }
}

async function checkTasks(ctx: CheckContext, tasks: readonly Task[], options: VerifyOptions): Promise<TaskVerdict[]> {
  await prefetchDigests(ctx, tasks);
  const verdicts: TaskVerdict[] = [];
  let failed = false;
  for (const task of tasks) {
    const sigs = await signaturesOf(ctx, task);
    const signatures: SignatureVerdict[] = [];
    const taskError = sigs instanceof Error ? sigs : undefined;
    for (const sig of sigs instanceof Error || (failed && options.stopAtFirstFailure) ? [] : sigs) {
      const verdict = await checkSignature(ctx, task, sig);
      signatures.push(verdict);
      failed ||= verdict.error !== undefined;
      if (failed && options.stopAtFirstFailure) break;
    }
    failed ||= taskError !== undefined;
    const signedBy = sigs instanceof Error ? [] : fingerprints(sigs.map(descriptorFingerprint));
    verdicts.push({ ...task, signatures, error: taskError, signedBy });
  }
  return verdicts;
}

/** The signatures a task consults, or why there are none. */
async function signaturesOf(ctx: PrefetchContext, task: Task) {
  if (task.groupId === 0 && !(task.legacy && task.kind === 'object')) {
    return new SelectionError('SIF_INVALID_GROUP', 'invalid group ID');
  }
  const sigs =
    task.legacy && task.kind === 'object'
      ? objectSignatures(ctx.image, task.id)
      : await groupSignatures(ctx.image, ctx.signatures, task.groupId, task.legacy);
  if (sigs.length === 0) return task.legacy && task.kind === 'object' ? err.signatureNotFound(task.id, false) : err.signatureNotFound(task.groupId, true);
  return sigs;
}

/**
 * Starts hashing what verifying `image` will need, e.g. while the keys load;
 * `digests` must then be passed to verifyIntegrity. Only a hint: it never
 * throws, verifyIntegrity reports any problem.
 */
export async function prefetchVerification(image: SifImage, digests: ObjectDigests, options: Omit<VerifyOptions, 'keys'>): Promise<void> {
  try {
    await prefetchDigests({ image, digests, signatures: new SignatureData(image) }, planTasks(image, options));
  } catch {
    // verifyIntegrity meets the same problem and reports it
  }
}

type PrefetchContext = Pick<CheckContext, 'image' | 'digests' | 'signatures'>;

/**
 * Starts hashing every task's objects with the algorithm its signatures name,
 * before any signature is checked, so groups hash side by side. Only a hint:
 * the checks below still decide everything, in order.
 */
async function prefetchDigests(ctx: PrefetchContext, tasks: readonly Task[]): Promise<void> {
  for (const task of tasks) {
    if (task.legacy) continue;
    const sigs = await signaturesOf(ctx, task);
    for (const sig of sigs instanceof Error ? [] : sigs) {
      const alg = await signedDigestAlg(ctx, sig);
      if (alg) ctx.digests.prefetch(task.objects, alg);
    }
  }
}

/** The object digest algorithm the signature's (not yet checked) metadata names, if it parses. */
async function signedDigestAlg(ctx: PrefetchContext, sig: Descriptor): Promise<DigestAlg | undefined> {
  try {
    const payload = await ctx.signatures.payload(sig);
    return payload && parseMetadata(payload.toString('utf8')).objects[0]?.objectDigest.alg;
  } catch {
    return undefined;
  }
}

const fingerprints = (fps: Iterable<string | undefined>) =>
  [...new Set([...fps].filter((f): f is string => f !== undefined))].sort();

function report(tasks: TaskVerdict[]): VerifyReport {
  let error: SifError | undefined;
  for (const t of tasks) {
    error = t.signatures.find((s) => s.error)?.error ?? t.error;
    if (error) break;
  }
  return { tasks, error, ok: error === undefined, ...signerSets(tasks.map((t) => t.signedBy)) };
}
