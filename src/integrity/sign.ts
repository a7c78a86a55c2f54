/**
 * Signing: one signature object per group (or per group of the chosen
 * objects), PGP clear-signed or a DSSE envelope, all appended in one commit
 * under the image's lock. Signing never removes an existing signature.
 */
import type * as openpgp from 'openpgp';
import { SelectionError, UsageError } from '../errors.js';
import { DataType } from '../format/constants.js';
import type { Descriptor } from '../format/descriptor.js';
import type { SifImage } from '../image/image.js';
import { editImage } from '../image/write/editor.js';
import { signatureExtra } from '../image/write/extra.js';
import type { EditOptions, ObjectInput } from '../image/write/types.js';
import { ObjectDigests, type ObjectDigestsOptions } from './digest.js';
import { buildMetadata, encodeMetadata } from './metadata.js';
import type { DsseSigningKey } from './dsse/keys.js';
import { pgpEncoder } from './pgp/format.js';
import type { SignatureEncoder } from './signature.js';
import { allGroupIds, assertGroupId, groupMinId, groupObjects, objectById } from './select.js';

/** One signature to make: a group and the objects of it that it covers (ascending ID). */
export interface SignaturePlan {
  readonly groupId: number;
  readonly objects: readonly Descriptor[];
}

export interface SignSelection {
  /** Sign all objects of each of these groups, one signature each, in the order given. */
  groups?: readonly number[];
  /** Sign only these objects: one signature per group they belong to, groups ascending. */
  objects?: readonly number[];
}

/**
 * The signatures a selection asks for, as the reference's NewSigner plans
 * them; with no selection, one per group in ascending order. Throws on an
 * unknown or ungrouped object or group before anything is written.
 */
export function planSignatures(image: SifImage, selection: SignSelection = {}): SignaturePlan[] {
  const plans: SignaturePlan[] = [];
  for (const g of selection.groups ?? []) {
    assertGroupId(g);
    plans.push({ groupId: g, objects: groupObjects(image, g) });
  }
  const byGroup = new Map<number, Map<number, Descriptor>>();
  for (const id of selection.objects ?? []) {
    const d = objectById(image, id);
    if (!byGroup.has(d.groupId)) byGroup.set(d.groupId, new Map());
    byGroup.get(d.groupId)!.set(d.id, d);
  }
  for (const g of [...byGroup.keys()].sort((a, b) => a - b)) {
    if (g === 0) throw new SelectionError('SIF_INVALID_GROUP', 'invalid group ID');
    groupObjects(image, g);
    plans.push({ groupId: g, objects: [...byGroup.get(g)!.values()].sort((a, b) => a.id - b.id) });
  }
  if (plans.length > 0) return plans;
  return allGroupIds(image).map((g) => ({ groupId: g, objects: groupObjects(image, g) }));
}

/**
 * Exactly one of `key` (PGP) or `pemKeys` (DSSE). `deterministic` (EditOptions)
 * stores Go's zero time in the new descriptors, as upstream does on images
 * created deterministic.
 */
export interface SignOptions extends SignSelection, EditOptions {
  /** A PGP key, already unlocked; its primary fingerprint is recorded in each descriptor. */
  key?: openpgp.PrivateKey;
  /** PEM private keys (dsse/keys.ts readSigningKey): each signs, in order, into one envelope per group; no fingerprint is recorded. */
  pemKeys?: readonly DsseSigningKey[];
  /** PGP signature creation time; default now. */
  date?: Date;
  /** Progress of hashing object data (see ObjectDigests). */
  onProgress?: ObjectDigestsOptions['onProgress'];
}

/**
 * Signs the image at `path` and returns the new signature descriptors. The
 * lock is held from hashing to the append, so nothing changes in between.
 * All signatures are appended in one commit: after an error or a crash the
 * image holds none of them or every one.
 */
export async function signImage(path: string, options: SignOptions): Promise<Descriptor[]> {
  const signer = await signerOf(options);
  return editImage(
    path,
    async (editor) => {
      const plans = planSignatures(editor.image, options);
      const digests = new ObjectDigests(editor.image, { onProgress: options.onProgress });
      for (const plan of plans) digests.prefetch(plan.objects, 'sha256'); // every group's objects hash side by side
      let inputs: ObjectInput[];
      try {
        inputs = await signPlans(editor.image, digests, plans, signer);
      } finally {
        digests.close(); // after a failure, stop hashing what is no longer needed
      }
      return editor.addObjects(inputs); // one commit: a crash leaves no group signed or every one
    },
    options,
  );
}

/** The encoder of the key material given, and the entity each descriptor records (zero for DSSE). */
interface GroupSigner {
  readonly encoder: SignatureEncoder;
  readonly entity: Buffer | undefined;
}

async function signerOf(options: SignOptions): Promise<GroupSigner> {
  if ((options.key === undefined) === (options.pemKeys === undefined || options.pemKeys.length === 0)) {
    throw new UsageError('sign with either a PGP key or PEM keys');
  }
  if (options.key) return { encoder: pgpEncoder(options.key, options.date), entity: Buffer.from(options.key.getFingerprint(), 'hex') };
  const { dsseEncoder } = await import('./dsse/format.js');
  return { encoder: dsseEncoder(options.pemKeys!), entity: undefined };
}

/** Every signature, made before anything is written: the image does not change in between. */
async function signPlans(image: SifImage, digests: ObjectDigests, plans: readonly SignaturePlan[], signer: GroupSigner): Promise<ObjectInput[]> {
  const inputs: ObjectInput[] = [];
  for (const plan of plans) {
    const md = await buildMetadata(image, digests, plan.objects, groupMinId(image, plan.groupId));
    const signed = await signer.encoder.sign(encodeMetadata(md));
    inputs.push({
      dataType: DataType.Signature,
      data: signed.bytes,
      linkedGroupId: plan.groupId,
      extra: signatureExtra(signed.hashType, signer.entity),
    });
  }
  return inputs;
}
