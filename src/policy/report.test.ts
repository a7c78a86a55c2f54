import t from 'tap';
import { SignatureError } from '../errors.js';
import * as err from '../integrity/errors.js';
import { classify } from './report.js';

t.test("the verifier's errors are classified as Apptainer's ECL callback classifies the reference's", async (t) => {
  type Case = [error: Parameters<typeof classify>[0], verdict: ReturnType<typeof classify>];
  const cases: Case[] = [
    [undefined, 'verified'],
    [err.unknownSigner(4, 'A20C27EE7FF7BA84', undefined), 'unknown-signer'],
    [err.signatureNotValid(3, 'bad-signature', 'openpgp: invalid signature'), 'not-valid'],
    [err.signatureNotValid(3, 'key-expired', 'key 0C5B…: key is expired'), 'not-valid'],
    [err.signatureNotValid(3, 'key-revoked', 'key 0C5B…: key is revoked'), 'not-valid'],
    [err.signatureNotValid(3, 'not-clearsigned', 'clearsigned message not found'), 'not-valid'],
    [err.signatureNotValid(3, 'unsupported-envelope', 'dsse: verify envelope failed: no signature found'), 'not-valid'],
    [err.noKeyMaterial(3, 'key material not provided for DSSE envelope signature'), 'unknown-signer'],
    [err.signatureNotValid(3, 'oversized', 'object too large for a signature (9 bytes)'), 'not-valid'],
    [err.signatureNotValid(3, 'bad-metadata', 'unexpected end of JSON input'), 'not-valid'],
    [err.signatureProblem(3, 'fingerprint-mismatch', 'fingerprint in descriptor does not correspond to signing entity'), 'integrity'],
    [err.signatureProblem(3, 'hash-unsupported', 'hash algorithm unsupported'), 'integrity'],
    [err.signatureProblem(3, 'bad-legacy-digest', 'digest malformed'), 'integrity'],
    [err.objectNotSigned(2), 'integrity'],
    [err.signatureNotFound(1, true), 'integrity'],
    [err.objectIntegrity(1), 'integrity'],
    [err.descriptorIntegrity(1), 'integrity'],
    [err.headerIntegrity(), 'integrity'],
  ];
  for (const [error, verdict] of cases) t.equal(classify(error), verdict, error?.message ?? 'no error');
});

t.test('the failure kind decides, never the message text', async (t) => {
  const looksNotValid = new SignatureError('SIF_SIGNATURE_INVALID', 'signature object 3 not valid: whatever', { id: 3, reason: 'fingerprint-mismatch' });
  t.equal(classify(looksNotValid), 'integrity', 'a "not valid" message with an integrity reason');
  const plain = new SignatureError('SIF_SIGNATURE_INVALID', 'something else entirely', { id: 3, reason: 'bad-signature' });
  t.equal(classify(plain), 'not-valid', 'any message with a not-valid reason');
  const unknown = new SignatureError('SIF_SIGNATURE_INVALID', 'x', { reason: 'unknown-signer' });
  t.equal(classify(unknown), 'unknown-signer', 'the reason, not the code');
});
