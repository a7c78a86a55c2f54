/**
 * `sif verify-artifacts --sap-aicore`: the consumer of what `sif digest
 * --format sap-aicore` emits (round trip on the reference images), checked
 * against `sha256sum` as SAP's own example checks with hashlib; every value
 * form of docs/attestations.md; hostile signatures and arguments give one
 * line and a documented exit code.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GO_IMAGES, withReference } from '../test-support/reference.js';
import { runCli, runTool, SIF_BIN, spawnCli } from '../test-support/cli.js';
import { SAP_SIGNATURE_MAX_LENGTH } from '../attest/sap-aicore.js';
import type { ArtifactsCheck } from '../attest/sap-verify.js';

const sha256sum = (path: string) => runTool('sha256sum', [path]).stdout.toString().split(' ')[0]!;
const ONE = join(GO_IMAGES, 'one-group.sif');
const TWO = join(GO_IMAGES, 'two-groups.sif');

withReference(t, 'round trip: sif digest --format sap-aicore, then verify-artifacts', ['go-sif'], async (t) => {
  const dir = t.testdir({ 'model.bin': 'weights' });
  const sigs = join(dir, 'sigs.json');
  for (const [name, image] of [['sif-image', ONE], ['other', TWO]] as const) {
    const r = await runCli(['digest', '-f', 'sap-aicore', '--name', name, '--sap-file', sigs, image]);
    t.equal(r.code, 0, r.stderr);
  }
  const ok = await runCli(['verify-artifacts', '--sap-aicore', sigs, `sif-image=${ONE}`, `other=${TWO}`]);
  t.equal(ok.code, 0, ok.stderr);
  t.equal(ok.stdout.toString(), `sif-image (${ONE}): verified, sha256 ${sha256sum(ONE)}\nother (${TWO}): verified, sha256 ${sha256sum(TWO)}\n`);
  t.equal(ok.stderr, `Verified 2 artifact(s) against ${sigs}\n`);

  const swapped = await runCli(['verify-artifacts', '--sap-aicore', sigs, '--json', `sif-image=${TWO}`, `other=${TWO}`]);
  t.equal(swapped.code, 10, 'a mismatch: exit 10, as sif verify');
  const json = JSON.parse(swapped.stdout.toString()) as ArtifactsCheck;
  t.same(json, {
    ok: false,
    artifacts: [
      { name: 'sif-image', path: TWO, verdict: 'mismatched', signature: sha256sum(ONE), sha256: sha256sum(TWO) },
      { name: 'other', path: TWO, verdict: 'matched', signature: sha256sum(TWO), sha256: sha256sum(TWO) },
    ],
  });
  t.equal(swapped.stderr, `sif: artifact "sif-image" (${TWO}): sha256 ${sha256sum(TWO)} differs from its signature ${sha256sum(ONE)}\n`);
});

t.test('value forms, the environment and stdin', async (t) => {
  const dir = t.testdir({ 'a.bin': 'hello', 'b.bin': 'world' });
  const [a, b] = [join(dir, 'a.bin'), join(dir, 'b.bin')];
  const signatures = JSON.stringify({ a: sha256sum(a), b: `sha256:${sha256sum(b).toUpperCase()}`, other: 'anything at all' });
  const env = await runCli(['verify-artifacts', '--sap-aicore', `a=${a}`, `b=${b}`], { AICORE_ARTIFACT_SIGNATURES: signatures });
  t.equal(env.code, 0, `bare hex and sha256:HEX (either case); no value: the environment variable ${env.stderr}`);
  t.equal(env.stderr, 'Verified 2 artifact(s) against AICORE_ARTIFACT_SIGNATURES\n');
  const stdin = spawnCli(['verify-artifacts', '--sap-aicore', '-', `a=${a}`], { input: signatures });
  t.equal(stdin.code, 0, stdin.stderr);
  t.equal(stdin.stderr, 'Verified 1 artifact(s) against the signatures on stdin\n');
  // A real process with fd 0 closed by the shell, as for `sif add IMG -`.
  const closed = spawnSync('sh', ['-c', 'exec "$0" verify-artifacts --sap-aicore - "a=$1" 0<&-', SIF_BIN, a], { encoding: 'utf8' });
  t.same([closed.status, closed.stderr], [2, 'sif: --sap-aicore is "-" but stdin is closed: pipe the signatures in, or name a file\n']);
  const unset = await runCli(['verify-artifacts', '--sap-aicore', `a=${a}`]);
  t.same([unset.code, unset.stderr], [2, 'sif: AICORE_ARTIFACT_SIGNATURES is not set: give the signatures with --sap-aicore FILE (or - for stdin)\n']);
});

t.test('hostile signatures and arguments: one line, a documented exit code', async (t) => {
  const dir = t.testdir({ 'a.bin': 'hello' });
  const a = join(dir, 'a.bin');
  const hex = sha256sum(a);
  const cases: [what: string, signatures: string, args: string[], code: number, stderr: RegExp][] = [
    ['not JSON', '{"a":', [`a=${a}`], 2, /^sif: \/sigs\.json: not JSON: /],
    ['an array', '["a"]', [`a=${a}`], 2, /^sif: \/sigs\.json: not a JSON object\n$/],
    ['a number', '{"a":1}', [`a=${a}`], 2, /^sif: \/sigs\.json: the value of "a" is not a string\n$/],
    ['too long', JSON.stringify({ a: 'f'.repeat(SAP_SIGNATURE_MAX_LENGTH + 1) }), [`a=${a}`], 2, /over SAP's 256-character limit\n$/],
    ['63 hex digits', JSON.stringify({ a: hex.slice(1) }), [`a=${a}`], 10, /^sif: artifact "a": its signature "[0-9a-f]{63}" is not a sha256 digest \(64 hex digits, or sha256:HEX\)\n$/],
    ['another algorithm', JSON.stringify({ a: `sha512:${hex}` }), [`a=${a}`], 10, /is not a sha256 digest/],
    ['a name not in the file', JSON.stringify({ a: hex }), [`a=${a}`, `b=${a}`], 11, /^sif: artifact "b": no entry for it in the signatures\n$/],
    ['an inherited name', JSON.stringify({ a: hex }), [`constructor=${a}`], 11, /artifact "constructor": no entry/],
    ['a missing file', JSON.stringify({ a: hex }), [`a=${join(dir, 'nope')}`], 3, /^sif: open .*nope: no such file or directory\n$/],
    ['a directory', JSON.stringify({ a: hex }), [`a=${dir}`], 3, /^sif: read .*: is a directory\n$/],
    ['no NAME=', JSON.stringify({ a: hex }), [a], 2, /is not NAME=PATH\n$/],
    ['no PATH', JSON.stringify({ a: hex }), ['a='], 2, /^sif: "a=" is not NAME=PATH\n$/],
    ['no artifact', JSON.stringify({ a: hex }), [], 2, /^sif: no artifact to check: give NAME=PATH for each\n$/],
  ];
  for (const [what, signatures, args, code, stderr] of cases) {
    const file = join(dir, 'sigs.json');
    writeFileSync(file, signatures);
    const r = await runCli(['verify-artifacts', '--sap-aicore', file, ...args]);
    t.equal(r.code, code, what);
    t.match(r.stderr.replace(dir, ''), stderr, what);
    t.equal(readFileSync(file, 'utf8'), signatures, `${what}: the file unchanged`);
  }
  const none = await runCli(['verify-artifacts', `a=${a}`]);
  t.same([none.code, none.stderr], [2, 'sif: verify-artifacts needs --sap-aicore (the only kind of signatures it checks)\n']);
  const missing = await runCli(['verify-artifacts', '--sap-aicore', join(dir, 'none.json'), `a=${a}`]);
  t.equal(missing.code, 3);
  writeFileSync(join(dir, 'huge.json'), Buffer.alloc((16 << 20) + 1, 32));
  const huge = await runCli(['verify-artifacts', '--sap-aicore', join(dir, 'huge.json'), `a=${a}`]);
  t.same([huge.code, huge.stderr.replace(dir, '')], [2, 'sif: /huge.json: over 16 MiB, not a signatures file\n']);
  const hugeStdin = await runCli(['verify-artifacts', '--sap-aicore', '-', `a=${a}`], {}, Buffer.alloc((16 << 20) + 1, 32));
  t.same([hugeStdin.code, hugeStdin.stderr], [2, 'sif: stdin: over 16 MiB, not a signatures file\n']);
});

t.test('several failures: all verdicts printed, the first one decides the exit code', async (t) => {
  const dir = t.testdir({ 'a.bin': 'hello', 'sigs.json': JSON.stringify({ a: 'f'.repeat(64), b: 'bad' }) });
  const a = join(dir, 'a.bin');
  const r = await runCli(['verify-artifacts', '--sap-aicore', join(dir, 'sigs.json'), `b=${a}`, `a=${a}`, `c=${a}`]);
  t.equal(r.code, 10);
  t.equal(r.stdout.toString().split('\n').length - 1, 3);
  t.match(r.stdout.toString(), /^b \(.*\): UNUSABLE signature "bad": not a sha256 digest\na \(.*\): MISMATCH: the signature is f{64}, the file's sha256 [0-9a-f]{64}\nc \(.*\): UNSIGNED: no entry in the signatures\n$/);
  t.match(r.stderr, /^sif: artifact "b": its signature "bad" is not a sha256 digest \(64 hex digits, or sha256:HEX\) \(and 2 more of 3 artifacts failed\)\n$/);
});
