/**
 * Verifier target: signed images, tampered with (SIF mutations), with their
 * clear-signed messages damaged (armor and packet mutations), or with their
 * metadata JSON mutated and re-signed by the reference test key (so the
 * metadata parser and the digest checks are reached). Every verification mode
 * runs; `sif verify` runs in-process now and then. With $SIF_FUZZ_ORACLE set
 * to the Go oracle, every image we verify must also verify in the reference:
 * we may be stricter than it, never more lenient.
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import * as openpgp from 'openpgp';
import { captureMain } from '../cli/capture.js';
import { DataType } from '../format/constants.js';
import { descriptorLayout } from '../format/layout.js';
import { SifImage } from '../image/image.js';
import { decodeClearSigned } from '../integrity/pgp/cleartext.js';
import type { VerificationKey } from '../integrity/trust.js';
import { verifyIntegrity, type VerifyOptions } from '../integrity/verify.js';
import { parseKeys } from '../keys/read.js';
import { readSeeds, seedDirs } from './corpus.js';
import { stack } from './mutate.js';
import { JSON_MUTATORS } from './mutate-json.js';
import { PGP_MUTATORS } from './mutate-pgp.js';
import { SIF_MUTATORS } from './mutate-sif.js';
import { Finding, Tally } from './outcome.js';
import type { Prng } from './prng.js';
import { objectData, replaceObjectData, usedSlots } from './sif-bytes.js';
import type { FuzzTarget, RunContext } from './target.js';

interface KeyMaterial {
  /** Public key files the verifier trusts (and the oracle is given). */
  files: string[];
  keys: VerificationKey[];
  /** An unprotected secret key to re-sign mutated metadata with. */
  signer: openpgp.PrivateKey | undefined;
}

let material: Promise<KeyMaterial> | undefined;

async function loadMaterial(): Promise<KeyMaterial> {
  const out: KeyMaterial = { files: [], keys: [], signer: undefined };
  for (const seed of readSeeds(seedDirs('keys'), ['.asc'])) {
    const keys = await parseKeys(seed.bytes, seed.name).catch(() => []);
    if (keys.length === 0) continue;
    out.files.push(seed.name);
    for (const key of keys) {
      out.keys.push({ key, source: 'local', path: seed.name });
      if (!out.signer && key.isPrivate() && key.isDecrypted()) out.signer = key;
    }
  }
  return out;
}

const keyMaterial = () => (material ??= loadMaterial());

/** A fixed date (after the test key's self-signature) and no salt keep re-signed inputs reproducible. */
const SIGNING_DATE = new Date('2024-01-02T03:04:05Z');
const ENTITY_AT = descriptorLayout.offsets.extra + 4;

/** Mutated metadata, re-signed so the verifier parses it; the descriptor names the signer. */
async function resignedPayload(rng: Prng, image: Buffer): Promise<{ bytes: Buffer; steps: string[] } | undefined> {
  const { signer } = await keyMaterial();
  const slots = usedSlots(image, DataType.Signature);
  if (!signer || slots.length === 0) return undefined;
  const slot = rng.pick(slots);
  const cs = decodeClearSigned(objectData(image, slot) ?? Buffer.alloc(0));
  if (!cs) return undefined;
  const payload = stack(rng, cs.plaintext, JSON_MUTATORS, [], 2);
  const message = await openpgp.createCleartextMessage({ text: payload.bytes.toString('utf8') });
  const text = await openpgp.sign({ message, signingKeys: signer, date: SIGNING_DATE, config: { nonDeterministicSignaturesViaNotation: false } });
  const out = replaceObjectData(image, slot, Buffer.from(text, 'utf8'));
  Buffer.from(signer.getFingerprint(), 'hex').copy(out, slot + ENTITY_AT);
  out.writeInt32LE(1, slot + descriptorLayout.offsets.extra); // SHA-256, as openpgp.js signed
  return { bytes: out, steps: ['resign', ...payload.steps] };
}

/** Armor, header and packet damage to one signature object's message. */
function damagedMessage(rng: Prng, image: Buffer, donors: readonly Buffer[]): { bytes: Buffer; steps: string[] } | undefined {
  const slots = usedSlots(image, DataType.Signature);
  if (slots.length === 0) return undefined;
  const slot = rng.pick(slots);
  const message = stack(rng, Buffer.from(objectData(image, slot) ?? Buffer.alloc(0)), PGP_MUTATORS, donors, 2);
  return { bytes: replaceObjectData(image, slot, message.bytes), steps: ['message', ...message.steps] };
}

