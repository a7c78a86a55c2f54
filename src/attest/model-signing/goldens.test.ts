/**
 * model_signing's own statement goldens (sigstore/model-transparency @
 * e3430730 tests/_signing/testdata/signing/TestPayload, 21 files; not in the
 * shared fixtures): the same models rebuilt here as tests/conftest.py builds
 * them, hashed as files, 1 GB shards and 8-byte shards with symbolic links
 * allowed and nothing ignored; each root digest must be the golden's.
 */
import t from 'tap';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildModelStatement, checkModel } from './index.js';

const KNOWN_MODEL_TEXT = 'This is a simple model';

/** conftest.py's fixtures: the model's path inside `dir`. */
const MODELS: Record<string, (dir: string) => string> = {
  sample_model_file: (dir) => write(join(dir, 'file_model'), KNOWN_MODEL_TEXT),
  empty_model_file: (dir) => write(join(dir, 'empty_file_model'), ''),
  sample_model_folder: (dir) => {
    const root = join(dir, 'sample_model');
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) write(join(root, `d${i}`, `f${i}${j}`), `This is file f${i}${j} in d${i}.`);
    for (let i = 0; i < 4; i++) write(join(root, `f${i}`), `This is file f${i} in root.`);
    return root;
  },
  empty_model_folder: (dir) => {
    mkdirSync(join(dir, 'empty_folder_model'));
    return join(dir, 'empty_folder_model');
  },
  model_folder_with_empty_file: (dir) => {
    write(join(dir, 'empty_file_inside_model', 'empty_file'), '');
    return join(dir, 'empty_file_inside_model');
  },
  deep_model_folder: (dir) => {
    const deep = join(dir, 'deep_model', 'd0', 'd1', 'd2', 'd3', 'd4');
    for (let i = 0; i < 4; i++) write(join(deep, `f${i}`), `This is file f${i}.`);
    return join(dir, 'deep_model');
  },
  symlink_model_folder: (dir) => {
    const external = write(join(dir, 'external', 'file'), KNOWN_MODEL_TEXT);
    mkdirSync(join(dir, 'symlink_model'));
    symlinkSync(external, join(dir, 'symlink_model', 'symlink_file'));
    return join(dir, 'symlink_model');
  },
};

function write(path: string, text: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** [model, files, 1 GB shards, 8-byte shards]: the goldens' subject digests and resource counts. */
const GOLDENS: [model: string, files: [string, number], shards: [string, number], smallShards: [string, number]][] = [
  ['sample_model_file', ['002d162f867c5eee944e5080d25829b6625be0e3f081f6fbafc7dd655ca2e178', 1], ['002d162f867c5eee944e5080d25829b6625be0e3f081f6fbafc7dd655ca2e178', 1], ['57d54248751a51781ac2bed647670df0c45d3926e337021585c34a82384b6573', 3]],
  ['empty_model_file', ['5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456', 1], [EMPTY, 0], [EMPTY, 0]],
  ['sample_model_folder', ['143cc682e555951649f18e2761c3d526d2502996f5e32dc187ef7f8a614f8df7', 10], ['143cc682e555951649f18e2761c3d526d2502996f5e32dc187ef7f8a614f8df7', 10], ['2139af57fd2a4f324ac7cd0fc04898cce73d0871b363c8eb3fc07ab7da4c8445', 30]],
  ['empty_model_folder', [EMPTY, 0], [EMPTY, 0], [EMPTY, 0]],
  ['model_folder_with_empty_file', ['5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456', 1], [EMPTY, 0], [EMPTY, 0]],
  ['deep_model_folder', ['18b5a45fe7983f7194e8ffd96c80f5f0ec53191bf4a32b6aff293f043e816d7a', 4], ['18b5a45fe7983f7194e8ffd96c80f5f0ec53191bf4a32b6aff293f043e816d7a', 4], ['fe81b684c60474cea9b27ba1de9993e54bb19806664613758aa4d335ee398497', 8]],
  ['symlink_model_folder', ['002d162f867c5eee944e5080d25829b6625be0e3f081f6fbafc7dd655ca2e178', 1], ['002d162f867c5eee944e5080d25829b6625be0e3f081f6fbafc7dd655ca2e178', 1], ['57d54248751a51781ac2bed647670df0c45d3926e337021585c34a82384b6573', 3]],
];

const asGolden = { ignoreGitPaths: false, allowSymlinks: true } as const;

for (const [model, ...expected] of GOLDENS) {
  t.test(model, async (t) => {
    const path = MODELS[model]!(t.testdir());
    const modes = [{ method: 'files' }, { method: 'shards' }, { method: 'shards', shardSize: 8 }] as const;
    for (const [i, mode] of modes.entries()) {
      const statement = await buildModelStatement(path, { ...asGolden, ...mode });
      const [root, count] = expected[i]!;
      t.equal(statement.subject[0]!.digest.sha256, root, `${mode.method} ${'shardSize' in mode ? mode.shardSize : ''}: root digest`);
      t.equal((statement.predicate.resources as unknown[]).length, count, 'resource count');
      t.ok((await checkModel(statement, path)).ok, 'and it checks against the model');
    }
  });
}

t.test('the statement itself: sample_model_file as the golden has it', async (t) => {
  const path = MODELS.sample_model_file!(t.testdir());
  t.same(await buildModelStatement(path, asGolden), {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'file_model', digest: { sha256: '002d162f867c5eee944e5080d25829b6625be0e3f081f6fbafc7dd655ca2e178' } }],
    predicateType: 'https://model_signing/signature/v1.0',
    predicate: {
      serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: true },
      resources: [{ name: '.', algorithm: 'sha256', digest: '3aab065c7181a173b5dd9e9d32a9f79923440b413be1e1ffcdba26a7365f719b' }],
    },
  });
  const shards = await buildModelStatement(path, { ...asGolden, method: 'shards' });
  t.same(shards.predicate, {
    serialization: { method: 'shards', hash_type: 'sha256', shard_size: 1_000_000_000, allow_symlinks: true },
    resources: [{ name: '.:0:22', algorithm: 'sha256-sharded-1000000000', digest: '3aab065c7181a173b5dd9e9d32a9f79923440b413be1e1ffcdba26a7365f719b' }],
  }, 'a 22-byte file is one shard .:0:22; shard_size an integer');
  const small = await buildModelStatement(MODELS.symlink_model_folder!(t.testdir()), { ...asGolden, method: 'shards', shardSize: 8 });
  t.same((small.predicate.resources as { name: string }[]).map((r) => r.name), ['symlink_file:0:8', 'symlink_file:8:16', 'symlink_file:16:22']);
});
