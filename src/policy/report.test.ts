import t from 'tap';
import * as err from '../integrity/errors.js';
import { classify } from './report.js';

t.test("the verifier's errors are classified as Apptainer's ECL callback classifies the reference's", async (t) => {
  type Case = [error: Parameters<typeof classify>[0], verdict: ReturnType<typeof classify>];
  const cases: Case[] = [
    [undefined, 'verified'],
    [err.unknownSigner(4, 'A20C27EE7FF7BA84', undefined), 'unknown-signer'],
    [err.signatureNotValid(3, 'openpgp: invalid signature'), 'not-valid'],
    [err.signatureNotValid(3, 'clearsigned message not found'), 'not-valid'],
    [err.signatureProblem(3, 'fingerprint in descriptor does not correspond to signing entity'), 'integrity'],
    [err.signatureProblem(3, 'hash algorithm unsupported'), 'integrity'],
    [err.objectNotSigned(2), 'integrity'],
    [err.objectIntegrity(1), 'integrity'],
    [err.descriptorIntegrity(1), 'integrity'],
    [err.headerIntegrity(), 'integrity'],
  ];
  for (const [error, verdict] of cases) t.equal(classify(error), verdict, error?.message ?? 'no error');
});
