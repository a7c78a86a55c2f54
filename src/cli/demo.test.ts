/** `npm run demo` really works, and the image it builds is one siftool reads the same way. */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runTool } from '../test-support/cli.js';
import { REPO_ROOT, withReference } from '../test-support/reference.js';

t.test('scripts/demo builds, inspects, signs and verifies an image, and catches tampering', async (t) => {
  const dir = t.testdir();
  const r = spawnSync('bash', ['scripts/demo'], { cwd: REPO_ROOT, env: { ...process.env, DEMO_DIR: dir } });
  t.equal(r.status, 0, r.stderr.toString());
  const out = r.stdout.toString();
  t.match(out, /\$ sif list .*demo\.sif\n-{78}\n/);
  t.match(out, /\n2 +\|1 +\|NONE +\|32768-39068 +\|FS \(Raw\/\*System\/amd64\)\n/);
  t.match(out, /\n5 +\|1 +\|2 +\|39184-39442 +\|SBOM \(spdx-json\)\n/);
  t.match(out, /\n6 +\|NONE +\|1   \(G\) \|39442-\d+ +\|Signature \(SHA-\d+\)\n/, 'the signature object is listed');
  t.match(out, /Verdict: accepted: every object group signed by all of the required fingerprints: [0-9A-F]{40}\n/);
  t.match(out, /Error encountered during signature verification: data object integrity compromised: 2\n/);
  t.match(out, /\(exit code 10: integrity failure/);
  t.match(out, /Launch Script: +#!\/usr\/bin\/env run-singularity\n/);
  t.match(out, /Name: +rootfs\.img\n/);
  await withReference(t, 'siftool lists the demo image as sif does', ['siftool'], async (t: Tap) => {
    const image = join(dir, 'demo.sif');
    const list = runTool('siftool', ['list', image]);
    t.equal(list.code, 0);
    t.ok(out.includes(list.stdout.toString()), 'the last listing (after signing) is siftool\'s');
  });
});
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tap's plugin-extended Test type is not nameable here
type Tap = any;
