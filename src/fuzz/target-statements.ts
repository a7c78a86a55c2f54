/**
 * Statements target (unsigned attestation JSON): model_signing statements (the payloads of every
 * model-transparency fixture's model.sig) and SAP AI Core signature files,
 * mutated structurally and byte-wise. Every input goes through the SAP
 * signatures reader and verdicts, the in-toto rule check and the
 * model_signing statement reader; a statement it accepts is then checked
 * against a small model. Each must end in a result or a typed SifError.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkModel, readModelStatement } from '../attest/model-signing/index.js';
import { parseSapSignatures } from '../attest/sap-aicore.js';
import { signedSha256 } from '../attest/sap-verify.js';
import { statementProblem } from '../attest/statement.js';
import { fixturesDir, type Seed } from './corpus.js';
import { GENERIC_MUTATORS, stack, type Mutator } from './mutate.js';
import { Finding, Tally } from './outcome.js';
import type { Prng } from './prng.js';
import type { FuzzTarget } from './target.js';

const SAP_SEEDS: readonly Seed[] = [
  { name: 'sap: one image', bytes: Buffer.from('{"sif-image":"92d82d3d26e2de3227b54b8dafe05aee9e4bdb2840e59847b51d34e3682cd7cc"}') },
  { name: 'sap: two forms', bytes: Buffer.from('{"dummy-model":"sha256:6ae8a75555209fd6c44157c0aed8016e763ff435a19cf186f76863140143ff72","other":"abc"}') },
];

/** The statement inside each fixture's model.sig (bundle → DSSE envelope → base64 payload), and the SAP seeds. */
function attestSeeds(): Seed[] {
  const dir = join(fixturesDir(), 'model-transparency');
  const statements = existsSync(dir)
    ? readdirSync(dir)
        .sort()
        .filter((d) => existsSync(join(dir, d, 'model.sig')))
        .map((d) => {
          const bundle = JSON.parse(readFileSync(join(dir, d, 'model.sig'), 'utf8')) as { dsseEnvelope: { payload: string } };
          return { name: `${d}/model.sig payload`, bytes: Buffer.from(bundle.dsseEnvelope.payload, 'base64') };
        })
    : [];
  return statements.length > 0 ? [...statements, ...SAP_SEEDS] : [];
}

type Doc = { [key: string]: unknown };
const isDoc = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An edit of the parsed document; input that is not a JSON object passes through. */
const onDocument = (name: string, edit: (rng: Prng, doc: Doc) => unknown): Mutator => ({
  name,
  apply(rng, input) {
    try {
      const doc = JSON.parse(input.toString('utf8')) as unknown;
      return isDoc(doc) ? Buffer.from(JSON.stringify(edit(rng, doc))) : input;
    } catch {
      return input;
    }
  },
});

const predicateOf = (d: Doc): Doc => (isDoc(d.predicate) ? d.predicate : {});
const resourcesOf = (d: Doc): unknown[] => (Array.isArray(predicateOf(d).resources) ? (predicateOf(d).resources as unknown[]) : []);
const withPredicate = (d: Doc, p: Doc) => ({ ...d, predicate: { ...predicateOf(d), ...p } });
const ODD = ['', '.', '..', '../x', '/etc/passwd', 'a:1:2', 'a:-1:2', 'a:1', 'a:b:c', 'signme-1', 'SIGNME-1', '\u0000', 'a/./b', 'x'.repeat(5000), 7, null, {}];

const STATEMENT_MUTATORS: readonly Mutator[] = [
  onDocument('resources-repeated', (rng, d) => withPredicate(d, { resources: Array(rng.pick([0, 2, 1000, 20000])).fill(resourcesOf(d)[0] ?? null) })),
  onDocument('resource-name', (rng, d) => withPredicate(d, { resources: resourcesOf(d).map((r) => (isDoc(r) && rng.chance(0.5) ? { ...r, name: rng.pick(ODD) } : r)) })),
  onDocument('resource-digest', (rng, d) =>
    withPredicate(d, { resources: resourcesOf(d).map((r) => (isDoc(r) ? { ...r, digest: rng.pick(['', 'AB', 'abc', String(r.digest).toUpperCase(), 'ff'.repeat(64), 5]) } : r)) }),
  ),
  onDocument('serialization', (rng, d) =>
    withPredicate(d, { serialization: { ...(isDoc(predicateOf(d).serialization) ? (predicateOf(d).serialization as Doc) : {}), [rng.pick(['method', 'hash_type', 'shard_size', 'allow_symlinks', 'ignore_paths'])]: rng.pick(['shards', 'files', 'blake3', 0, -1, 1.5, 1e300, 8, true, 'false', ['.'], [1], null]) } }),
  ),
  onDocument('subjects', (rng, d) => ({ ...d, subject: rng.pick([[], null, {}, Array(rng.pick([2, 10000])).fill(Array.isArray(d.subject) ? d.subject[0] : null)]) })),
  onDocument('predicate-type', (rng, d) => ({ ...d, predicateType: rng.pick(['https://model_signing/Digests/v0.1', 'https://model_signing/signature/v1.0', 'x', null]) })),
  onDocument('sap-values', (rng, d) => Object.fromEntries(Object.entries(d).map(([k, v]) => [rng.pick([k, '__proto__', 'constructor', '']), rng.pick([v, 1, null, 'f'.repeat(257), `sha256:${String(v)}`, String(v).slice(1)])]))),
];

/** The model every accepted statement is checked against: two small files, written once per scratch folder. */
async function scratchModel(dir: string): Promise<string> {
  const model = join(dir, 'model');
  if (!existsSync(model)) {
    await mkdir(model, { recursive: true });
    await writeFile(join(model, 'signme-1'), 'signme-1\n');
    await writeFile(join(model, 'signme-2'), 'signme-2\n');
  }
  return model;
}

export const statementsTarget: FuzzTarget = {
  name: 'statements',
  extension: '.json',
  seeds: attestSeeds,
  mutate: (rng, seed, donors) => stack(rng, seed, [...STATEMENT_MUTATORS, ...STATEMENT_MUTATORS, ...GENERIC_MUTATORS], donors, 3),
  async run(input, ctx) {
    const tally = new Tally();
    const text = input.toString('utf8');
    const signatures = tally.run('SAP signatures', () => parseSapSignatures(text, 'input'));
    for (const value of Object.values(signatures ?? {})) tally.run('SAP value', () => signedSha256(value));
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return tally;
    }
    try {
      statementProblem(value); // a verdict, never an exception
    } catch (e) {
      throw new Finding('in-toto rules', e);
    }
    if (tally.run('model_signing statement', () => readModelStatement(value)) === undefined) return tally;
    const model = await scratchModel(ctx.scratchDir);
    await tally.runAsync('model_signing check', () => checkModel(value, model, { threads: 1 }));
    return tally;
  },
};
