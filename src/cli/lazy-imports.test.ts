import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../test-support/reference.js';
import { SIF_BIN } from '../test-support/cli.js';
import { sparseImage } from '../test-support/sparse.js';

/** Loader hooks that print every module the CLI imports, and the crypto built-ins loaded by exit. */
const HOOKS = `import { writeSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  writeSync(2, 'IMPORT ' + r.url + '\\n');
  return r;
}`;
const REGISTER = `import { register } from 'node:module';
import { writeSync } from 'node:fs';
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)});
process.on('exit', () => writeSync(2, 'BUILTIN ' + process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).join('\\nBUILTIN ') + '\\n'));`;

/** The sources bundled into each file of dist/bundle/ (scripts/build-cli.mjs writes the map). */
const bundled = new Map(
  Object.entries((JSON.parse(readFileSync(join(REPO_ROOT, 'dist/bundle.meta.json'), 'utf8')) as { outputs: Record<string, { inputs: object }> }).outputs).map(
    ([file, { inputs }]) => [file, Object.keys(inputs)],
  ),
);

/**
 * The modules `bin/sif args` loads (whatever its exit code): each bundle file
 * as the sources in it (src/…, node_modules/…), built-ins as node:… and NativeModule ….
 */
function importsOf(args: string[]): string[] {
  // tap adds NODE_OPTIONS to every child to preload modules of its own (crypto among them): drop it.
  const node = [process.execPath, '--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`];
  const r = spawnSync('env', ['-u', 'NODE_OPTIONS', ...node, SIF_BIN, ...args]);
  const lines = r.stderr.toString().split('\n');
  const loaded = lines.filter((l) => /^(IMPORT|BUILTIN) /.test(l)).map((l) => l.replace(/^\S+ /, '').replace(`file://${REPO_ROOT}/`, ''));
  return loaded.flatMap((m) => bundled.get(m) ?? [m]);
}

const isCrypto = (m: string) => m === 'node:crypto' || m === 'NativeModule crypto' || m.startsWith('NativeModule internal/crypto');
const isOpenpgp = (m: string) => m.includes('node_modules/openpgp/');

t.test('list, info and header load no crypto and no openpgp', async (t) => {
  const image = join(t.testdir(), 'image.sif');
  await sparseImage(image, [4096]);
  for (const args of [['list', image], ['info', '1', image], ['header', image], ['list', '--json', image]]) {
    const loaded = importsOf(args);
    t.ok(loaded.includes('src/image/image.ts'), `${args[0]}: the instrument sees our modules`);
    t.same(loaded.filter(isCrypto), [], `${args.join(' ')}: no crypto`);
    t.same(loaded.filter(isOpenpgp), [], `${args.join(' ')}: no openpgp`);
    // (module.register itself loads worker_threads' internals, so only an import of it counts)
    t.same(loaded.filter((m) => m.startsWith('src/integrity/') || m === 'node:worker_threads'), [], `${args[0]}: no integrity code`);
    t.same(loaded.filter((m) => m.startsWith('node_modules/yargs')), [], `${args.join(' ')}: no yargs (hot-commands.ts)`);
  }
});

t.test('verify loads openpgp and the digest engine, but nothing of signing or writing', async (t) => {
  const image = join(t.testdir(), 'image.sif');
  await sparseImage(image, [4096]);
  // Unsigned, so verify fails: after loading what it needs.
  const loaded = importsOf(['verify', '--keyring', '/dev/null', image]);
  t.ok(loaded.some(isOpenpgp), 'openpgp');
  t.ok(loaded.includes('src/integrity/digest.ts'), 'the digest engine');
  // (the `add` command's flag parsing needs the Extra builders, image/write/extra.js, which are light)
  t.same(loaded.filter((m) => /src\/(integrity\/(sign|pgp\/signing-key)|image\/write\/(create|editor|lock|journal))\.ts/.test(m)), [], 'no signing or writing code');
});
