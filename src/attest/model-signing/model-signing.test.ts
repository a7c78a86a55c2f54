/**
 * The rules of model_signing this implementation copies, one by one: pathlib
 * order and ignore matching, what a model walk refuses, the statement reader
 * on malformed input, shards hashed through the worker pool, and a SIF image
 * as a single-file model.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { isSifError } from '../../errors.js';
import { buildModelStatement, checkModel, hashModel, ignorePathsFromCwd, modelCheckError, modelName, readModelStatement, type Serialization } from './index.js';
import { comparePaths, isIgnored, posixName } from './paths.js';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const files = (over: Partial<Serialization> = {}): Serialization => ({ method: 'files', allowSymlinks: false, ignorePaths: [], ...over }) as Serialization;

t.test('pathlib order: component-wise, by code point', async (t) => {
  const names = ['a.txt', 'a/b', 'b', 'a', '\u{1F600}', '\uFFFD', 'A'];
  t.same([...names].sort(comparePaths), ['A', 'a', 'a/b', 'a.txt', 'b', '\uFFFD', '\u{1F600}']);
  t.equal(posixName('./a//b/'), 'a/b');
  t.equal(posixName('./'), '.');
});

t.test('ignore paths cover themselves and what is under them', async (t) => {
  t.ok(isIgnored('.git/config', ['.git/']));
  t.ok(isIgnored('sub/x', ['./sub']));
  t.notOk(isIgnored('subway', ['sub']));
  t.ok(isIgnored('.', ['.']), 'the root itself');
  const dir = t.testdir({ m: { a: 'a', '.git': { HEAD: 'x' }, '.gitignore': 'y', sub: { b: 'b' } } });
  const m = join(dir, 'm');
  const names = async (ignorePaths: string[]) => (await hashModel(m, 'm', files({ ignorePaths }))).items.map((i) => i.name);
  t.same(await names([]), ['.git/HEAD', '.gitignore', 'a', 'sub/b'], 'hidden files are model files');
  t.same(await names(['.git', '.gitignore', 'sub']), ['a']);
  t.same(await names(['.']), [], 'ignoring the root leaves nothing');
  t.same(ignorePathsFromCwd('m', ['m/sub', 'elsewhere', '/abs/m', 'm/../m/a', 'm'], dir), ['sub', 'a', '.'], 'outside the model: dropped');
});

t.test('the model name', async (t) => {
  t.equal(modelName('a/b/'), 'b');
  t.equal(modelName('/x/y/model.bin'), 'model.bin');
  t.equal(modelName('.'), modelName(process.cwd()));
  t.equal(modelName('a/b/..'), 'a');
});

t.test('a walk refuses what model_signing refuses', async (t) => {
  const dir = t.testdir({ m: { a: 'a', d: {} }, target: 'T' });
  const m = join(dir, 'm');
  symlinkSync(join(dir, 'target'), join(m, 'link'));
  await t.rejects(hashModel(m, 'm', files()), { code: 'SIF_USAGE', message: /link: a symbolic link in the model \(allow them with --allow-symlinks\)/ });
  const allowed = await hashModel(m, 'm', files({ allowSymlinks: true }));
  t.same(allowed.items.map((i) => [i.name, i.digest]), [['a', sha256('a')], ['link', sha256('T')]], "a link to a file is hashed as the file");
  symlinkSync(join(m, 'd'), join(m, 'dirlink'));
  await t.rejects(hashModel(m, 'm', files({ allowSymlinks: true })), { code: 'SIF_IO', message: /dirlink: a symbolic link to a directory/ });
  await t.rejects(hashModel(join(m, 'dirlink'), 'm', files()), { code: 'SIF_USAGE' }, 'the model path itself');
  symlinkSync(join(dir, 'nowhere'), join(dir, 'broken'));
  await t.rejects(hashModel(join(dir, 'broken'), 'b', files({ allowSymlinks: true })), { code: 'SIF_NOT_FOUND' });
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  await t.rejects(hashModel(join(dir, 'fifo'), 'f', files()), { code: 'SIF_IO', message: /neither a file nor a directory/ });
  symlinkSync(join(dir, 'fifo'), join(dir, 'fifolink'));
  await t.rejects(hashModel(join(dir, 'fifolink'), 'f', files({ allowSymlinks: true })), { code: 'SIF_IO', message: /a symbolic link to a special file/ });
  await t.rejects(hashModel(join(dir, 'missing'), 'x', files()), { code: 'SIF_NOT_FOUND' });
  await t.rejects(buildModelStatement(m, { method: 'shards', shardSize: 0 }), { code: 'SIF_USAGE', message: 'shard size 0 is not a positive integer' });
});

t.test('small files are read whole, big ones hashed by the engine: the same digests', async (t) => {
  const dir = t.testdir({ small: Buffer.alloc(1 << 20, 3), big: Buffer.alloc((1 << 20) + 1, 3) });
  const m = await hashModel(dir, 'm', { method: 'shards', shardSize: 1 << 19, allowSymlinks: false, ignorePaths: [] });
  const half = sha256(Buffer.alloc(1 << 19, 3));
  t.same(m.items.map((i) => [i.name, i.digest]), [
    ['big:0:524288', half],
    ['big:524288:1048576', half],
    ['big:1048576:1048577', sha256(Buffer.alloc(1, 3))],
    ['small:0:524288', half],
    ['small:524288:1048576', half],
  ]);
});

t.test('shards of big files hash on the worker pool; the digests are the same', async (t) => {
  const dir = t.testdir();
  const big = Buffer.alloc(3 << 20, 7);
  big[5] = 1;
  writeFileSync(join(dir, 'w1'), big);
  writeFileSync(join(dir, 'w2'), big.subarray(1));
  const opts = { threads: 3, workerMinBytes: 1, workerStartBytes: 1 };
  const pooled = await hashModel(dir, 'm', { method: 'shards', shardSize: 1 << 20, allowSymlinks: false, ignorePaths: [] }, opts);
  t.same(pooled.items.map((i) => i.name), ['w1:0:1048576', 'w1:1048576:2097152', 'w1:2097152:3145728', 'w2:0:1048576', 'w2:1048576:2097152', 'w2:2097152:3145727']);
  t.equal(pooled.items[0]!.digest, sha256(big.subarray(0, 1 << 20)));
  t.equal(pooled.items[5]!.digest, sha256(big.subarray((2 << 20) + 1)));
  const statement = await buildModelStatement(dir, { method: 'shards', shardSize: 1 << 20, ...opts });
  t.ok((await checkModel(statement, dir, opts)).ok);
});

t.test('a SIF image (any file) as a single-file model: resource ".", root = sha256 of its digest', async (t) => {
  const dir = t.testdir({ 'image.sif': 'not really an image, any bytes will do' });
  const path = join(dir, 'image.sif');
  const statement = await buildModelStatement(path);
  const file = sha256('not really an image, any bytes will do');
  t.same(statement.subject, [{ name: 'image.sif', digest: { sha256: sha256(Buffer.from(file, 'hex')) } }]);
  t.same(statement.predicate, {
    serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false, ignore_paths: ['.git', '.gitattributes', '.github', '.gitignore'] },
    resources: [{ name: '.', algorithm: 'sha256', digest: file }],
  }, "model_signing v1.1's shape: the git paths recorded even for a file");
  const bare = await buildModelStatement(path, { name: 'app', ignoreGitPaths: false });
  t.same([bare.subject[0]!.name, bare.predicate.serialization], ['app', { method: 'files', hash_type: 'sha256', allow_symlinks: false }], '--name; no ignore_paths when none');
  writeFileSync(path, 'changed');
  const check = await checkModel(statement, path);
  t.same(check.resources.map((r) => r.verdict), ['mismatched']);
  t.equal(check.rootDigest.model, sha256(Buffer.from(sha256('changed'), 'hex')));
});

const STATEMENT = {
  _type: 'https://in-toto.io/Statement/v1',
  subject: [{ name: 'm', digest: { sha256: sha256(Buffer.from(sha256('a'), 'hex')) } }],
  predicateType: 'https://model_signing/signature/v1.0',
  predicate: { serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false }, resources: [{ name: 'a', algorithm: 'sha256', digest: sha256('a') }] },
};

t.test('the statement reader: model_signing normalizes names; a malformed statement is a signature error', async (t) => {
  const shards = { ...STATEMENT, predicate: { serialization: { method: 'shards', hash_type: 'sha256', allow_symlinks: false, shard_size: 1e9 }, resources: [{ name: './a:000:1', algorithm: 'sha256-sharded-1000000000', digest: sha256('a').toUpperCase() }] } };
  t.same(readModelStatement(shards).items, [{ name: 'a:0:1', algorithm: 'sha256-sharded-1000000000', digest: sha256('a') }]);
  const dir = t.testdir({ m: { a: 'a' } });
  t.ok((await checkModel(shards, join(dir, 'm'))).ok, "1000000000.0 (protobuf's float) read as the integer");
  const set = (path: string[], value: unknown) => {
    const copy = structuredClone(STATEMENT) as Record<string, unknown>;
    let at: Record<string, unknown> = copy;
    for (const k of path.slice(0, -1)) at = at[k] as Record<string, unknown>;
    if (value === undefined) delete at[path.at(-1)!];
    else at[path.at(-1)!] = value;
    return copy;
  };
  const cases: [what: string, value: unknown, message: RegExp][] = [
    ['not an object', [], /not a JSON object/],
    ['wrong _type', set(['_type'], 'https://in-toto.io/Statement/v0.1'), /_type is/],
    ['another predicate', set(['predicateType'], 'https://slsa.dev/provenance/v1'), /predicate type "https:\/\/slsa.dev\/provenance\/v1" is not/],
    ['two subjects', set(['subject'], [STATEMENT.subject[0], STATEMENT.subject[0]]), /2 subjects: a model_signing statement has exactly one/],
    ['no subject digest', set(['subject'], [{ name: 'm' }]), /subject 0 digest is not a JSON object/],
    ['no predicate', set(['predicate'], undefined), /predicate is not a JSON object/],
    ['blake3', set(['predicate', 'serialization', 'hash_type'], 'blake3'), /hash type "blake3" is not supported/],
    ['allow_symlinks a string', set(['predicate', 'serialization', 'allow_symlinks'], 'false'), /allow_symlinks is not a boolean/],
    ['unknown method', set(['predicate', 'serialization', 'method'], 'tensors'), /method "tensors" is neither/],
    ['ignore_paths not strings', set(['predicate', 'serialization', 'ignore_paths'], [1]), /ignore_paths 0 is not a string/],
    ['resources not an array', set(['predicate', 'resources'], {}), /predicate.resources is not an array/],
    ['a digest not hex', set(['predicate', 'resources'], [{ name: 'a', algorithm: 'sha256', digest: 'xyz' }]), /resource 0 digest is not hex/],
    ['a name not a string', set(['predicate', 'resources'], [{ name: 1, algorithm: 'sha256', digest: '' }]), /resource 0 name is not a string/],
    ['a resource twice', set(['predicate', 'resources'], [STATEMENT.predicate.resources[0], { ...STATEMENT.predicate.resources[0], name: './a' }]), /resource "a" is listed twice/],
    ['a shard name without offsets', { ...shards, predicate: { ...shards.predicate, resources: [{ name: 'a', algorithm: 'x', digest: '' }] } }, /resource 0 name "a" is not path:start:end/],
    ['shard_size a fraction', { ...shards, predicate: { ...shards.predicate, serialization: { ...shards.predicate.serialization, shard_size: 1.5 } } }, /shard_size is not a positive integer/],
    ['a legacy subject without sha256', { ...STATEMENT, predicateType: 'https://model_signing/Digests/v0.1', subject: [{ name: 'a', digest: { sha512: 'ab' } }] }, /subject 0 digest sha256 is not a string/],
  ];
  for (const [what, value, message] of cases) {
    try {
      readModelStatement(value);
      t.fail(`${what}: accepted`);
    } catch (e) {
      t.ok(isSifError(e, 'SIF_SIGNATURE_INVALID') && message.test(e.message), `${what}: ${String(e)}`);
    }
  }
});

t.test('a statement whose resources do not hash to its subject fails, whatever the model', async (t) => {
  const dir = t.testdir({ m: { a: 'a' } });
  const forged = { ...STATEMENT, subject: [{ name: 'm', digest: { sha256: sha256('other') } }] };
  const check = await checkModel(forged, join(dir, 'm'));
  t.notOk(check.ok);
  t.same(check.resources.map((r) => r.verdict), ['matched']);
  t.match(modelCheckError(check)?.message, /statement is inconsistent: root digest/);
  const wrongAlgorithm = { ...STATEMENT, predicate: { ...STATEMENT.predicate, resources: [{ ...STATEMENT.predicate.resources[0], algorithm: 'sha512' }] } };
  t.same((await checkModel(wrongAlgorithm, join(dir, 'm'))).resources.map((r) => r.verdict), ['mismatched'], 'the algorithm is part of the digest');
  t.same((await checkModel(STATEMENT, join(dir, 'm'), { ignorePaths: ['a'] })).resources.map((r) => r.verdict), ['missing'], '--ignore-paths');
});

t.test('a file that shrinks while hashed, a tree deeper than PATH_MAX: one clear error', async (t) => {
  const dir = t.testdir({ m: { big: Buffer.alloc(2 << 20, 1) } }); // over 1 MiB: hashed by the engine, not read whole
  const m = join(dir, 'm');
  let shrunk = false;
  const onProgress = () => {
    if (!shrunk) writeFileSync(join(m, 'big'), 'x');
    shrunk = true;
  };
  await t.rejects(hashModel(m, 'm', files(), { threads: 1, chunkSize: 4096, onProgress }), { code: 'SIF_IO', message: /big: the file changed while it was hashed/ });
  // Outside the test directory: tap's clean-up cannot remove a tree this deep, rm can.
  const deep = mkdtempSync(join(tmpdir(), 'sif-deep-'));
  t.teardown(() => execFileSync('rm', ['-rf', deep]));
  const name = 'd'.repeat(250);
  execFileSync('bash', ['-c', `cd "$1" && for i in $(seq 20); do mkdir ${name} && cd ${name}; done`, 'deep', deep]);
  await t.rejects(hashModel(deep, 'm', files()), { code: 'SIF_IO', message: /name too long/ });
});

t.test('a million subjects or resources: refused or checked, no crash', async (t) => {
  const subject = Array.from({ length: 1_000_000 }, (_, i) => ({ name: `f${i}`, digest: { sha256: sha256(String(i)) } }));
  t.throws(() => readModelStatement({ ...STATEMENT, subject }), { code: 'SIF_SIGNATURE_INVALID', message: /1000000 subjects: a model_signing statement has exactly one/ });
  const dir = t.testdir({ m: { f0: '0' } });
  const legacy = await checkModel({ ...STATEMENT, predicateType: 'https://model_signing/Digests/v0.1', subject }, join(dir, 'm'));
  t.notOk(legacy.ok);
  t.same([legacy.resources.length, legacy.resources[0]!.verdict, legacy.resources[1]!.verdict], [1_000_000, 'matched', 'missing']);
  t.match(modelCheckError(legacy)?.message, /^the model does not match the signature: 999999 missing \(first: missing "f1"\)$/);
});
