/**
 * Memory stays bounded whatever the image size: signing and verifying a
 * 2.25 GiB image (sparse, so the test costs no disk) peaks at about the
 * resident size of a 96 MiB one, and under the 150 MiB of issue #7.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { SIF_BIN } from '../test-support/cli.js';
import { openpgpKey } from '../test-support/pgp.js';
import { sparseImage } from '../test-support/sparse.js';

const MiB = 1 << 20;

/** Prints the process's peak resident set when it exits, however it exits. */
const REPORT_PEAK = `process.on('exit', () => process.stderr.write('MAXRSS ' + process.resourceUsage().maxRSS + '\\n'));`;

/** A real `bin/sif` process, as users run it: its exit code and peak RSS in MiB. */
function cliPeakRss(args: string[]): { code: number; stderr: string; rssMiB: number } {
  const peak = ['--import', `data:text/javascript,${encodeURIComponent(REPORT_PEAK)}`];
  // tap preloads its own modules into children through NODE_OPTIONS; they would count in the RSS.
  const r = spawnSync('env', ['-u', 'NODE_OPTIONS', process.execPath, ...peak, SIF_BIN, ...args]);
  const stderr = r.stderr.toString();
  const kib = Number(/^MAXRSS (\d+)$/m.exec(stderr)?.[1] ?? NaN);
  return { code: r.status ?? -1, stderr, rssMiB: Math.round(kib / 1024) };
}

/** Both ways of hashing: one object alone on the main thread (async reads), and three beside a worker (blocking reads). */
const LAYOUTS = {
  '1 object': (size: number) => [3 * size],
  '3 objects': (size: number) => [size, size, size],
};

t.test('memory stays bounded whatever the image size: sign and verify of 2.25 GiB vs 96 MiB', async (t) => {
  const dir = t.testdir();
  const key = await openpgpKey(dir, 'ecc');
  for (const [layout, sizes] of Object.entries(LAYOUTS)) {
    const rss: Record<string, number> = {};
    for (const [name, size] of [['small', 32 * MiB], ['big', 768 * MiB]] as const) {
      const image = join(dir, `${name}.sif`);
      await sparseImage(image, sizes(size));
      for (const [op, keyring] of [['sign', key.secretPath], ['verify', key.publicPath]] as const) {
        const r = cliPeakRss([op, '--keyring', keyring, image]);
        t.equal(r.code, 0, r.stderr);
        rss[`${op} ${name}`] = r.rssMiB;
      }
    }
    t.comment(`${layout}: peak RSS (MiB): ${JSON.stringify(rss)}`);
    for (const op of ['sign', 'verify']) {
      t.ok(rss[`${op} big`]! < 150, `${layout}: ${op} of 2.25 GiB: ${rss[`${op} big`]} MiB < 150 MiB`);
      t.ok(rss[`${op} big`]! <= rss[`${op} small`]! + 24, `${layout}: ${op} of 2.25 GiB costs at most 24 MiB more than 96 MiB`);
    }
  }
});
