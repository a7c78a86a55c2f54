/**
 * DSSE parsers target: envelopes (from upstream's DSSE images) and PEM key
 * files, mutated structurally and byte-wise. Every input goes through the PEM
 * scanner, both PEM key readers and the DSSE decoder, which must open and
 * verify it against upstream's public keys without throwing anything but a
 * typed SifError (the decoder itself must never throw).
 */
import { writeFile } from 'node:fs/promises';
import { DataType } from '../format/constants.js';
import { DSSE_ENVELOPE } from '../integrity/dsse/format.js';
import { readPublicKey, readSigningKey } from '../integrity/dsse/keys.js';
import { pemBlocks } from '../integrity/dsse/pem.js';
import type { PublicKeyMaterial } from '../integrity/trust.js';
import { readSeeds, seedDirs, type Seed } from './corpus.js';
import { GENERIC_MUTATORS, onJsonObject, stack, type JsonDoc, type Mutator } from './mutate.js';
import { Finding, Tally } from './outcome.js';
import { objectData, usedSlots } from './sif-bytes.js';
import type { FuzzTarget } from './target.js';

/** The envelopes of every DSSE-signed seed image, and every PEM key file. */
function dsseSeeds(): Seed[] {
  const envelopes = readSeeds(seedDirs('images'), ['-dsse.sif']).flatMap((s) =>
    usedSlots(s.bytes, DataType.Signature).flatMap((slot, i) => {
      const data = objectData(s.bytes, slot);
      return data ? [{ name: `${s.name} signature ${i}`, bytes: data }] : [];
    }),
  );
  return [...envelopes, ...readSeeds(seedDirs('keys'), ['.pem'])];
}

/** Edits of the parsed envelope. */
const onEnvelope = onJsonObject;

const signaturesOf = (doc: JsonDoc) => (Array.isArray(doc.signatures) ? (doc.signatures as JsonDoc[]) : []);

const ENVELOPE_MUTATORS: readonly Mutator[] = [
  onEnvelope('payload-url-safe', (_, d) => ({ ...d, payload: String(d.payload).replace(/\+/g, '-').replace(/\//g, '_') })),
  onEnvelope('payload-unpadded', (_, d) => ({ ...d, payload: String(d.payload).replace(/=+$/, '') })),
  onEnvelope('payload-other', (rng, d) => ({ ...d, payload: rng.pick(['', 'e30=', '***', null, 1, [[[]]], { a: 1 }]) })),
  onEnvelope('key-case', (_, d) => Object.fromEntries(Object.entries(d).map(([k, v]) => [k.toUpperCase(), v]))),
  onEnvelope('signatures-repeated', (rng, d) => ({ ...d, signatures: Array(rng.range(0, 200)).fill(signaturesOf(d)[0] ?? null) })),
  onEnvelope('signature-keyid', (rng, d) => ({ ...d, signatures: signaturesOf(d).map((s) => ({ ...s, keyid: rng.pick(['', 'SHA256:x', 7]) })) })),
  onEnvelope('signature-sig', (rng, d) => ({ ...d, signatures: signaturesOf(d).map((s) => ({ ...s, sig: rng.pick(['', 'AAAA', '!!', String(s.sig).slice(1)]) })) })),
  onEnvelope('signatures-other', (rng, d) => ({ ...d, signatures: rng.pick([null, {}, 'x', [1], [[]]]) })),
];

/** Upstream's public keys, loaded once per worker. */
let trusted: Promise<PublicKeyMaterial[]> | undefined;
const trustedKeys = () =>
  (trusted ??= Promise.all(readSeeds(seedDirs('keys'), ['-public.pem']).map((s) => readPublicKey(s.name))));

export const dsseTarget: FuzzTarget = {
  name: 'dsse',
  extension: '.json',
  seeds: dsseSeeds,
  mutate: (rng, seed, donors) => stack(rng, seed, seed.subarray(0, 1).toString() === '{' ? [...ENVELOPE_MUTATORS, ...GENERIC_MUTATORS] : GENERIC_MUTATORS, donors, 3),
  async run(input, ctx) {
    const tally = new Tally();
    tally.run('pem blocks', () => pemBlocks(input.toString('latin1')));
    await writeFile(ctx.scratchFile, input);
    await tally.runAsync('read public key', () => readPublicKey(ctx.scratchFile));
    await tally.runAsync('read signing key', () => readSigningKey(ctx.scratchFile, async () => 'wrong passphrase'));
    let opened;
    try {
      opened = DSSE_ENVELOPE.open(input);
    } catch (e) {
      throw new Finding('open envelope', e); // the decoder reports every problem as a verdict
    }
    if (opened === undefined) throw new Finding('open envelope', new Error('the DSSE decoder declined its input; it must open every input'));
    const keys = await trustedKeys();
    try {
      const verdict = await opened.verify(keys, new Date());
      if (verdict.failure === undefined && verdict.signer === undefined) throw new Error('neither a signer nor a failure');
    } catch (e) {
      throw new Finding('verify envelope', e);
    }
    return tally;
  },
};
