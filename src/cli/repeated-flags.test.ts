/**
 * Every command's flags follow one rule: a repeatable flag accumulates, any
 * other flag that takes a value given twice is a usage error naming it.
 * The walk reads each command's options from its own builder, so a flag
 * added later is covered without touching this file.
 */
import t from 'tap';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import yargs, { type Argv, type CommandModule } from 'yargs';
import { runCli } from '../test-support/cli.js';
import { GO_IMAGES } from '../test-support/reference.js';
import { commands } from './commands/index.js';
import { keySubcommands } from './commands/key/index.js';
import type { Io } from './io.js';
import type { DeclaredOptions } from './repeated-flags.js';

const io: Io = { stdin: new PassThrough(), stdinIsTTY: false, stdout: new PassThrough(), stderr: new PassThrough(), env: {}, stdoutIsTTY: false, stderrIsTTY: false };

interface Walked {
  path: string[];
  positionals: string[];
  options: DeclaredOptions;
}

/** Each runnable command: its words, a placeholder for each positional, and its declared options. */
function walk(): Walked[] {
  const out: Walked[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each command has its own argument type; yargs' CommandModule is invariant in it
  const visit = (prefix: string[], modules: CommandModule<object, any>[]) => {
    for (const m of modules) {
      const [word, ...rest] = String(m.command).split(' ');
      if (word === 'key') {
        visit([...prefix, 'key'], keySubcommands(io));
        continue;
      }
      const y = yargs([]);
      if (typeof m.builder === 'function') (m.builder as (y: Argv) => Argv)(y);
      const options = (y as unknown as { getOptions(): DeclaredOptions }).getOptions();
      out.push({ path: [...prefix, word!], positionals: rest.filter((p) => p.startsWith('<')).map(() => 'placeholder'), options });
    }
  };
  visit([], commands(io));
  return out;
}

const walked = walk();

t.test('the walk finds every command and their value flags', async (t) => {
  t.same(walked.map((w) => w.path.join(' ')), ['list', 'info', 'header', 'dump', 'new', 'add', 'del', 'setprim', 'sign', 'verify', 'bootstrap-check', 'push', 'pull', 'digest', 'attest', 'verify-attestation', 'verify-artifacts', 'key newpair', 'key list', 'key import', 'key export', 'key remove', 'key search', 'key pull', 'key push', 'key refresh', 'web']);
  const valueFlags = walked.flatMap((w) => Object.keys(w.options.key).filter((k) => !w.options.boolean.includes(k)));
  t.ok(valueFlags.length > 30, `${valueFlags.length} value flags`);
});

t.test('a single-value flag given twice: exit 2, one line naming it, before anything runs', async (t) => {
  for (const { path, positionals, options } of walked) {
    const aliases = new Set(Object.values(options.alias).flat());
    for (const name of Object.keys(options.key)) {
      if (options.boolean.includes(name) || options.array.includes(name) || aliases.has(name)) continue;
      const args = [...path, `--${name}`, '1', `--${name}`, '2', ...positionals];
      const r = await runCli(args);
      t.equal(r.code, 2, `sif ${args.join(' ')}`);
      t.match(r.stderr, new RegExp(`^sif: --${name}( \\([^)]*\\))? was given more than once: it takes one value\\n$`), `sif ${args.join(' ')}`);
    }
  }
});

t.test('a flag and its alias count as the same flag', async (t) => {
  const r = await runCli(['verify', '-g', '1', '--group-id', '2', 'x.sif']);
  t.same([r.code, r.stderr], [2, 'sif: --group-id (-g) was given more than once: it takes one value\n']);
  const k = await runCli(['key', 'newpair', '--password-file', 'a', '--passphrase-file', 'b']);
  t.same([k.code, k.stderr], [2, 'sif: --password-file (--passphrase-file) was given more than once: it takes one value\n']);
});

t.test('repeatable flags are declared so in every command that has them, and accumulate', async (t) => {
  const declared = walked.flatMap((w) => {
    const aliases = new Set(Object.values(w.options.alias).flat());
    return w.options.array.filter((name) => !aliases.has(name)).map((name) => `${w.path.join(' ')} --${name}`);
  });
  t.same(declared, ['sign --key', 'verify --keyring', 'verify --key', 'verify --url', 'bootstrap-check --build-arg', 'bootstrap-check --keyring', 'bootstrap-check --url', 'pull --keyring', 'verify-attestation --key', 'verify-attestation --ignore-paths']);
  const image = join(GO_IMAGES, 'one-group-signed.sif');
  const dir = t.testdir({ 'empty.asc': '', 'app.def': `Bootstrap: localimage\nFrom: ${image}\n`, 'args.def': 'Bootstrap: {{ A }}\nFrom: {{ B }}\n' });
  // Both values reach the command: the second, missing file is the one reported.
  for (const path of [['verify'], ['bootstrap-check']]) {
    const target = path[0] === 'verify' ? image : join(dir, 'app.def');
    const r = await runCli([...path, '--keyring', join(dir, 'empty.asc'), '--keyring', join(dir, 'missing.asc'), target]);
    t.same([r.code, r.stderr], [3, `sif: open ${join(dir, 'missing.asc')}: no such file or directory\n`], `${path.join(' ')}: the second --keyring is read`);
  }
  const args = await runCli(['bootstrap-check', '--build-arg', 'A=docker', '--build-arg', 'B=alpine', join(dir, 'args.def')]);
  t.same([args.code, args.stdout.toString()], [0, 'Bootstrap docker alpine: not a SIF image, nothing to check\n'], 'every --build-arg is applied');
});

t.test('switches may be repeated: the last spelling wins', async (t) => {
  const r = await runCli(['verify', '--json', '--no-json', '--json', 'missing.sif']);
  t.equal(r.code, 3);
  t.match(r.stdout.toString(), /"Signatures": 0/);
});
