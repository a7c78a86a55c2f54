/**
 * Key-parser target: key files as users have them (armored, several armored
 * blocks, binary keyrings) go through every reader we have — the verifier's
 * key-file reader, `sif key import`'s reader and import, the keyring parser
 * and `sif key list`'s description and rendering — and one `sif key` command
 * runs in-process on a keys directory holding the input.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { captureMain } from '../cli/capture.js';
import { goLocalZone } from '../cli/render/go-local-time.js';
import { keyListJson, renderKeyEntry } from '../cli/render/key-list.js';
import { describeEntry } from '../keys/describe.js';
import { importKeys, readImportFile } from '../keys/import.js';
import { parseKeyring } from '../keys/keyring.js';
import { localKeyrings } from '../keys/location.js';
import { fingerprintOf, parseKeys } from '../keys/read.js';
import { findArmorBlocks } from './armor.js';
import { readSeeds, seedDirs, type Seed } from './corpus.js';
import { stack } from './mutate.js';
import { PACKET_MUTATORS, PGP_MUTATORS } from './mutate-pgp.js';
import { checkCliRun, Tally } from './outcome.js';
import type { Prng } from './prng.js';
import type { FuzzTarget, RunContext } from './target.js';

/** The armored seeds plus their binary (de-armored) forms: Apptainer keyrings are binary. */
export function keySeeds(): Seed[] {
  const armored = readSeeds(seedDirs('keys'), ['.asc', 'pgp-public', 'pgp-secret']);
  const binary = armored.flatMap((s) => {
    const body = Buffer.concat(findArmorBlocks(s.bytes.toString('latin1')).map((b) => b.body));
    return body.length > 0 ? [{ name: `${s.name} (binary)`, bytes: body }] : [];
  });
  return [...armored, ...binary];
}

const isArmored = (b: Buffer) => b.subarray(0, 512).toString('latin1').includes('-----BEGIN PGP');

async function exerciseLibrary(input: Buffer, ctx: RunContext, tally: Tally): Promise<void> {
  const keys = await tally.runAsync('parse keys', () => parseKeys(input, 'fuzz input'));
  for (const key of keys ?? []) tally.run('fingerprint', () => fingerprintOf(key));
  const ring = await tally.runAsync('parse keyring', () => parseKeyring(input, 'fuzz keyring', 'secret'));
  for (const [i, entry] of (ring?.entries ?? []).entries()) {
    const info = tally.run('describe key', () => describeEntry(entry, i));
    if (info) tally.run('render key', () => [renderKeyEntry(info, goLocalZone({ TZ: 'UTC' })), JSON.stringify(keyListJson('k', true, [info]))]);
  }
  await writeFile(ctx.scratchFile, input);
  const incoming = await tally.runAsync('read import file', () => readImportFile(ctx.scratchFile));
  if (!incoming) return;
  const keysDir = join(ctx.scratchDir, 'import');
  await rm(keysDir, { recursive: true, force: true });
  await tally.runAsync('import keys', () => importKeys(localKeyrings(keysDir), incoming.entries, { passphraseFor: async () => 'wrong passphrase' }));
}

/** `sif key list` over the input as a keyring, checked for the CLI contract. */
async function exerciseCli(input: Buffer, ctx: RunContext, rng: Prng): Promise<void> {
  const keysDir = join(ctx.scratchDir, 'keys');
  await rm(keysDir, { recursive: true, force: true });
  await mkdir(keysDir, { mode: 0o700 });
  const secret = rng.chance(0.5);
  await writeFile(join(keysDir, secret ? 'pgp-secret' : 'pgp-public'), input, { mode: 0o600 });
  const argv = ['key', 'list', '--keysdir', keysDir, ...(secret ? ['--secret'] : []), ...(rng.chance(0.5) ? ['--json'] : [])];
  checkCliRun(argv, await captureMain(argv, { env: { TZ: 'UTC' } }));
}

export const keysTarget: FuzzTarget = {
  name: 'keys',
  extension: '.key',
  seeds: keySeeds,
  mutate: (rng, seed, donors) => stack(rng, seed, isArmored(seed) ? PGP_MUTATORS : PACKET_MUTATORS, donors, 3),
  async run(input, ctx, rng) {
    const tally = new Tally();
    await exerciseLibrary(input, ctx, tally);
    await exerciseCli(input, ctx, rng);
    return tally;
  },
};
