/**
 * The library for web pages (the web bundle's entry: scripts/build-web.mjs).
 * The same reader, integrity checks and renderers as the CLI, over a Blob or
 * a CORS URL read with Range requests; nothing here touches Node. openpgp
 * loads only when keys are read or a signature is checked.
 */
import { isSifError, oneLine } from '../../errors.js';
import type { Descriptor } from '../../format/descriptor.js';
import { SifImage } from '../../image/image.js';
import { ObjectDigests } from '../../integrity/digest.js';
import type { TrustKey } from '../../integrity/trust.js';
import { verifyIntegrity, type VerifyReport } from '../../integrity/verify.js';
import { HttpClient } from '../../remote/http-client.js';
import { BlobSource } from '../../source/blob.js';
import { HttpSource } from '../../source/http.js';
import { renderHeader, renderInfo, renderList } from '../../cli/render/siftool.js';
import { renderVerifyText } from '../../cli/render/verify.js';

export { SifImage, type Descriptor, type VerifyReport, type TrustKey };

/** Opens an image from a File or Blob (the bytes stay in the browser). */
export const openBlob = (blob: Blob): Promise<SifImage> => SifImage.fromSource(new BlobSource(blob));

/** Opens an image at a URL served with CORS and Range support. */
export async function openUrl(url: string): Promise<SifImage> {
  return SifImage.fromSource(await HttpSource.open(new URL(url, location.href), new HttpClient()));
}

/** `sif list`'s text. */
export const listText = (image: SifImage): string => renderList(image.descriptors).toString('utf8');
/** `sif header`'s text. */
export const headerText = (image: SifImage): string => renderHeader(image.header).toString('utf8');
/** `sif info ID`'s text. */
export const infoText = (d: Descriptor): string => renderInfo(d).toString('utf8');

/** An object's bytes (`sif dump`), to download: a slice of the file, or read whole from a URL. */
export async function objectBlob(image: SifImage, d: Descriptor): Promise<Blob> {
  if (image.source instanceof BlobSource) return image.source.blob.slice(d.offset, d.offset + d.size);
  return new Blob([new Uint8Array(await image.readObject(d, Number.MAX_SAFE_INTEGER))]);
}

/**
 * The public keys of a key file or paste (armored or binary OpenPGP), as
 * `sif verify --keyring` reads them: reported as [LOCAL], `name` naming them.
 */
export async function readKeys(bytes: Uint8Array, name: string): Promise<TrustKey[]> {
  const { parseKeys } = await import('../../keys/parse.js');
  return (await parseKeys(bytes, name)).map((key) => ({ key, source: 'local' as const, path: name }));
}

export interface PageVerification {
  readonly report: VerifyReport;
  /** What `sif verify` prints on stdout: each signature's signer and objects, and its error. */
  readonly text: string;
  /** `verified`, or `failed: ` and the message `sif verify` prints (after `sif: `). */
  readonly verdict: string;
}

/**
 * Verifies every group as `sif verify` does (stopping at the first failure),
 * hashing objects in parallel in Web Workers; `onProgress` gets bytes hashed
 * and bytes requested.
 */
export async function verifyImage(image: SifImage, keys: readonly TrustKey[], onProgress?: (done: number, total: number) => void): Promise<PageVerification> {
  const digests = new ObjectDigests(image, { onProgress });
  try {
    const report = await verifyIntegrity(image, { keys, stopAtFirstFailure: true, digests });
    return { report, text: renderVerifyText(report), verdict: report.error ? failedVerdict(report.error) : 'verified' };
  } finally {
    digests.close();
  }
}

/** The verdict for an error, as `sif` prints it after `sif: ` (cli/outcome.ts). */
export const failedVerdict = (e: unknown): string =>
  `failed: ${isSifError(e) ? oneLine(e.message) : `internal error: ${oneLine(e instanceof Error ? e.message : String(e))}`}`;
