/**
 * Runs every example of docs/build-gating.md against real signed images:
 * the Makefile with make, the CI YAML by extracting its `run:` / `script:`
 * shell lines, the hook and the library snippet as they are.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, withReference } from '../test-support/reference.js';
import { buildGatingImages, KEY1, PUBKEY1 } from '../test-support/gating-images.js';
import { examples, shellOfYaml } from './examples.js';

const doc = readFileSync(join(REPO_ROOT, 'docs/build-gating.md'), 'utf8');
const blocks = examples(doc);

t.test('the document has every example the tests run', async (t) => {
  t.same([...blocks.keys()].sort(), ['definition', 'github-actions', 'gitlab-ci', 'json', 'json-output', 'library', 'makefile', 'pre-build-hook', 'tekton', 'text-output']);
});

/** A project directory: keys/release.asc, base.sif (the image under test), app.def, and `sif`/`apptainer` on PATH. */
function project(dir: string, base: string) {
  mkdirSync(join(dir, 'keys'), { recursive: true });
  mkdirSync(join(dir, 'bin'), { recursive: true });
  copyFileSync(PUBKEY1, join(dir, 'keys/release.asc'));
  copyFileSync(base, join(dir, 'base.sif'));
  writeFileSync(join(dir, 'app.def'), blocks.get('definition')!);
  writeFileSync(join(dir, 'bin/sif'), `#!/bin/sh\nexec node ${join(REPO_ROOT, 'bin/sif')} "$@"\n`);
  // A stand-in for apptainer: the examples only need to know whether the build would start.
  writeFileSync(join(dir, 'bin/apptainer'), '#!/bin/sh\necho "apptainer $*" >> apptainer.log\n');
  chmodSync(join(dir, 'bin/sif'), 0o755);
  chmodSync(join(dir, 'bin/apptainer'), 0o755);
  return { cwd: dir, env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}`, HOME: dir, REQUIRED_FPS: KEY1, SIF_GLOBAL_KEYRING: '' } };
}

const run = (cmd: string, args: string[], p: ReturnType<typeof project>) => {
  const r = spawnSync(cmd, args, { cwd: p.cwd, env: p.env, encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
};

withReference(t, 'every example accepts the signed image and refuses the others', ['go', 'go-sif', 'shared'], async (t) => {
  const images = buildGatingImages(t.testdir());
  type Case = [image: keyof typeof images, code: number];
  // keys/release.asc holds key1 only: the image key2 also signed fails as Apptainer's build does.
  const cases: Case[] = [['single', 0], ['unsigned', 11], ['tampered', 10], ['unknownCo', 13], ['double', 13]];
  let n = 0;
  for (const [image, code] of cases) {
    const p = () => project(join(t.testdirName, `${image}-${n++}`), images[image]);
    const where = `${image} (exit ${code})`;
    const make = p();
    writeFileSync(join(make.cwd, 'Makefile'), blocks.get('makefile')!);
    let r = run('make', ['check-base'], make);
    t.equal(r.code === 0, code === 0, `Makefile: ${where}\n${r.out}`);
    for (const name of ['github-actions', 'gitlab-ci']) {
      r = run('sh', ['-c', shellOfYaml(blocks.get(name)!)], p());
      t.equal(r.code, code, `${name}: ${where}\n${r.out}`);
    }
    const tekton = run('sh', ['-c', shellOfYaml(blocks.get('tekton')!)], p());
    t.equal(tekton.code, code, `tekton: ${where}`);
    t.match(tekton.out, { 0: /base image verified/, 11: /not signed/, 10: /failed verification/, 13: /key we do not have/ }[code]!, `tekton says why: ${where}`);
    const hook = p();
    writeFileSync(join(hook.cwd, 'build-app.sh'), blocks.get('pre-build-hook')!);
    r = run('sh', ['build-app.sh', 'app.def', 'app.sif'], hook);
    t.equal(r.code === 0, code === 0, `pre-build hook: ${where}\n${r.out}`);
    t.equal(spawnSync('test', ['-e', join(hook.cwd, 'apptainer.log')]).status === 0, code === 0, `the build starts only when allowed: ${where}`);
  }
});

withReference(t, 'the library example runs', ['go', 'go-sif', 'shared'], async (t) => {
  const images = buildGatingImages(t.testdir());
  for (const [image, ok] of [['single', true], ['unsigned', false]] as const) {
    const p = project(join(t.testdirName, `lib-${image}`), images[image]);
    // Resolve `sif` to this package, as an installed dependency would.
    mkdirSync(join(p.cwd, 'node_modules'), { recursive: true });
    spawnSync('ln', ['-s', REPO_ROOT, join(p.cwd, 'node_modules/sif')]);
    writeFileSync(join(p.cwd, 'check.mjs'), blocks.get('library')!);
    const r = run('node', ['check.mjs'], p);
    t.equal(r.code === 0, ok, `${image}\n${r.out}`);
    t.match(r.out, ok ? /signature 3 on group 1: verified e2e \(e2e tests\) <e2e@hpcng\.org>/ : /refused: signature not found for object group 1 \(SIF_SIGNATURE_NOT_FOUND\)/);
  }
});

withReference(t, 'the text and JSON samples are the real output, and the jq example reports the verdict', ['go', 'go-sif', 'shared', 'jq'], async (t) => {
  const images = buildGatingImages(t.testdir());
  const p = project(join(t.testdirName, 'json-sample'), images.unknownCo);
  const args = ['verify', '--json', '--keyring', 'keys/release.asc', '--fingerprints', KEY1, '--ignore-unknown-signers', 'base.sif'];
  const r = spawnSync('sif', args, { cwd: p.cwd, env: p.env, encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  t.same(JSON.parse(r.stdout), JSON.parse(blocks.get('json-output')!), 'the documented document, field for field');
  const text = spawnSync('sif', args.filter((a) => a !== '--json'), { cwd: p.cwd, env: p.env, encoding: 'utf8' });
  t.equal(text.stdout, blocks.get('text-output'), 'the documented text output, byte for byte');

  type Case = [image: 'single' | 'unsigned' | 'double', code: number, out: string];
  const cases: Case[] = [
    ['single', 0, 'verdict: accepted\n'],
    ['unsigned', 11, `${KEY1} did not sign object groups 1\nverdict: signature not found for object group 1\n`],
    ['double', 13, 'verdict: signature object 4 not valid: signed by unknown key ID 3D608DAE21C8CA10 (descriptor fingerprint 78F8AD36B0DCB84B707F23853D608DAE21C8CA10)\n'],
  ];
  for (const [image, code, out] of cases) {
    const q = project(join(t.testdirName, `json-${image}`), images[image]);
    const j = spawnSync('sh', ['-c', blocks.get('json')!], { cwd: q.cwd, env: q.env, encoding: 'utf8' });
    t.same([j.status, j.stdout], [code, out], `${image}: ${j.stderr}`);
  }
});