async function mutate(rng: Prng, seed: Buffer, donors: readonly Buffer[]): Promise<{ bytes: Buffer; steps: string[] }> {
  const choice = rng.int(10);
  const special = choice < 4 ? await resignedPayload(rng, seed) : choice < 6 ? damagedMessage(rng, seed, donors) : undefined;
  if (special && rng.chance(0.8)) return special;
  const more = stack(rng, special?.bytes ?? seed, SIF_MUTATORS, donors, 3);
  return { bytes: more.bytes, steps: [...(special?.steps ?? []), ...more.steps] };
}

type Mode = Omit<VerifyOptions, 'keys'>;

const MODES: Mode[] = [{}, {}, {}, { legacy: true }, { legacyAll: true }, { groups: [1] }, { groups: [2] }, { objects: [1] }, { objects: [2] }, { objects: [3] }];

const oracleFlags = (m: Mode) => [
  ...(m.groups ?? []).flatMap((g) => ['--group', String(g)]),
  ...(m.objects ?? []).flatMap((o) => ['--object', String(o)]),
  ...(m.legacy ? ['--legacy'] : []),
  ...(m.legacyAll ? ['--legacy-all'] : []),
];

/**
 * Reference errors that are not about signatures: 2.8.3 reports "no objects
 * in image" whenever DescriptorsFree equals DescriptorsTotal, an unsigned
 * counter we do not trust (docs/security.md).
 */
const REFERENCE_ONLY = [/no objects in image/];

/** We verified `file`; the reference must agree. */
function checkReference(file: string, mode: Mode, files: readonly string[]): void {
  const oracle = process.env.SIF_FUZZ_ORACLE;
  if (!oracle) return;
  const r = spawnSync(oracle, ['verify', ...oracleFlags(mode), ...files.flatMap((f) => ['--keyring', f]), file], { encoding: 'utf8' });
  const verdict = JSON.parse(r.stdout || '{}') as { error?: string };
  if (r.status !== 0 || verdict.error === undefined) throw new Finding('reference', new Error(`oracle failed: ${r.stderr}`));
  if (verdict.error !== '' && !REFERENCE_ONLY.some((re) => re.test(verdict.error!))) {
    throw new Finding(`verify ${JSON.stringify(mode)}`, new Error(`verified an image the reference rejects: ${verdict.error}`));
  }
}

async function exerciseCli(file: string, files: readonly string[], rng: Prng): Promise<void> {
  const argv = ['verify', ...files.flatMap((f) => ['--keyring', f]), ...rng.pick([[], ['--json'], ['-g', '1'], ['-i', '2'], ['--legacy-insecure'], ['--legacy-insecure', '--all']]), file];
  const r = await captureMain(argv, { env: { SIF_KEYSDIR: '/nonexistent', SIF_GLOBAL_KEYRING: '' } });
  const last = r.stderr.trimEnd().split('\n').at(-1) ?? '';
  if (r.code === 1 || (r.code !== 0 && !/^sif: /.test(last))) throw new Finding(`sif ${argv.join(' ')}`, new Error(`exit ${r.code}: ${r.stderr}`));
}

export const verifyTarget: FuzzTarget = {
  name: 'verify',
  extension: '.sif',
  seeds: () => readSeeds(seedDirs('images'), ['.sif']).filter((s) => usedSlots(s.bytes, DataType.Signature).length > 0),
  mutate,
  async run(input: Buffer, ctx: RunContext, rng: Prng): Promise<Tally> {
    const tally = new Tally();
    const { keys, files } = await keyMaterial();
    await writeFile(ctx.scratchFile, input);
    const image = await tally.runAsync('open', () => SifImage.open(ctx.scratchFile));
    if (image) {
      try {
        // The default mode every time (what users run), and one other mode drawn at random.
        for (const mode of [{}, rng.pick(MODES.slice(3))]) {
          const report = await tally.runAsync('verify', () => verifyIntegrity(image, { keys, ...mode }));
          if (report?.ok) checkReference(ctx.scratchFile, mode, files);
        }
      } finally {
        await image.close();
      }
    }
    if (rng.chance(0.25)) await exerciseCli(ctx.scratchFile, files, rng);
    return tally;
  },
};
