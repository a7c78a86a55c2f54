/**
 * Apptainer's `--ocsp-verify` (internal/pkg/signature/verify_ocsp.go): every
 * certificate of the verified chain that is not self-signed is asked about at
 * the first OCSP responder it names; revoked, unknown, unreliable
 * (thisUpdate/nextUpdate), unverifiable answers and unreachable responders
 * all fail. Two upstream slips are fixed (docs/compat.md): a delegated
 * responder must carry the OCSP-signing EKU itself, and id-pkix-ocsp-nocheck
 * is looked up in the responder's certificate.
 */
import { CertificateError } from '../../errors.js';
import { hex } from './bytes.js';
import type { Certificate } from './certificate.js';
import { goTime } from './chain.js';
import { createOcspRequest, OcspResponseError, parseOcspResponse } from './ocsp.js';

/** Sends a DER OCSP request to `url` and resolves to the response body; rejects with the transport's reason. */
export type OcspTransport = (url: string, request: Uint8Array) => Promise<Uint8Array>;

export interface OcspOptions {
  readonly transport: OcspTransport;
  /**
   * The time thisUpdate/nextUpdate are judged at; by default the moment each
   * answer arrives (as Apptainer's time.Now()), since a responder stamps
   * thisUpdate with its own clock at answering time.
   */
  readonly now?: Date;
}

const EKU_OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
const OCSP_NOCHECK = '1.3.6.1.5.5.7.48.1.5';

/** Checks every certificate of `chain` (leaf first); throws a CertificateError naming the first failure. */
export async function checkRevocation(chain: readonly Certificate[], options: OcspOptions): Promise<void> {
  const bySubjectKeyId = new Map(chain.map((c) => [hex(c.subjectKeyId), c]));
  for (const cert of chain) {
    try {
      await revocationCheck(cert, bySubjectKeyId, options, new Set());
    } catch (e) {
      if (!(e instanceof Problem)) throw e;
      const code = e.revoked ? 'SIF_CERTIFICATE_REVOKED' : 'SIF_OCSP_FAILED';
      throw new CertificateError(code, `OCSP verification has failed: ${e.message}`);
    }
  }
}

/** A failed check, worded as Apptainer's warning; `revoked` when the responder said so. */
class Problem extends Error {
  constructor(
    message: string,
    readonly revoked = false,
  ) {
    super(message);
  }
}

async function revocationCheck(cert: Certificate, pool: Map<string, Certificate>, options: OcspOptions, visiting: Set<Certificate>): Promise<void> {
  if (cert.authorityKeyId.length === 0 || hex(cert.subjectKeyId) === hex(cert.authorityKeyId)) return;
  const issuer = pool.get(hex(cert.authorityKeyId));
  if (!issuer) throw new Problem(`cannot find issuer '${cert.issuer}'`);
  visiting.add(cert);
  let responder: Certificate | undefined;
  try {
    responder = await queryResponder(cert, issuer, options);
  } catch (e) {
    if (!(e instanceof Problem)) throw e;
    throw new Problem(`OCSP Query err: ${e.message}`, e.revoked);
  }
  if (!responder) return;
  const issuerItself = hex(responder.subjectKeyId) === hex(cert.authorityKeyId);
  const delegated = responder.extKeyUsage.includes(EKU_OCSP_SIGNING) && hex(responder.authorityKeyId) === hex(cert.authorityKeyId);
  if (!issuerItself && !delegated) throw new Problem('ocsp response is rejected');
  if (responder.extensionIds.includes(OCSP_NOCHECK) || visiting.has(responder) || issuerItself) return;
  try {
    await revocationCheck(responder, pool, options, visiting);
  } catch (e) {
    if (!(e instanceof Problem)) throw e;
    throw new Problem(`cannot verify OCSP server's certificate. err: ${e.message}`, e.revoked);
  }
}

/** Asks the responder about `cert`; resolves to the embedded responder certificate, if any, when the status is good. */
async function queryResponder(cert: Certificate, issuer: Certificate, options: OcspOptions): Promise<Certificate | undefined> {
  if (!issuer.isCA) throw new Problem("signer's certificates can only belong to a CA");
  const url = cert.ocspServers[0];
  if (url === undefined) throw new Problem('certificate does not support OCSP');
  const request = await createOcspRequest(cert, issuer);
  let body: Uint8Array;
  try {
    body = await options.transport(url, request);
  } catch (e) {
    throw new Problem(`OCSP Send Request err: Post ${JSON.stringify(url)}: ${(e as Error).message}`);
  }
  let response;
  try {
    response = await parseOcspResponse(body, cert, issuer);
  } catch (e) {
    if (!(e instanceof OcspResponseError)) throw e;
    throw new Problem(`OCSP response err: ${e.message}`);
  }
  const now = options.now ?? new Date();
  if (response.thisUpdate > now) throw new Problem('unreliable OCSP response');
  if (response.nextUpdate && response.nextUpdate < now) throw new Problem('unreliable OCSP response');
  if (response.status === 'revoked') {
    const at = response.revokedAt ? goTime(response.revokedAt).replace('T', ' ').replace('Z', ' +0000 UTC') : '0001-01-01 00:00:00 +0000 UTC';
    throw new Problem(`certificate revoked at '${at}'. Revocation reason code: '${response.revocationReason}'`, true);
  }
  if (response.status === 'unknown') throw new Problem('status unknown. certificate cannot be trusted');
  return response.certificate;
}
