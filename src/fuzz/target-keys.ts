/**
 * Key-parser target: key files as users have them (armored, several armored
 * blocks, binary keyrings) go through the parser, and every key it returns
 * through the calls our commands make on keys.
 */
import { fingerprintOf, parseKeys } from '../keys/read.js';
import { findArmorBlocks } from './armor.js';
import { readSeeds, seedDirs, type Seed } from './corpus.js';
import { stack } from './mutate.js';
import { PACKET_MUTATORS, PGP_MUTATORS } from './mutate-pgp.js';
import { Tally } from './outcome.js';
import type { FuzzTarget } from './target.js';

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

export const keysTarget: FuzzTarget = {
  name: 'keys',
  extension: '.key',
  seeds: keySeeds,
  mutate: (rng, seed, donors) => stack(rng, seed, isArmored(seed) ? PGP_MUTATORS : PACKET_MUTATORS, donors, 3),
  async run(input) {
    const tally = new Tally();
    const keys = await tally.runAsync('parse keys', () => parseKeys(input, 'fuzz input'));
    for (const key of keys ?? []) tally.run('fingerprint', () => fingerprintOf(key));
    return tally;
  },
};
