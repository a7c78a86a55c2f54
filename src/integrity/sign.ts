/**
 * Signing: one PGP clear-signed metadata object per group (or per group of
 * the chosen objects), appended under the image's lock. Signing never
 * removes an existing signature.
 */
import type * as openpgp from 'openpgp';
import { SelectionError } from '../errors.js';
import { DataType } from '../format/constants.js';
import type { Descriptor } from '../format/descriptor.js';
import type { SifImage } from '../image/image.js';
import { editImage } from '../image/write/editor.js';
import { signatureExtra } from '../image/write/extra.js';
import type { EditOptions, ImageEditor } from '../image/write/types.js';
import { clearSign } from './clearsign.js';
import { ObjectDigests, type ObjectDigestsOptions } from './digest.js';
import { buildMetadata, encodeMetadata } from './metadata.js';
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

export interface SignOptions extends SignSelection, EditOptions {
  /** The signing key, already unlocked; its primary fingerprint is recorded in each descriptor. */
  key: openpgp.PrivateKey;
  /** Signature creation time; default now. */
  date?: Date;
  /** Progress of hashing object data (see ObjectDigests). */
  onProgress?: ObjectDigestsOptions['onProgress'];
}

/**
 * Signs the image at `path` and returns the new signature descriptors. The
 * lock is held from hashing to the last append, so nothing changes in
 * between; on any error before the first append the file is unchanged.
 */
export async function signImage(path: string, options: SignOptions): Promise<Descriptor[]> {
  const fingerprint = Buffer.from(options.key.getFingerprint(), 'hex');
  return editImage(
    path,
    async (editor) => {
      const plans = planSignatures(editor.image, options);
      const digests = new ObjectDigests(editor.image, { onProgress: options.onProgress });
      for (const plan of plans) digests.prefetch(plan.objects, 'sha256'); // every group's objects hash side by side
      try {
        return await signPlans(editor, digests, plans, options, fingerprint);
      } finally {
        digests.close(); // after a failure, stop hashing what is no longer needed
      }
    },
    options,
  );
}

async function signPlans(
  editor: ImageEditor,
  digests: ObjectDigests,
  plans: readonly SignaturePlan[],
  options: SignOptions,
  fingerprint: Buffer,
): Promise<Descriptor[]> {
  const added: Descriptor[] = [];
  for (const plan of plans) {
    const image = editor.image;
    const md = await buildMetadata(image, digests, plan.objects, groupMinId(image, plan.groupId));
    const signed = await clearSign(encodeMetadata(md), options.key, options.date);
    added.push(
      await editor.addObject({
        dataType: DataType.Signature,
        data: Buffer.from(signed.text, 'utf8'),
        linkedGroupId: plan.groupId,
        extra: signatureExtra(signed.hashType, fingerprint),
      }),
    );
  }
  return added;
}
