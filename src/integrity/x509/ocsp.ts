/**
 * OCSP requests and responses as golang.org/x/crypto/ocsp makes and reads
 * them for Apptainer (`CreateRequest` with a SHA-1 CertID, no nonce;
 * `ParseResponseForCert`): pkijs does the ASN.1, this module Go's checks.
 * Pure: bytes in, a response or a Go-worded error out.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { equal } from './bytes.js';
import { parseCertificate, type Certificate } from './certificate.js';
import { checkSignature } from './signatures.js';

const SHA1 = '1.3.14.3.2.26';
const BASIC_RESPONSE = '1.3.6.1.5.5.7.48.1.1';
/** Hashes Go accepts in a response's CertID. */
const CERT_ID_HASHES = new Set([SHA1, '2.16.840.1.101.3.4.2.1', '2.16.840.1.101.3.4.2.2', '2.16.840.1.101.3.4.2.3']);
/** Go's ResponseStatus.String(), by status number. */
const STATUS_NAMES = ['success', 'malformed', 'internal error', 'try later', '', 'signature required', 'unauthorized'];

export type OcspStatus = 'good' | 'revoked' | 'unknown';

export interface OcspResponse {
  readonly status: OcspStatus;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  readonly revokedAt: Date | undefined;
  /** The CRLReason, 0 (unspecified) when absent, as Go reports it. */
  readonly revocationReason: number;
  /** The responder certificate embedded in the response, if any. */
  readonly certificate: Certificate | undefined;
}

/** A response that cannot be used; the message is Go's. */
export class OcspResponseError extends Error {}

/** The DER OCSPRequest for `cert`, identified by SHA-1 hashes of its issuer's name and key. */
export async function createOcspRequest(cert: Certificate, issuer: Certificate): Promise<Uint8Array> {
  const sha1 = async (data: Uint8Array) => new Uint8Array(await globalThis.crypto.subtle.digest('SHA-1', new Uint8Array(data)));
  const certId = new pkijs.CertID({
    hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: SHA1, algorithmParams: new asn1js.Null() }),
    issuerNameHash: new asn1js.OctetString({ valueHex: await sha1(issuer.rawSubject) }),
    issuerKeyHash: new asn1js.OctetString({ valueHex: await sha1(issuer.publicKeyBits) }),
    serialNumber: new asn1js.Integer({ valueHex: new Uint8Array(cert.serialBytes) }),
  });
  const request = new pkijs.OCSPRequest({
    tbsRequest: new pkijs.TBSRequest({ requestList: [new pkijs.Request({ reqCert: certId })] }),
  });
  return new Uint8Array(request.toSchema(true).toBER());
}

/**
 * Go's ParseResponseForCert: a successful basic response with an entry for
 * `cert`'s serial, signed by the embedded certificate (itself signed by
 * `issuer`) or by `issuer`.
 */
export async function parseOcspResponse(der: Uint8Array, cert: Certificate, issuer: Certificate): Promise<OcspResponse> {
  const basic = decodeBasicResponse(der);
  const single = basic.tbsResponseData.responses.find((r) => sameInteger(r.certID.serialNumber, cert.serialBytes));
  if (basic.tbsResponseData.responses.length === 0) throw new OcspResponseError('OCSP response contains bad number of responses');
  if (!single) throw new OcspResponseError('no response matching the supplied certificate');
  const signed = new Uint8Array(basic.tbsResponseData.tbsView);
  const signature = new Uint8Array(basic.signature.valueBlock.valueHexView);
  let responder: Certificate | undefined;
  if (basic.certs && basic.certs.length > 0) {
    responder = parseEmbedded(basic.certs[0]!);
    const bad = await checkSignature(basic.signatureAlgorithm, signed, signature, responder.publicKeyInfo);
    if (bad) throw new OcspResponseError(`bad signature on embedded certificate: ${bad}`);
    const unsigned = await checkSignature(responder.signatureAlgorithm, responder.rawTbs, responder.signature, issuer.publicKeyInfo);
    if (unsigned) throw new OcspResponseError(`bad OCSP signature: ${unsigned}`);
  } else {
    const bad = await checkSignature(basic.signatureAlgorithm, signed, signature, issuer.publicKeyInfo);
    if (bad) throw new OcspResponseError(`bad OCSP signature: ${bad}`);
  }
  if ((single.singleExtensions ?? []).some((e) => e.critical)) throw new OcspResponseError('unsupported critical extension');
  if (!CERT_ID_HASHES.has(single.certID.hashAlgorithm.algorithmId)) throw new OcspResponseError('unsupported issuer hash algorithm');
  return { ...certStatus(single.certStatus as asn1js.BaseBlock), thisUpdate: single.thisUpdate, nextUpdate: single.nextUpdate, certificate: responder };
}

function decodeBasicResponse(der: Uint8Array): pkijs.BasicOCSPResponse {
  let response: pkijs.OCSPResponse;
  try {
    response = pkijs.OCSPResponse.fromBER(new Uint8Array(der));
  } catch (e) {
    throw new OcspResponseError(`asn1: structure error: ${(e as Error).message}`);
  }
  const status = response.responseStatus.valueBlock.valueDec;
  if (status !== 0) throw new OcspResponseError(`ocsp: error from server: ${STATUS_NAMES[status] || `unknown OCSP status: ${status}`}`);
  if (response.responseBytes?.responseType !== BASIC_RESPONSE) throw new OcspResponseError('bad OCSP response type');
  try {
    return pkijs.BasicOCSPResponse.fromBER(new Uint8Array(response.responseBytes.response.valueBlock.valueHexView));
  } catch (e) {
    throw new OcspResponseError(`asn1: structure error: ${(e as Error).message}`);
  }
}

function parseEmbedded(cert: pkijs.Certificate): Certificate {
  try {
    return parseCertificate(new Uint8Array(cert.toSchema().toBER()));
  } catch (e) {
    throw new OcspResponseError((e as Error).message);
  }
}

/** CertStatus: [0] good, [1] revoked (time, optional [0] reason), [2] unknown. */
function certStatus(block: asn1js.BaseBlock): Pick<OcspResponse, 'status' | 'revokedAt' | 'revocationReason'> {
  const tag = block.idBlock.tagNumber;
  if (tag === 0) return { status: 'good', revokedAt: undefined, revocationReason: 0 };
  if (tag !== 1) return { status: 'unknown', revokedAt: undefined, revocationReason: 0 };
  const parts = (block as asn1js.Constructed).valueBlock.value ?? [];
  const time = parts[0];
  const reason = (parts[1] as asn1js.Constructed | undefined)?.valueBlock.value[0] as asn1js.Enumerated | undefined;
  return {
    status: 'revoked',
    revokedAt: time instanceof asn1js.GeneralizedTime ? time.toDate() : undefined,
    revocationReason: reason?.valueBlock.valueDec ?? 0,
  };
}

const sameInteger = (a: asn1js.Integer, serial: Uint8Array) => equal(a.valueBlock.valueHexView, serial);
