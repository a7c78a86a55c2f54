import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../test-support/reference.js';
import { openpgpKey } from '../test-support/pgp.js';
import { sparseImage } from '../test-support/sparse.js';

const MiB = 1 << 20;

/** Runs the built CLI in a child process and returns its exit code and peak RSS in MiB. */
function cliPeakRss(args: string[]): { code: number; stderr: string; rssMiB: number } {
  const script = `const { main } = await import(${JSON.stringify(join(REPO_ROOT, 'dist/cli/main.js'))});
const code = await main(process.argv.slice(1));
process.stderr.write('MAXRSS ' + process.resourceUsage().maxRSS + '\\n');
process.exitCode = code;`;
  // tap preloads its own modules into children through NODE_OPTIONS; they would count in the RSS.
  const r = spawnSync('env', ['-u', 'NODE_OPTIONS', process.execPath, '--input-type=module', '-e', script, ...args]);
  const stderr = r.stderr.toString();
  const kib = Number(/^MAXRSS (\d+)$/m.exec(stderr)?.[1] ?? NaN);
  return { code: r.status ?? -1, stderr, rssMiB: Math.round(kib / 1024) };
}

t.test('memory stays bounded whatever the image size: sign and verify of 2.25 GiB vs 96 MiB', async (t) => {
  const dir = t.testdir();
  const key = await openpgpKey(dir, 'ecc');
  const rss: Record<string, number> = {};
  for (const [name, size] of [['small', 32 * MiB], ['big', 768 * MiB]] as const) {
    const image = join(dir, `${name}.sif`);
    await sparseImage(image, [size, size, size]);
    const sign = cliPeakRss(['sign', '--keyring', key.secretPath, image]);
    t.equal(sign.code, 0, sign.stderr);
    const verify = cliPeakRss(['verify', '--keyring', key.publicPath, image]);
    t.equal(verify.code, 0, verify.stderr);
    rss[`sign ${name}`] = sign.rssMiB;
    rss[`verify ${name}`] = verify.rssMiB;
  }
  t.comment(`peak RSS (MiB): ${JSON.stringify(rss)}`);
  for (const op of ['sign', 'verify']) {
    t.ok(rss[`${op} big`]! < 150, `${op} of 2.25 GiB: ${rss[`${op} big`]} MiB < 150 MiB`);
    t.ok(rss[`${op} big`]! <= rss[`${op} small`]! + 24, `${op}: 2.25 GiB costs at most 24 MiB more than 96 MiB`);
  }
});
