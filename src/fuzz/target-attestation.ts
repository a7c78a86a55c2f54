/**
 * Attestation target: Sigstore bundles and DSSE envelopes (model_signing's
 * bundles of every release, and ours), mutated structurally and byte-wise.
 * Each input is read (bundle.ts) and verified with a key and with an X.509
 * root; statement mutations are re-signed with the RFC 8032 test key, so the
 * statement parser sees them past a valid signature. Every step must end in
 * a value or a typed SifError.
 */
import { createPrivateKey, sign } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAttestation } from '../attest/bundle.js';
import { signStatement } from '../attest/sign.js';
import { statement } from '../attest/statement.js';
import { verifyAttestation, type AttestationTrust } from '../attest/verify.js';
import { pae } from '../integrity/dsse/envelope.js';
import { readPublicKey } from '../integrity/dsse/keys.js';
import { certificatesFromPem } from '../integrity/x509/pem.js';
import { readSeeds, REPO_ROOT, seedDirs, type Seed } from './corpus.js';
import { GENERIC_MUTATORS, onJsonObject, stack, type JsonDoc, type Mutator } from './mutate.js';
import { Tally } from './outcome.js';
import type { Prng } from './prng.js';
import type { FuzzTarget } from './target.js';

const TEST_KEY = join(REPO_ROOT, 'testdata/keys/rfc8032-ed25519');
const testKey = () => createPrivateKey(readFileSync(`${TEST_KEY}.pem`));

/** model_signing's bundles, and a bundle and an envelope of ours over a SIF statement. */
async function attestationSeeds(): Promise<Seed[]> {
  const key = { privateKey: testKey(), keyId: '', path: 'rfc8032' };
  const st = statement(
    [
      { name: 'a.sif', digest: { sha256: '92d82d3d26e2de3227b54b8dafe05aee9e4bdb2840e59847b51d34e3682cd7cc' } },
      { name: 'a.sif#object=1', digest: { sha256: '004dfc8da678c309de28b5386a1e9efd57f536b150c40d29b31506aa0fb17ec2' }, annotations: { 'sif.group': 1 } },
    ],
    'https://sif.invalid/attestations/sif-objects/v1',
    {},
  );
  const ours = await Promise.all((['bundle', 'dsse'] as const).map(async (format) => ({ name: `sif attest --format ${format}`, bytes: Buffer.from(await signStatement(st, key, { format })) })));
  return [...readSeeds(seedDirs('attestations'), ['.sig']), ...ours];
}

const envelopeOf = (doc: JsonDoc): JsonDoc => (typeof doc.dsseEnvelope === 'object' && doc.dsseEnvelope !== null ? (doc.dsseEnvelope as JsonDoc) : doc);

/** Edits the statement in the payload, then re-signs it with the test key. */
const onStatement = (name: string, edit: (rng: Prng, st: JsonDoc) => unknown): Mutator =>
  onJsonObject(name, (rng, doc) => {
    const envelope = envelopeOf(doc);
    const payload = Buffer.from(JSON.stringify(edit(rng, JSON.parse(Buffer.from(String(envelope.payload), 'base64').toString('utf8')) as JsonDoc)));
    envelope.payload = payload.toString('base64');
    envelope.signatures = [{ keyid: '', sig: sign(null, pae(String(envelope.payloadType), payload), testKey()).toString('base64') }];
    if (typeof doc.verificationMaterial === 'object') doc.verificationMaterial = { publicKey: {} };
    return doc;
  });

const subjectsOf = (st: JsonDoc) => (Array.isArray(st.subject) ? (st.subject as JsonDoc[]) : []);

const MUTATORS: readonly Mutator[] = [
  onJsonObject('media-type', (rng, d) => ({ ...d, mediaType: rng.pick(['application/vnd.dev.sigstore.bundle+json;version=0.1', 'application/vnd.dev.sigstore.bundle.v0.4+json', '', null, 3]) })),
  onJsonObject('material', (rng, d) => ({
    ...d,
    verificationMaterial: rng.pick([null, {}, { publicKey: { hint: '' } }, { publicKey: { rawBytes: 'AAAA' } }, { certificate: { rawBytes: 'MIIB' } }, { x509CertificateChain: { certificates: [null] } }]),
  })),
  onJsonObject('payload-type', (rng, d) => ({ ...envelopeOf(d), payloadType: rng.pick(['', 'application/json', null, 7]) })),
  onJsonObject('signatures', (rng, d) => ({ ...envelopeOf(d), signatures: rng.pick([[], null, [{}], Array(rng.range(2, 80)).fill({ sig: 'AAAA' })]) })),
  onStatement('statement-fields', (rng, st) => ({ ...st, [rng.pick(['_type', 'predicateType', 'predicate', 'subject'])]: rng.pick([null, '', 1, [], {}, 'https://in-toto.io/Statement/v0.1']) })),
  onStatement('subject-digest', (rng, st) => ({
    ...st,
    subject: subjectsOf(st).map((s) => ({ ...s, digest: rng.pick([{}, { sha256: 'AB' }, { sha256: '' }, { sha512: 'ab'.repeat(32) }, { x: 1 }, null]) })),
  })),
  onStatement('subjects-repeated', (rng, st) => ({ ...st, subject: Array(rng.range(0, 3000)).fill(subjectsOf(st)[0] ?? null) })),
];

/** The model_signing public key and CA (when the fixtures are here) and the test key, read once per worker. */
let trusts: Promise<AttestationTrust[]> | undefined;
async function loadTrusts(): Promise<AttestationTrust[]> {
  const keys = [await readPublicKey(`${TEST_KEY}.pub`)];
  const dir = seedDirs('attestations')[0];
  const certs = dir === undefined ? undefined : join(dir, 'keys/certificate');
  if (certs === undefined || !existsSync(certs)) return [{ kind: 'keys', keys }];
  keys.push(await readPublicKey(join(certs, 'signing-key-pub.pem')));
  const roots = certificatesFromPem(readFileSync(join(certs, 'ca-cert.pem'), 'latin1'));
  return [{ kind: 'keys', keys }, { kind: 'x509', x509: { intermediates: [], roots, now: new Date('2030-01-01T00:00:00Z') } }];
}

export const attestationTarget: FuzzTarget = {
  name: 'attestation',
  extension: '.json',
  seeds: attestationSeeds,
  mutate: (rng, seed, donors) => stack(rng, seed, [...MUTATORS, ...GENERIC_MUTATORS], donors, 3),
  async run(input) {
    const tally = new Tally();
    tally.run('read attestation', () => readAttestation(input));
    for (const trust of await (trusts ??= loadTrusts())) await tally.runAsync(`verify with ${trust.kind}`, () => verifyAttestation(input, trust));
    return tally;
  },
};
