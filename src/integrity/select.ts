/** Which objects and signatures a signing or verification task covers, as the reference selects them. */
import { SelectionError } from '../errors.js';
import { DataType } from '../format/constants.js';
import type { Descriptor } from '../format/descriptor.js';
import type { SifImage } from '../image/image.js';
import { sniffSignature } from './signature-format.js';

/** Largest signature object read into memory; real ones are a few KiB. */
export const MAX_SIGNATURE_SIZE = 1 << 20;

/**
 * The reference's descriptor queries refuse an image whose header says every
 * slot is free, whatever the slots say; verifying and signing do the same.
 */
export function assertHasObjects(image: SifImage): void {
  const h = image.header.raw;
  if (h.descriptorsFree === h.descriptorsTotal) throw new SelectionError('SIF_NO_OBJECTS', 'no objects in image');
}

/** Every group ID in use (≠ 0), ascending; "no groups found" when there is none. */
export function allGroupIds(image: SifImage): number[] {
  const ids = [...new Set(image.descriptors.map((d) => d.groupId).filter((g) => g !== 0))].sort((a, b) => a - b);
  if (ids.length === 0) throw new SelectionError('SIF_GROUP_NOT_FOUND', 'no groups found');
  return ids;
}

/** The objects of group `g` in table order (signature objects in the group included). */
export function groupObjects(image: SifImage, g: number): Descriptor[] {
  assertHasObjects(image);
  const ods = image.descriptors.filter((d) => d.groupId === g);
  if (ods.length === 0) throw new SelectionError('SIF_GROUP_NOT_FOUND', 'group not found');
  return ods;
}

/** The minimum object ID in group `g`; signed metadata counts relative IDs from it. */
export function groupMinId(image: SifImage, g: number): number {
  return Math.min(...groupObjects(image, g).map((d) => d.id));
}

/** One object by ID, with the reference's errors. */
export function objectById(image: SifImage, id: number): Descriptor {
  if (!Number.isInteger(id) || id <= 0 || id > 0xffffffff) throw new SelectionError('SIF_INVALID_ID', 'invalid object ID');
  assertHasObjects(image);
  const d = image.descriptors.find((o) => o.id === id);
  if (!d) throw new SelectionError('SIF_OBJECT_NOT_FOUND', 'object not found');
  return d;
}

export function assertGroupId(g: number): void {
  if (!Number.isInteger(g) || g <= 0 || g > 0x0fffffff) throw new SelectionError('SIF_INVALID_GROUP', 'invalid group ID');
}

/** Signature object contents, read once per run. */
export class SignatureData {
  private readonly cache = new Map<number, Promise<Buffer | undefined>>();

  constructor(private readonly image: SifImage) {}

  /** The bytes, or undefined when the object is too large to be a signature. */
  bytes(sig: Descriptor): Promise<Buffer | undefined> {
    let p = this.cache.get(sig.id);
    if (!p) {
      p = sig.size > MAX_SIGNATURE_SIZE ? Promise.resolve(undefined) : this.image.readObject(sig, MAX_SIGNATURE_SIZE);
      this.cache.set(sig.id, p);
    }
    return p;
  }

  /** The signed payload, unverified, when the object is in a format this build decodes. */
  async payload(sig: Descriptor): Promise<Buffer | undefined> {
    const b = await this.bytes(sig);
    return b && sniffSignature(b)?.opened.payload;
  }

  /**
   * An earlier signature object (in table order) with the same link and the
   * same bytes: a replayed copy, which the verifier refuses (docs/security.md).
   */
  async duplicateOf(sig: Descriptor): Promise<number | undefined> {
    const bytes = await this.bytes(sig);
    for (const other of this.image.descriptors) {
      if (other === sig || bytes === undefined) return undefined;
      if (other.dataType !== DataType.Signature || other.raw.linkedId !== sig.raw.linkedId || other.size !== sig.size) continue;
      if ((await this.bytes(other))?.equals(bytes)) return other.id;
    }
    return undefined;
  }

  /** Legacy (pre-3.6) signatures are clear-signed "SIFHASH:\n<hex>"; new ones are JSON. */
  async isLegacy(sig: Descriptor): Promise<boolean> {
    const payload = await this.payload(sig);
    return payload !== undefined && payload.subarray(0, 9).toString('latin1') === 'SIFHASH:\n';
  }
}

/** Signature objects linked to group `g` that are (or are not) legacy, in table order. */
export async function groupSignatures(image: SifImage, data: SignatureData, g: number, legacy: boolean): Promise<Descriptor[]> {
  assertHasObjects(image);
  const linked = image.descriptors.filter((d) => d.dataType === DataType.Signature && d.linkIsGroup && d.linkedId === g);
  const out: Descriptor[] = [];
  for (const sig of linked) if ((await data.isLegacy(sig)) === legacy) out.push(sig);
  return out;
}

/** Signature objects linked to object `id`, legacy or not, in table order. */
export function objectSignatures(image: SifImage, id: number): Descriptor[] {
  assertHasObjects(image);
  return image.descriptors.filter((d) => d.dataType === DataType.Signature && !d.linkIsGroup && d.linkedId === id);
}
