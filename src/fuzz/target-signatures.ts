/**
 * Differential target for signature packets: images signed by a trusted key,
 * their clear-signed messages' packets mutated (mutate-signature.ts) and
 * re-armored, or their armor damaged. Every input is judged in-process under
 * every signer policy (default, --fingerprints, --require any,
 * --ignore-unknown-signers); with $SIF_FUZZ_ORACLE set to the Go oracle, each
 * verdict must be the reference's, "unknown signer" must be exactly the
 * reference's unknown entity, and a refusal the reference does not make must
 * be one of our documented stricter rules (docs/security.md). The first input
 * of each verdict class also runs through `sif verify`, whose exit code must
 * say the same.
 */
import { writeFile } from 'node:fs/promises';
import { captureMain } from '../cli/capture.js';
import { EXIT_CODES } from '../cli/exit-codes.js';
import type { SifError } from '../errors.js';
import { DataType } from '../format/constants.js';
import { descriptorLayout } from '../format/layout.js';
import { decodeClearSigned } from '../integrity/pgp/cleartext.js';
import { decideFingerprints } from '../policy/decide.js';
import { parseKeys } from '../keys/read.js';
import { collectReport } from '../policy/report.js';
import { armor } from './armor.js';
import { readSeeds, seedDirs, type Seed } from './corpus.js';
import { stack } from './mutate.js';
import { ARMOR_MUTATORS } from './mutate-pgp.js';
import { SIGNATURE_MUTATORS } from './mutate-signature.js';
import { OracleServer } from './oracle-server.js';
import { Finding, Tally, checkCliRun } from './outcome.js';
import { isUnknownEntity, POLICY_MODES, referencePolicyError, sifPolicyFlags, type PolicyMode } from './policy-modes.js';
import type { Prng } from './prng.js';
import { objectData, replaceObjectData, usedSlots } from './sif-bytes.js';
import type { FuzzTarget, RunContext } from './target.js';

/** Our refusals of images the reference verifies, each a documented stricter rule (docs/security.md). */
export const STRICTER_RULES: readonly RegExp[] = [
  /non signature packet found/,
  /version \d+ signatures are not supported/,
  /duplicate of signature object/,
  /object too large for a signature/,
  /text after the signature|text before the signed message|armor headers in the signature block/,
];

/** The signer's fingerprint in a signature descriptor's Extra. */
const ENTITY_AT = descriptorLayout.offsets.extra + 4;

const MAX_SEED_BYTES = 1 << 20;

/** Trusted public key files: every .asc seed key (the reference test key signed the Go test images). */
const keyFiles = () => readSeeds(seedDirs('keys'), ['.asc']).map((s) => s.name);

let oracle: OracleServer | undefined;
const referenceOracle = () => (process.env.SIF_FUZZ_ORACLE ? (oracle ??= new OracleServer(process.env.SIF_FUZZ_ORACLE)) : undefined);

/** The fingerprint a signature descriptor records (upper-case hex). */
const signerOf = (image: Buffer, slot: number) => image.subarray(slot + ENTITY_AT, slot + ENTITY_AT + 20).toString('hex').toUpperCase();

/** Signature objects whose descriptor names a signer, so the policies have a fingerprint to require. */
const signedSlots = (image: Buffer) => usedSlots(image, DataType.Signature).filter((s) => image.subarray(s + ENTITY_AT, s + ENTITY_AT + 20).some((b) => b !== 0));

async function mutate(rng: Prng, seed: Buffer): Promise<{ bytes: Buffer; steps: string[] }> {
  const slots = signedSlots(seed);
  const slot = rng.pick(slots);
  const message = objectData(seed, slot) ?? Buffer.alloc(0);
  const cs = decodeClearSigned(message);
  if (!cs || rng.chance(0.1)) {
    const damaged = stack(rng, message, ARMOR_MUTATORS, [], 2);
    return { bytes: replaceObjectData(seed, slot, damaged.bytes), steps: ['armor', ...damaged.steps] };
  }
  const packets = stack(rng, cs.signature, SIGNATURE_MUTATORS, [], 3);
  const text = message.toString('latin1');
  const rearmored = `${text.slice(0, text.indexOf('-----BEGIN PGP SIGNATURE-----'))}${armor('SIGNATURE', [], packets.bytes)}\n`;
  return { bytes: replaceObjectData(seed, slot, Buffer.from(rearmored, 'latin1')), steps: ['packets', ...packets.steps] };
}

