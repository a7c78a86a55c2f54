import t from 'tap';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignatureError, IntegrityError } from '../errors.js';
import type { VerifyImageOptions, VerifyImageResult } from './verify-image.js';

const KEY1 = '0C5B8C9A5FFC44E2A0AC79851CD6FA281D476DD1';
const SIF_HEADER = Buffer.concat([Buffer.alloc(32), Buffer.from('SIF_MAGIC\0', 'latin1'), Buffer.alloc(86)]);

/** checkBootstrap with verification replaced by `outcome`, recording each call. */
async function withFakeVerify(outcome: (o: VerifyImageOptions) => Partial<VerifyImageResult>) {
  const calls: VerifyImageOptions[] = [];
  const verifyImage = async (o: VerifyImageOptions): Promise<VerifyImageResult> => {
    calls.push(o);
    const r = outcome(o);
    return { path: o.path, ok: !r.error, policy: 'default', groups: [1], signatures: [], required: [...(o.fingerprints ?? [])], require: 'all', missing: [], ...r };
  };
  const { checkBootstrap } = await t.mockImport<typeof import('./bootstrap.js')>('./bootstrap.js', { './verify-image.js': { verifyImage } });
  return { checkBootstrap, calls };
}

const dir = t.testdir({
  'base.sif': SIF_HEADER,
  'rootfs.squashfs': Buffer.from('hsqs'),
  sandbox: { 'bin': {} },
});
const def = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

t.test('localimage: From: is relative to where the build runs, not to the definition; fingerprints are enforced', async (t) => {
  mkdirSync(join(dir, 'defs'), { recursive: true });
  copyFileSync(join(dir, 'base.sif'), join(dir, 'defs', 'base.sif'));
  const { checkBootstrap, calls } = await withFakeVerify(() => ({}));
  const definition = def('defs/a.def', `Bootstrap: localimage\nFrom: ./base.sif/\nFingerprints: ${KEY1.toLowerCase()}\n`);
  const r = await checkBootstrap({ cwd: dir, definition, keyrings: ['k.asc'] });
  t.ok(r.ok);
  t.same(calls, [{ path: join(dir, 'base.sif'), keyrings: ['k.asc'], env: undefined, fingerprints: [KEY1] }], 'filepath.Clean, then the build directory');
  t.equal(r.stages[0]?.kind, 'enforced');
  await checkBootstrap({ cwd: join(dir, 'defs'), definition });
  t.equal(calls[1]?.path, join(dir, 'defs', 'base.sif'), 'a build run in defs/ opens defs/base.sif');
  const here = process.cwd();
  process.chdir(join(dir, 'defs'));
  try {
    await checkBootstrap({ definition });
  } finally {
    process.chdir(here);
  }
  t.equal(calls[2]?.path, join(dir, 'defs', 'base.sif'), 'by default, the current directory');
});

t.test('with fingerprints a failure stops the build', async (t) => {
  const refused = new SignatureError('SIF_NOT_SIGNED_BY_REQUIRED', 'image not signed by required entities', { reason: 'not-signed-by-required' });
  const { checkBootstrap } = await withFakeVerify(() => ({ error: refused }));
  const r = await checkBootstrap({ cwd: dir, definition: def('b.def', `Bootstrap: localimage\nFrom: ${join(dir, 'base.sif')}\nFingerprints: ${KEY1}\n`) });
  t.notOk(r.ok);
  t.equal(r.error, refused);
});

t.test('without fingerprints: unsigned passes quietly, other failures warn, success passes', async (t) => {
  type Case = [name: string, error: Error | undefined, warning: boolean];
  const cases: Case[] = [
    ['unsigned', new SignatureError('SIF_SIGNATURE_NOT_FOUND', 'integrity: signature not found for object group 1', { reason: 'not-found' }), false],
    ['tampered', new IntegrityError('object', 'integrity: data object integrity compromised: 1', 1), true],
    ['unknown signer', new SignatureError('SIF_UNKNOWN_SIGNER', 'unknown entity', { reason: 'unknown-signer' }), true],
    ['verified', undefined, false],
  ];
  for (const [name, error, warning] of cases) {
    const { checkBootstrap, calls } = await withFakeVerify(() => (error ? { error: error as SignatureError } : {}));
    const r = await checkBootstrap({ cwd: dir, definition: def('c.def', `Bootstrap: localimage\nFrom: base.sif\nFingerprints:   # none\n`) });
    t.ok(r.ok, `${name}: the build continues`);
    const stage = r.stages[0];
    t.equal(stage?.kind, 'verified', name);
    t.equal(stage?.kind === 'verified' && stage.warning !== undefined, warning, `${name}: warning`);
    t.same(calls[0]?.fingerprints, undefined, `${name}: plain verification`);
  }
});

