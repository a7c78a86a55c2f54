/**
 * `sif bootstrap-check` picks the file `apptainer build` would open and
 * judges it as the build would: From: resolved from where the build runs
 * (filepath.Clean, Go's own via the oracle), build arguments applied, the
 * definition read with Go's white space and case rules, and shub's download
 * checked like library's. Each verdict is compared with the Go reference's
 * verdict on the file Apptainer's rules select.
 */
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { runCli, SIF_BIN } from '../test-support/cli.js';
import { visiblePath } from './render/gating.js';
import { buildGatingImages, KEY1, PUBKEY1, PUBKEY2 } from '../test-support/gating-images.js';
import { oracle } from '../test-support/oracle.js';
import { withReference } from '../test-support/reference.js';

const BOTH = ['--keyring', PUBKEY1, '--keyring', PUBKEY2];
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

withReference(t, 'bootstrap-check checks the file apptainer build opens', ['go', 'go-sif', 'shared'], async (t: Test) => {
  const root = realpathSync(t.testdir({ defs: {}, images: {} }));
  const images = buildGatingImages(join(root, 'images'));
  // The layout: run from the repository root, defs/base.sif is signed, ./base.sif is not.
  copyFileSync(images.single, join(root, 'defs', 'base.sif'));
  copyFileSync(images.unsigned, join(root, 'base.sif'));
  const before = [join(root, 'defs', 'base.sif'), join(root, 'base.sif')].map(sha);
  const env = { HOME: root };

  /** The file Apptainer opens for From: in a build run in `cwd`, and the reference's Fingerprints verdict on it. */
  const reference = (cwd: string, from: string) => {
    const [clean] = oracle<string[]>('gotext', 'clean', from);
    const file = resolve(cwd, clean!);
    const verdict = oracle<{ allowed?: boolean }>('signedby', '--keyring', PUBKEY1, '--keyring', PUBKEY2, '--fingerprints', KEY1, file);
    return { file, allowed: verdict.allowed === true };
  };
  const expectVerdict = (t: Test, r: { code: number; stdout: Buffer; stderr: string }, ref: { file: string; allowed: boolean }, name: string) => {
    t.equal(r.code === 0, ref.allowed, `${name}: the reference's verdict on ${relative(root, ref.file)} (${r.stderr.trim()})`);
    t.match(r.stdout.toString(), `Bootstrap image ${visiblePath(ref.file)} `, `${name}: names the file checked`);
  };

  t.test('From: resolves from the working directory of the build (default: the current one), not the definition', async (t: Test) => {
    const def = join(root, 'defs', 'app.def');
    writeFileSync(def, `Bootstrap: localimage\nFrom: ./base.sif\nFingerprints: ${KEY1}\n`);
    // A real process run from the repository root, as in CI.
    const spawned = spawnSync(SIF_BIN, ['bootstrap-check', ...BOTH, 'defs/app.def'], { cwd: root, env: { ...process.env, ...env } });
    const fromRoot = { code: spawned.status ?? -1, stdout: spawned.stdout, stderr: spawned.stderr.toString() };
    expectVerdict(t, fromRoot, reference(root, './base.sif'), 'run from the root');
    t.same([fromRoot.code, fromRoot.stderr], [11, 'sif: signature not found for object group 1\n'], 'the unsigned ./base.sif fails the gate');
    const inDefs = await runCli(['bootstrap-check', '--cwd', join(root, 'defs'), ...BOTH, def], env);
    expectVerdict(t, inDefs, reference(join(root, 'defs'), './base.sif'), '--cwd defs');
    t.equal(inDefs.code, 0);
  });

  t.test('build arguments: --build-arg over --build-arg-file over %arguments, before parsing', async (t: Test) => {
    const def = join(root, 'args.def');
    writeFileSync(def, `Bootstrap: localimage\nFrom: {{ BASE }}\nFingerprints: {{ SIGNER }}\n%arguments\n  BASE=defs/base.sif\n  SIGNER=${KEY1}\n`);
    const argFile = join(root, 'args.txt');
    writeFileSync(argFile, 'BASE=base.sif\n');
    type Case = [args: string[], from: string];
    const cases: Case[] = [
      [[], 'defs/base.sif'],
      [['--build-arg', 'BASE=base.sif'], 'base.sif'],
      [['--build-arg-file', argFile], 'base.sif'],
      [['--build-arg-file', argFile, '--build-arg', 'BASE=defs//base.sif'], 'defs//base.sif'],
    ];
    for (const [args, from] of cases) {
      const r = await runCli(['bootstrap-check', '--cwd', root, ...BOTH, ...args, def], env);
      expectVerdict(t, r, reference(root, from), args.join(' ').replaceAll(root, '.') || 'defaults');
    }
    type Bad = [args: string[], def: string, stderr: string];
    const bad: Bad[] = [
      [[], 'Bootstrap: localimage\nFrom: {{ NOPE }}\n', "sif: build var NOPE is not defined through either --build-arg (--build-arg-file) or 'arguments' section\n"],
      [['--build-arg', 'X=1'], 'Bootstrap: docker\nFrom: alpine\n', 'sif: unused build args: X. Use option --warn-unused-build-args to show a warning instead of a fatal message\n'],
      [['--build-arg', 'X'], 'Bootstrap: docker\nFrom: alpine\n', 'sif: "X" is not a key=value pair\n'],
      [['--build-arg-file', join(root, 'missing.txt')], 'Bootstrap: docker\n', `sif: open ${join(root, 'missing.txt')}: no such file or directory\n`],
    ];
    for (const [args, text, stderr] of bad) {
      writeFileSync(def, text);
      const r = await runCli(['bootstrap-check', ...args, def], env);
      t.same([r.code, r.stderr, r.stdout.length], [stderr.includes('no such file') ? 3 : 2, stderr, 0], args.join(' ').replaceAll(root, '.') || text);
    }
    writeFileSync(def, 'Bootstrap: docker\nFrom: alpine\n');
    const warned = await runCli(['bootstrap-check', '--build-arg', 'X=1', '--warn-unused-build-args', def], env);
    t.same([warned.code, warned.stderr], [0, 'sif: warning: Unused build args: X\n']);
  });

  t.test("the definition is read with Go's white space and case rules", async (t: Test) => {
    const def = join(root, 'go.def');
    // A look-alike file: what Apptainer opens for "base.sif" + U+FEFF.
    copyFileSync(images.unsigned, join(root, 'defs', 'base.sif\uFEFF'));
    type Case = [name: string, text: string, from: string | undefined, exit: number];
    const cases: Case[] = [
      ['a trailing U+FEFF is part of the name', `Bootstrap: localimage\nFrom: defs/base.sif\uFEFF\nFingerprints: ${KEY1}\n`, 'defs/base.sif\uFEFF', 11],
      ['a trailing U+0085 is trimmed', `Bootstrap: localimage\nFrom: defs/base.sif\u0085\nFingerprints: ${KEY1}\n`, 'defs/base.sif', 0],
      ['a dotted capital I is a key', `Bootstrap: localimage\nFrom: base.sif\nF\u0130NGERPRINTS: ${KEY1}\n`, 'base.sif', 11],
      ['a leading BOM makes the first key invalid', `\uFEFFBootstrap: localimage\nFrom: defs/base.sif\n`, undefined, 2],
    ];
    for (const [name, text, from, exit] of cases) {
      writeFileSync(def, text);
      const r = await runCli(['bootstrap-check', '--cwd', root, ...BOTH, def], env);
      t.equal(r.code, exit, `${name}: ${r.stderr}`);
      if (from !== undefined) expectVerdict(t, r, reference(root, from), name);
      else t.equal(r.stderr, 'sif: failed to parse deffile header: invalid header keyword found: \uFEFFbootstrap\n', name);
    }
    writeFileSync(def, `Bootstrap: localimage\nFrom: defs/base.sif\uFEFF\n`);
    const lookAlike = await runCli(['bootstrap-check', '--cwd', root, def], env);
    t.equal(lookAlike.stdout.toString(), `Bootstrap image "${join(root, 'defs', 'base.sif')}\\u{feff}" is not signed\n`, 'the log shows the look-alike for what it is');
    writeFileSync(def, Buffer.from('Bootstrap: localimage\nFrom: \xff.sif\n', 'latin1'));
    const notUtf8 = await runCli(['bootstrap-check', def], env);
    t.same([notUtf8.code, notUtf8.stderr], [2, `sif: ${def}: the definition file is not UTF-8 text\n`]);
  });

  t.test('shub: the downloaded image is checked like library and oras', async (t: Test) => {
    const def = join(root, 'shub.def');
    writeFileSync(def, `Bootstrap: shub\nFrom: vsoch/hello-world\nFingerprints: ${KEY1}\n`);
    for (const image of [images.single, images.unsigned, images.double]) {
      const r = await runCli(['bootstrap-check', ...BOTH, def, image], env);
      expectVerdict(t, r, reference(root, image), relative(root, image));
    }
    const none = await runCli(['bootstrap-check', def], env);
    t.same([none.code, none.stderr], [2, 'sif: bootstrap shub: give the downloaded image as IMG\n']);
  });

  t.equal(sha(join(root, 'defs', 'base.sif')), before[0], 'nothing checked was changed');
  t.equal(sha(join(root, 'base.sif')), before[1]);
});

t.test('paths with invisible characters are shown quoted and escaped', async (t) => {
  type Case = [path: string, shown: string];
  const cases: Case[] = [
    ['/b/base.sif', '/b/base.sif'],
    ['/b/my base é.sif', '/b/my base é.sif'],
    ['/b/base.sif\uFEFF', '"/b/base.sif\\u{feff}"'],
    ['/b/base\u00A0.sif\u0085', '"/b/base\\u{a0}.sif\\u{85}"'],
    ['/b/\tx\n', '"/b/\\u{9}x\\u{a}"'],
  ];
  for (const [path, shown] of cases) t.equal(visiblePath(path), shown, JSON.stringify(path));
});
