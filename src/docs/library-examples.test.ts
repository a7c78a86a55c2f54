/**
 * The library examples of README.md and docs/*.md really run: each block
 * marked `<!-- example: NAME -->` is written to a file and run by node in a
 * project folder where `sif` resolves to this package, with the files it
 * names. Also keeps the README honest: its first screen, a row for every
 * command `sif --help` lists, a link to every doc, and only library names
 * the package exports.
 */
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { runCli, spawnCli } from '../test-support/cli.js';
import { FIXTURES, GO_IMAGES, GO_SIF, REPO_ROOT, withReference } from '../test-support/reference.js';
import { examples } from './examples.js';

const read = (doc: string) => readFileSync(join(REPO_ROOT, doc), 'utf8');
const readme = read('README.md');

/** A folder whose node_modules/sif is this package, as an installed dependency would be. */
function project(dir: string): string {
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(REPO_ROOT, join(dir, 'node_modules/sif'));
  return dir;
}

function runExample(t: Test, cwd: string, doc: string, name: string, env: NodeJS.ProcessEnv = {}) {
  const code = examples(read(doc)).get(name);
  if (code === undefined) throw new Error(`${doc} has no example ${name}`);
  const file = join(cwd, `${doc.replace(/\W/g, '-')}-${name}.mjs`);
  writeFileSync(file, code);
  const r = spawnSync('node', [file], { cwd, env: { PATH: process.env.PATH, HOME: cwd, ...env }, encoding: 'utf8' });
  t.equal(r.status, 0, `${doc} ${name}: ${r.stderr}`);
  return r.stdout;
}

t.test('README: the first screen, every command, every doc, only exported names', async (t) => {
  const top = readme.split('\n').slice(0, 12).join('\n');
  t.match(top, /^# sif\n/);
  t.match(top, /```sh\nnpm ci && npm run demo {3}# [^\n]*\nnpm test {17}# [^\n]*\n```/, 'the two quick-start commands stay at the top');

  const help = (args: string[]) => spawnCli([...args, '--help']).stdout.toString();
  const commands = [...help([]).matchAll(/^ {2}sif ([a-z-]+)/gm)].map((m) => m[1]!);
  const key = [...help(['key']).matchAll(/^ {2}sif key ([a-z-]+)/gm)].map((m) => m[1]!);
  t.ok(commands.length >= 13 && key.length >= 5, 'commands found in --help');
  const table = readme.slice(readme.indexOf('## Commands'), readme.indexOf('## Library'));
  for (const c of commands) t.match(table, `| \`sif ${c}`, `the command table lists sif ${c}`);
  const keyRows = [...table.matchAll(/^\| `sif key ([a-z\\|]+)`/gm)].flatMap((m) => m[1]!.split('\\|'));
  t.same(keyRows, key, 'and every key subcommand, in the order of --help');

  for (const doc of readdirSync(join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md'))) {
    t.match(readme, `](docs/${doc})`, `README links docs/${doc}`);
  }

  const api = (await import(join(REPO_ROOT, 'dist/index.js'))) as Record<string, unknown>;
  const editor = readFileSync(join(REPO_ROOT, 'src/image/write/types.ts'), 'utf8');
  const library = readme.slice(readme.indexOf('| to | use | docs |'), readme.indexOf('## Tests'));
  for (const row of library.split('\n').slice(2).filter((l) => l.startsWith('|'))) {
    const uses = row.split('|')[2]!;
    const outside = uses.replace(/\([^)]*\)/g, '');
    for (const [, name] of outside.matchAll(/`([A-Za-z]+)(?:\.[a-z]+)?(?:\([^`]*\))?`/g)) t.ok(name! in api, `${name} is exported`);
    for (const [, inner] of uses.matchAll(/\(([^)]*)\)/g)) {
      for (const [, method] of inner!.matchAll(/`([a-z][A-Za-z]+)`/g)) {
        t.ok(editor.includes(`${method}(`) || /^(require|ignoreUnknownSigners)$/.test(method!), `${method} is an editor method or an option`);
      }
    }
  }
});

withReference(t, 'README: the library example reads a real image', ['shared'], async (t) => {
  const dir = project(t.testdir());
  copyFileSync(join(FIXTURES, 'apptainer/real/busybox_amd64.sif'), join(dir, 'busybox.sif'));
  t.equal(runExample(t, dir, 'README.md', 'read'), "{ fsType: 1, partType: 2, arch: 'amd64' }\n745472 bytes\n");
});

withReference(t, 'docs/writing.md: the library examples create an image, then append a signature object', ['siftool'], async (t) => {
  const dir = project(t.testdir());
  symlinkSync(join(REPO_ROOT, 'testdata'), join(dir, 'testdata'));
  t.equal(runExample(t, dir, 'docs/writing.md', 'library-create'), '1@32768 2@39068\n', 'prints what the page says');
  runExample(t, dir, 'docs/writing.md', 'library-signature-object');
  const list = spawnSync('siftool', ['list', join(dir, 'app.sif')], { encoding: 'utf8' });
  t.equal(list.status, 0, list.stderr);
  t.match(list.stdout, /\n1 +\|1 +\|NONE +\|32768-\d+ +\|FS \(Raw\/\*System\/amd64\)\n2 +\|NONE +\|1 +\|39068-\d+ +\|SBOM \(spdx-json\)\n3 +\|NONE +\|1 +\(G\) +\|\d+-\d+ +\|Signature \(SHA-256\)\n$/, 'siftool reads the result');
});

withReference(t, 'docs/signing.md: the library example signs and verifies', ['go-sif'], async (t) => {
  const dir = project(t.testdir());
  const secret = readFileSync(join(GO_SIF, 'test/keys/private.asc'), 'utf8');
  writeFileSync(join(dir, 'private.asc'), secret);
  writeFileSync(join(dir, 'public.asc'), (await openpgp.readPrivateKey({ armoredKey: secret })).toPublic().armor());
  copyFileSync(join(GO_IMAGES, 'two-groups.sif'), join(dir, 'img.sif'));
  const out = runExample(t, dir, 'docs/signing.md', 'library');
  t.equal(out, '4 12045C8C0B1004D058DE4BEDA20C27EE7FF7BA84 undefined\n5 12045C8C0B1004D058DE4BEDA20C27EE7FF7BA84 undefined\n', 'each signature verified by the key');
});

withReference(t, 'docs/keys.md: the library example imports and lists', ['go-sif'], async (t) => {
  const dir = project(t.testdir());
  copyFileSync(join(GO_SIF, 'test/keys/private.asc'), join(dir, 'key.asc'));
  runExample(t, dir, 'docs/keys.md', 'library', { SIF_KEYSDIR: join(dir, 'keys') });
  const listed = await runCli(['key', 'list', '--secret', '--json', '--keysdir', join(dir, 'keys')]);
  t.match(listed.stdout.toString(), /"fingerprint": "12045C8C0B1004D058DE4BEDA20C27EE7FF7BA84"/, 'the key was imported');
});
