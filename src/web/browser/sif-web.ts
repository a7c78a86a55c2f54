/**
 * The library for web pages (the web bundle's entry: scripts/build-web.mjs).
 * The same reader, integrity checks and renderers as the CLI, over a Blob or
 * a CORS URL read with Range requests; nothing here touches Node. openpgp
 * loads only when keys are read or a signature is checked.
 */
import { isSifError, oneLine } from '../../errors.js';
import { DataType } from '../../format/constants.js';
import type { Descriptor } from '../../format/descriptor.js';
import { SifImage } from '../../image/image.js';
import { DEFAULT_WORKER_MIN_BYTES, ObjectDigests } from '../../integrity/digest.js';
import { defaultThreads, digestPool } from '../../integrity/digest-pool.js';
import { workerCanTake } from '../../integrity/digest-scheduler.js';
import { loadClearSign } from '../../integrity/pgp/format.js';
import type { TrustKey } from '../../integrity/trust.js';
import { verifyIntegrity } from '../../integrity/verify.js';
import { HttpClient } from '../../remote/http-client.js';
import { BlobSource } from '../../source/blob.js';
import { HttpSource } from '../../source/http.js';
import { renderHeader, renderInfo, renderList } from '../../cli/render/siftool.js';
import { renderVerifyText } from '../../cli/render/verify.js';
import { renderSignatures, renderVerdict } from '../../cli/render/gating.js';
import { normalizeSigner, parseFingerprintList } from '../../keys/fingerprint.js';
import { decideFingerprints } from '../../policy/decide.js';
import { collectFrom } from '../../policy/report.js';
import { toResult } from '../../policy/result.js';
import type { CertificatePools, PemFile } from './pem-keys.js';
import { isPemKey } from './pem-kind.js';

export { SifImage, type CertificatePools, type Descriptor, type PemFile, type TrustKey };

/** The armored and binary PGP key reader, with openpgp: loaded on first use. */
const loadKeyReader = () => import('../../keys/parse.js');

/** Opens an image from a File or Blob (the bytes stay in the browser). */
export const openBlob = (blob: Blob): Promise<SifImage> => SifImage.fromSource(new BlobSource(blob));

/** Opens an image at a URL served with CORS and Range support. */
export async function openUrl(url: string): Promise<SifImage> {
  return SifImage.fromSource(await HttpSource.open(new URL(url, location.href), new HttpClient()));
}

/**
 * Gets a verify of `image` ready while the person chooses keys, so that it
 * hashes from its first moment: starts the hashing workers if an object is
 * big enough for one, and loads openpgp (the key reader and the PGP check)
 * if the image has a signature. For a page that opened an image and offers
 * to verify it; a failed load here is left to the verify to report.
 */
export function prepareVerify(image: SifImage): void {
  if (image.descriptors.some((d) => workerCanTake(image.source, d.size, DEFAULT_WORKER_MIN_BYTES))) digestPool().prestart(defaultThreads());
  if (image.descriptors.some((d) => d.dataType === DataType.Signature)) {
    Promise.all([loadKeyReader(), loadClearSign()]).catch(() => undefined);
  }
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
 * The public keys of a key file or paste: armored or binary OpenPGP, as
 * `sif verify --keyring` reads them (reported as [LOCAL]); a PEM public key,
 * as `--key`; or a PEM signing certificate, as `--certificate` with `pools`
 * as `--certificate-intermediates` and `--certificate-roots` (required: the
 * page has no system roots). `name` names them in messages and reports.
 */
export async function readKeys(bytes: Uint8Array, name: string, pools?: CertificatePools): Promise<TrustKey[]> {
  const text = new TextDecoder('latin1').decode(bytes);
  if (isPemKey(text)) {
    const { readPemKey } = await import('./pem-keys.js');
    return [await readPemKey({ text, name }, pools)];
  }
  const { parseKeys } = await loadKeyReader();
  return (await parseKeys(bytes, name)).map((key) => ({ key, source: 'local' as const, path: name }));
}

export interface PageVerification {
  /** What `sif verify` prints on stdout: each signature's signer and objects, and its error (with fingerprints, also the verdict lines). */
  readonly text: string;
  /** `verified`, or `failed: ` and the message `sif verify` prints (after `sif: `). */
  readonly verdict: string;
}

/**
 * Verifies every group as `sif verify --keyring …` does, or with required
 * signers as `sif verify --fingerprints FP[,FP…]` does, hashing objects in
 * parallel in Web Workers; `onProgress` gets bytes hashed and bytes requested.
 * Request errors (a bad fingerprint, an image without objects) are thrown.
 */
export async function verifyImage(
  image: SifImage,
  keys: readonly TrustKey[],
  options: { fingerprints?: string; onProgress?: (done: number, total: number) => void } = {},
): Promise<PageVerification> {
  const required = options.fingerprints?.trim() ? parseFingerprintList(options.fingerprints, '--fingerprints', undefined, normalizeSigner) : undefined;
  const digests = new ObjectDigests(image, { onProgress: options.onProgress });
  try {
    if (!required) {
      const report = await verifyIntegrity(image, { keys, stopAtFirstFailure: true, digests });
      return { text: renderVerifyText(report), verdict: report.error ? failedVerdict(report.error) : 'verified' };
    }
    // As the CLI's policy mode (cli/commands/verify-policy.ts): every signature checked, then the decision.
    const collected = await collectFrom(image, keys, false, digests);
    const decision = decideFingerprints(collected.report, { fingerprints: required });
    const result = toResult({ path: image.path, fingerprints: required, require: 'all' }, collected, decision);
    const checked = collected.integrity.tasks.flatMap((t) => t.signatures);
    return { text: renderSignatures(checked, result) + renderVerdict(result), verdict: result.error ? failedVerdict(result.error) : 'verified' };
  } finally {
    digests.close();
  }
}

/** The verdict for an error, as `sif` prints it after `sif: ` (cli/outcome.ts). */
export const failedVerdict = (e: unknown): string =>
  `failed: ${isSifError(e) ? oneLine(e.message) : `internal error: ${oneLine(e instanceof Error ? e.message : String(e))}`}`;