t.test('library, oras and shub check the downloaded IMG', async (t) => {
  const { checkBootstrap, calls } = await withFakeVerify(() => ({}));
  const image = join(dir, 'base.sif');
  for (const bs of ['library', 'oras', 'shub']) {
    const r = await checkBootstrap({ cwd: dir, definition: def('d.def', `Bootstrap: ${bs}\nFrom: alpine:3\nFingerprints: ${KEY1}\n`), image });
    t.same(r.stages.map((s) => s.kind), ['enforced'], bs);
  }
  t.same(calls.map((c) => c.path), [image, image, image]);
  const squashfs = await checkBootstrap({ cwd: dir, definition: def('d.def', 'Bootstrap: shub\nFrom: old/hub\n'), image: join(dir, 'rootfs.squashfs') });
  t.same(squashfs.stages, [{ kind: 'not-sif', bootstrap: 'shub', source: join(dir, 'rootfs.squashfs') }], 'an old Singularity Hub squashfs has nothing to check');
  await t.rejects(checkBootstrap({ cwd: dir, definition: def('e.def', 'Bootstrap: library\nFrom: alpine\n') }), {
    code: 'SIF_USAGE',
    message: 'bootstrap library: give the downloaded image as IMG',
  });
});

t.test('non-SIF sources have nothing to check', async (t) => {
  const { checkBootstrap, calls } = await withFakeVerify(() => ({}));
  for (const [text, source] of [
    [`Bootstrap: docker\nFrom: alpine:3.19\nFingerprints: ${KEY1}\n`, 'alpine:3.19'],
    ['Bootstrap: docker\nFrom: alpine:3.19\nFingerprints: 1D476DD1\n', 'alpine:3.19'], // Apptainer reads them only for a SIF
    ['Bootstrap: localimage\nFrom: rootfs.squashfs\nFingerprints: 1D476DD1\n', join(dir, 'rootfs.squashfs')],
    ['Bootstrap: localimage\nFrom: rootfs.squashfs\n', join(dir, 'rootfs.squashfs')],
    ['Bootstrap: localimage\nFrom: sandbox\n', join(dir, 'sandbox')],
    ['Bootstrap: scratch\n', ''],
    ['Bootstrap: localimage\n', dir], // no From: is filepath.Clean("") = ".", the build directory as a sandbox
  ] as const) {
    const r = await checkBootstrap({ cwd: dir, definition: def('f.def', text) });
    t.ok(r.ok);
    t.same(r.stages, [{ kind: 'not-sif', bootstrap: text.slice(11, text.indexOf('\n')), source }], text);
  }
  t.equal(calls.length, 0, 'nothing verified');
});

t.test('every stage is planned before any is checked, as newBuild does', async (t) => {
  const { checkBootstrap, calls } = await withFakeVerify(() => ({}));
  for (const [second, message] of [['Bootstrap: library\nFrom: a\n', 'bootstrap library: give the downloaded image as IMG'], ['Bootstrap: Docker\n', 'invalid build source Docker']]) {
    await t.rejects(checkBootstrap({ cwd: dir, definition: def('p.def', `Bootstrap: localimage\nFrom: base.sif\n%post\n${second}`) }), { code: 'SIF_USAGE', message });
  }
  t.equal(calls.length, 0, 'nothing verified');
});

t.test('multi-stage: each SIF stage is checked', async (t) => {
  const { checkBootstrap, calls } = await withFakeVerify(() => ({}));
  const r = await checkBootstrap({ cwd: dir, definition: def('g.def', `Bootstrap: docker\nFrom: alpine\nStage: one\n%post\n  true\n\nBootstrap: localimage\nFrom: base.sif\nStage: two\n`) });
  t.same(r.stages.map((s) => s.kind), ['not-sif', 'verified']);
  t.equal(calls.length, 1);
});

t.test('bad input', async (t) => {
  const { checkBootstrap } = await withFakeVerify(() => ({}));
  type Case = [text: string, image: string | undefined, code: string, message: string | RegExp];
  const cases: Case[] = [
    ['From: x\n', undefined, 'SIF_USAGE', 'no bootstrap specification found'],
    ['Bootstrap: LocalImage\nFrom: base.sif\n', undefined, 'SIF_USAGE', 'invalid build source LocalImage'],
    ['Bootstrap: docker\n%bogus\n', undefined, 'SIF_USAGE', 'invalid section(s) specified: bogus'],
    ['%post\n  true\nBootstrap: docker\n', undefined, 'SIF_USAGE', 'multiple stages detected, all must have headers'],
    ['Bootstrap: oci-sif\nBootstrap: bogus\n', undefined, 'SIF_USAGE', 'invalid build source bogus'],
    ['Bootstrap: localimage\nFrom: missing.sif\n', undefined, 'SIF_NOT_FOUND', /missing\.sif: no such file or directory$/],
    ['Bootstrap: docker\nFrom: alpine\n', '/tmp/x.sif', 'SIF_USAGE', /IMG names the image a library, oras or shub bootstrap downloaded/],
    ['Bootstrap: library\nFrom: a\n%post\nBootstrap: shub\nFrom: b\n', '/tmp/x.sif', 'SIF_USAGE', 'the definition has 2 library/oras/shub stages; check them one at a time'],
    ['Bootstrap: localimage\nFrom: base.sif\nFingerprints: 1D476DD1\n', undefined, 'SIF_USAGE', /fingerprint "1D476DD1" is 8 hex digits/],
    ['Bootstrap localimage\n', undefined, 'SIF_USAGE', 'failed to parse deffile header: header key Bootstrap localimage had no val'],
  ];
  for (const [text, image, code, message] of cases) {
    await t.rejects(checkBootstrap({ cwd: dir, definition: def('h.def', text), image }), { code, message }, JSON.stringify(text));
  }
  await t.rejects(checkBootstrap({ cwd: dir, definition: join(dir, 'nope.def') }), { code: 'SIF_NOT_FOUND' });
});