interface Verdict {
  readonly mode: PolicyMode;
  readonly error: SifError | undefined;
}

/** Our verdict under every policy, from one verification. */
async function ourVerdicts(file: string, keyrings: readonly string[], fingerprint: string): Promise<Verdict[]> {
  const collected = await collectReport(file, { keys: { keyrings, env: { SIF_KEYSDIR: '/nonexistent', SIF_GLOBAL_KEYRING: '' } }, legacy: false });
  return POLICY_MODES.map((mode) => {
    const policy = { fingerprints: mode === 'fingerprints' || mode === 'require-any' ? [fingerprint] : [], require: mode === 'require-any' ? ('any' as const) : undefined, ignoreUnknownSigners: mode === 'ignore-unknown' };
    return { mode, error: decideFingerprints(collected.report, policy).error };
  });
}

async function compareWithReference(server: OracleServer, file: string, keyrings: readonly string[], fingerprint: string, ours: Verdict): Promise<void> {
  const theirs = await referencePolicyError(server, ours.mode, file, keyrings, fingerprint);
  const mine = ours.error?.message ?? '';
  const stricter = STRICTER_RULES.some((re) => re.test(mine));
  if (ours.error === undefined && theirs !== '') throw new Finding(`verify ${ours.mode}`, new Error(`verified an image the reference rejects: ${theirs}`));
  if (ours.error !== undefined && theirs === '' && !stricter) {
    throw new Finding(`verify ${ours.mode}`, new Error(`rejected an image the reference verifies: ${mine}`));
  }
  // A stricter rule may refuse, as invalid, what the reference finds no signer for (never the other way round).
  if (ours.mode === 'default' && theirs !== '' && !stricter && (ours.error?.code === 'SIF_UNKNOWN_SIGNER') !== isUnknownEntity(theirs)) {
    throw new Finding('verify default', new Error(`classified differently: ours ${ours.error?.code} (${mine}); reference ${theirs}`));
  }
}

/** Verdict classes already checked through the CLI in this worker. */
const cliChecked = new Set<string>();

async function checkCli(file: string, keyrings: readonly string[], fingerprint: string, ours: Verdict): Promise<void> {
  const cls = `${ours.mode} ${ours.error?.code ?? 'ok'}`;
  if (cliChecked.has(cls)) return;
  cliChecked.add(cls);
  const argv = ['verify', ...keyrings.flatMap((k) => ['--keyring', k]), ...sifPolicyFlags(ours.mode, fingerprint), file];
  const r = await captureMain(argv, { env: { SIF_KEYSDIR: '/nonexistent', SIF_GLOBAL_KEYRING: '' } });
  checkCliRun(argv, r);
  const want = ours.error ? EXIT_CODES[ours.error.code] : 0;
  if (r.code !== want) throw new Finding(`sif ${argv.join(' ')}`, new Error(`exit ${r.code}, the library says ${cls} (exit ${want}): ${r.stderr}`));
}

/**
 * Small images signed by a trusted key: mutants of these reach the maths and
 * the key checks. Small, because the reference verifies every input five
 * times, hashing every object.
 */
async function trustedSeeds(): Promise<Seed[]> {
  const trusted = new Set<string>();
  for (const seed of readSeeds(seedDirs('keys'), ['.asc'])) {
    for (const key of await parseKeys(seed.bytes, seed.name).catch(() => [])) trusted.add(key.getFingerprint().toUpperCase());
  }
  return readSeeds(seedDirs('images'), ['.sif']).filter((s) => s.bytes.length <= MAX_SEED_BYTES && signedSlots(s.bytes).some((slot) => trusted.has(signerOf(s.bytes, slot))));
}

export const signaturesTarget: FuzzTarget = {
  name: 'signatures',
  extension: '.sif',
  seeds: trustedSeeds,
  mutate,
  async run(input: Buffer, ctx: RunContext): Promise<Tally> {
    const tally = new Tally();
    const keyrings = keyFiles();
    await writeFile(ctx.scratchFile, input);
    const slot = signedSlots(input)[0];
    const fingerprint = slot === undefined ? '0'.repeat(40) : signerOf(input, slot);
    const verdicts = await tally.runAsync('verify', () => ourVerdicts(ctx.scratchFile, keyrings, fingerprint));
    const server = referenceOracle();
    for (const v of verdicts ?? []) {
      if (server) await compareWithReference(server, ctx.scratchFile, keyrings, fingerprint, v);
      await checkCli(ctx.scratchFile, keyrings, fingerprint, v);
    }
    return tally;
  },
};
