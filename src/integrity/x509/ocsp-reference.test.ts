/**
 * OCSP bytes against golang.org/x/crypto/ocsp (the oracle's `ocsp`, the
 * package Apptainer uses) and openssl: our request is theirs byte for byte,
 * and each response in testdata/ocsp (made by scripts/gen-ocsp-seeds) reads
 * as Go reads it, but for the one documented difference: Go cannot check an
 * Ed25519-signed response, we can.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { certificatesFromPem } from './pem.js';
import { createOcspRequest, OcspResponseError, parseOcspResponse } from './ocsp.js';
import { FIXTURES, REPO_ROOT, missingReference, whenAvailable } from '../../test-support/reference.js';
import { oracle } from '../../test-support/oracle.js';

const CERTS = join(FIXTURES, 'apptainer/certs');
const SEEDS = join(REPO_ROOT, 'testdata/ocsp');
const pem = (name: string) => join(CERTS, `${name}.pem`);
const load = (name: string) => certificatesFromPem(readFileSync(pem(name), 'utf8'))[0]!;

interface GoAnswer {
  request?: string;
  error?: string;
  status?: string;
  reason: number;
}

t.test('against Go and openssl', (t) =>
  whenAvailable(t, 'x/crypto/ocsp', missingReference('go', 'shared'), async (t) => {
    t.test('the request', async (t) => {
      const ours = Buffer.from(await createOcspRequest(load('leaf'), load('intermediate'))).toString('hex');
      t.equal(ours, oracle<GoAnswer>('ocsp', '--cert', pem('leaf'), '--issuer', pem('intermediate')).request, "Go's CreateRequest");
      t.equal(ours, readFileSync(join(SEEDS, 'leaf-request.der')).toString('hex'), "openssl's -reqout");
    });
    const cases = [
      { response: 'leaf-good-no-certs', cert: 'leaf', issuer: 'intermediate' },
      // The embedded intermediate is not signed by itself: Go refuses, and so do we.
      { response: 'leaf-good', cert: 'leaf', issuer: 'intermediate' },
      { response: 'leaf-good', cert: 'intermediate', issuer: 'root' },
    ] as const;
    for (const c of cases) {
      t.test(`${c.response} about ${c.cert}`, async (t) => {
        const file = join(SEEDS, `${c.response}.der`);
        const go = oracle<GoAnswer>('ocsp', '--cert', pem(c.cert), '--issuer', pem(c.issuer), '--response', file);
        try {
          const r = await parseOcspResponse(readFileSync(file), load(c.cert), load(c.issuer));
          t.same({ status: r.status, reason: r.revocationReason }, { status: go.status, reason: go.reason });
        } catch (e) {
          if (!(e instanceof OcspResponseError)) throw e;
          t.equal(e.message, go.error);
        }
      });
    }
    t.test('an Ed25519-signed response: Go cannot check it, we can', async (t) => {
      const file = join(SEEDS, 'intermediate-revoked.der');
      const go = oracle<GoAnswer>('ocsp', '--cert', pem('intermediate'), '--issuer', pem('root'), '--response', file);
      t.equal(go.error, 'bad signature on embedded certificate: x509: cannot verify signature: algorithm unimplemented');
      const r = await parseOcspResponse(readFileSync(file), load('intermediate'), load('root'));
      t.same({ status: r.status, reason: r.revocationReason, at: r.revokedAt?.toISOString() }, { status: 'revoked', reason: 1, at: '2025-01-01T00:00:00.000Z' });
    });
    t.end();
  }),
);
