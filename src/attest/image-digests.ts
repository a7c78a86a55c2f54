/**
 * The sha256 of an image file and of each of its objects, from one run of the
 * digest engine: the file and every object are requested together, so they
 * hash side by side with one progress count. Every emitted attestation format
 * starts from these.
 */
import type { Descriptor } from '../format/descriptor.js';
import type { SifImage } from '../image/image.js';
import { ObjectDigests, type ObjectDigestsOptions } from '../integrity/digest.js';

export interface ObjectSha256 {
  readonly descriptor: Descriptor;
  /** Lowercase hex sha256 of the object's data: the signed metadata's objectDigest. */
  readonly sha256: string;
}

export interface ImageSha256 {
  /** Lowercase hex sha256 of the whole file. */
  readonly file: string;
  /** The objects asked for, in ascending ID order. */
  readonly objects: readonly ObjectSha256[];
}

/**
 * The file's digest and those of the objects `wanted` keeps (default all):
 * a format that names only the file does not pay for hashing its bytes twice.
 */
export async function imageSha256(
  image: SifImage,
  options: ObjectDigestsOptions = {},
  wanted: (d: Descriptor) => boolean = () => true,
): Promise<ImageSha256> {
  const digests = new ObjectDigests(image, options);
  try {
    const sorted = image.descriptors.filter(wanted).sort((a, b) => a.id - b.id);
    const file = digests.fileDigest('sha256');
    digests.prefetch(sorted, 'sha256');
    const objects: ObjectSha256[] = [];
    for (const d of sorted) objects.push({ descriptor: d, sha256: (await digests.digest(d, 'sha256')).toString('hex') });
    return { file: (await file).toString('hex'), objects };
  } finally {
    digests.close();
  }
}
