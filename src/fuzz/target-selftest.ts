/**
 * A target that misbehaves on purpose, one way per seed, so the harness's own
 * test can check that each kind of failure is caught: a synchronous and an
 * asynchronous hang, an uncaught TypeError, a huge allocation, and a typed
 * error that is fine. Registered only when $SIF_FUZZ_SELFTEST is 1.
 */
import { FormatError } from '../errors.js';
import { Tally } from './outcome.js';
import type { FuzzTarget } from './target.js';

const BEHAVIOURS = ['ok', 'typed error', 'sync hang', 'async hang', 'type error', 'huge allocation'] as const;

export const selftestTarget: FuzzTarget = {
  name: 'selftest',
  extension: '.bin',
  seeds: () => BEHAVIOURS.map((b, i) => ({ name: b, bytes: Buffer.from([i]) })),
  mutate: (_rng, seed) => ({ bytes: seed, steps: [] }),
  async run(input) {
    const tally = new Tally();
    const behaviour = BEHAVIOURS[input[0] ?? 0];
    await tally.runAsync(behaviour ?? 'ok', async () => {
      if (behaviour === 'typed error') throw new FormatError('SIF_CORRUPT', 'a typed error is a result');
      if (behaviour === 'sync hang') for (;;);
      if (behaviour === 'async hang') await new Promise(() => undefined);
      if (behaviour === 'type error') throw new TypeError('an untyped error is a finding');
      if (behaviour === 'huge allocation') return Buffer.alloc(1 << 30);
      return undefined;
    });
    return tally;
  },
};
