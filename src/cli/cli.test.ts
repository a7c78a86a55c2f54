/** The command line itself: help, version, completion, usage errors and colour. */
import t from 'tap';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runCli, SIF_BIN, spawnCli } from '../test-support/cli.js';
import { matchGolden } from '../test-support/golden.js';
import { GO_IMAGES, REPO_ROOT, withReference } from '../test-support/reference.js';
import { EXIT_CODES } from './exit-codes.js';
import { useColor, type Io } from './io.js';

/** Every top-level command, from the registry, so a new command cannot miss its help golden. */
const { commands } = (await import(join(REPO_ROOT, 'dist/cli/commands/index.js'))) as typeof import('./commands/index.js');
const COMMANDS = [...commands({} as Io).map((c) => String(c.command).split(' ')[0]!), 'completion'];
const ESC = '\x1b';

t.test('--help of sif and of every command matches its golden file', async (t) => {
  for (const args of [['--help'], ['-h'], ...COMMANDS.map((c) => [c, '--help'])]) {
    const r = spawnCli(args, { env: { NO_COLOR: '1' } });
    t.equal(r.code, 0, `sif ${args.join(' ')} exit code`);
    t.equal(r.stderr, '', 'nothing on stderr');
    const name = args[0]!.startsWith('-') ? 'sif' : args[0]!;
    matchGolden(t, `help/${name}.txt`, r.stdout, `sif ${args.join(' ')}`);
  }
});

t.test('every registered command is in the top-level help', async (t) => {
  const help = spawnCli(['--help']).stdout.toString();
  for (const c of COMMANDS) t.match(help, new RegExp(`^  sif ${c}\\b`, 'm'), c);
});

t.test('--version prints the package version', async (t) => {
  const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  const r = spawnCli(['--version']);
  t.equal(r.code, 0);
  t.equal(r.stdout.toString(), `${version}\n`);
});

t.test('completion prints a script that answers completion queries', async (t) => {
  const bash = spawnCli(['completion'], { env: { SHELL: '/bin/bash' } });
  t.equal(bash.code, 0);
  t.match(bash.stdout.toString(), /^###-begin-sif-completions-###\n[\s\S]*complete -o bashdefault -o default -F _sif_yargs_completions sif\n/);
  t.match(bash.stdout.toString(), /# Installation: sif completion >> ~\/.bashrc/, 'tells users the visible command name');
  const zsh = spawnCli(['completion'], { env: { SHELL: '/usr/bin/zsh' } });
  t.match(zsh.stdout.toString(), /^#compdef sif\n/);
  const commands = spawnCli(['--get-yargs-completions', 'sif', '']).stdout.toString().split('\n').filter(Boolean);
  t.same(commands, COMMANDS, 'the script completes command names, and only the visible ones');
  const flags = spawnCli(['--get-yargs-completions', 'sif', 'list', '--']).stdout.toString();
  t.match(flags, /^--json$/m, 'and flags of a command');
});

t.test('usage errors: exit 2 and one line', async (t) => {
  const cases: [args: string[], message: string][] = [
    [[], 'specify a command'],
    [['lst', 'x.sif'], 'Did you mean list?'],
    [['bogus'], 'Unknown argument: bogus'],
    [['list'], 'Not enough non-option arguments: got 0, need at least 1'],
    [['list', 'a.sif', 'b.sif'], 'Unknown argument: b.sif'],
    [['list', '--bogus', 'x.sif'], 'Unknown argument: bogus'],
    [['list', 'x.sif', '--bogus'], 'Unknown argument: bogus'],
    [['list', '-z', 'x.sif'], 'Unknown argument: z'],
    [['dump', '--json', '1', 'x.sif'], 'Unknown argument: json'],
    [['completion', 'extra'], 'Unknown argument: extra'],
    [['info', 'x', 'img.sif'], 'while converting id: strconv.ParseUint: parsing "x": invalid syntax'],
    [['info', '-1', 'img.sif'], 'while converting id: strconv.ParseUint: parsing "-1": invalid syntax'],
    [['dump', '4294967296', 'img.sif'], 'while converting id: strconv.ParseUint: parsing "4294967296": value out of range'],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(args);
    t.equal(r.code, EXIT_CODES.SIF_USAGE, `sif ${args.join(' ')}: exit 2`);
    t.equal(r.stderr, `sif: ${message}\n`, `sif ${args.join(' ')}: one line`);
    t.equal(r.stdout.length, 0);
  }
  const real = spawnCli(['list', '--bogus', 'x.sif']);
  t.same([real.code, real.stderr], [2, 'sif: Unknown argument: bogus\n'], 'the same from a real process');
});

withReference(t, 'an unexpected error is one line plus a hint, and a stack only with SIF_DEBUG=1', ['go-sif'], async (t) => {
  const { main } = (await import(join(REPO_ROOT, 'dist/cli/main.js'))) as typeof import('./main.js');
  const capture = (env: NodeJS.ProcessEnv) => {
    let err = '';
    const stderr = { write: (s: string) => ((err += s), true) } as unknown as NodeJS.WritableStream;
    // A stdout that throws a non-SifError stands in for a bug.
    const stdout = { write: () => { throw new TypeError('boom\nsecond line'); } } as unknown as NodeJS.WritableStream;
    return { io: { stdout, stderr, env, stdoutIsTTY: false, stderrIsTTY: false } as unknown as Io, err: () => err };
  };
  const plain = capture({});
  t.equal(await main(['list', join(GO_IMAGES, 'empty.sif')], plain.io), EXIT_CODES.SIF_INTERNAL);
  t.equal(plain.err(), 'sif: internal error: boom second line\nsif: run with SIF_DEBUG=1 for details\n');
  const debug = capture({ SIF_DEBUG: '1' });
  await main(['list', join(GO_IMAGES, 'empty.sif')], debug.io);
  t.match(debug.err(), /^sif: internal error: boom second line\nTypeError: boom\nsecond line\n\s+at /);
});

t.test('colour only on a terminal and never with NO_COLOR', async (t) => {
  const io = (env: NodeJS.ProcessEnv, tty: boolean) => ({ env, stdoutIsTTY: tty, stderrIsTTY: tty }) as unknown as Io;
  t.equal(useColor(io({}, true), 'stdout'), true, 'a terminal');
  t.equal(useColor(io({}, true), 'stderr'), true);
  t.equal(useColor(io({ NO_COLOR: '1' }, true), 'stdout'), false, 'NO_COLOR');
  t.equal(useColor(io({ NO_COLOR: '1' }, true), 'stderr'), false);
  t.equal(useColor(io({ TERM: 'dumb' }, true), 'stderr'), false, 'a dumb terminal');
  t.equal(useColor(io({}, false), 'stdout'), false, 'a pipe');
  for (const args of [['--help'], ['list', '--help'], ['lst'], ['list', 'missing.sif']]) {
    const r = spawnCli(args, { env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
    t.notOk(r.stdout.toString().includes(ESC) || r.stderr.includes(ESC), `sif ${args.join(' ')}: no escape sequences`);
  }
});

withReference(t, 'a reader that stops early ends the command quietly, as SIGPIPE ends siftool', ['go-sif'], async (t) => {
  const image = join(GO_IMAGES, 'two-groups.sif');
  const r = spawnSync('bash', ['-c', `"${SIF_BIN}" dump 3 "${image}" 2>"${join(t.testdir(), 'err')}" | head -c 10 | wc -c; echo "\${PIPESTATUS[0]}"`]);
  t.equal(r.stdout.toString(), '10\n141\n', 'head got its 10 bytes; sif exited 141');
  t.equal(readFileSync(join(t.testdirName, 'err'), 'utf8'), '', 'nothing on stderr');
});

t.test('stdout that cannot be written (a full disk): one line, exit 3', { skip: existsSync('/dev/full') ? false : 'no /dev/full here' }, async (t) => {
  const image = join(REPO_ROOT, 'testdata/images/all-types.sif');
  const keysDir = join(t.testdir(), 'keys');
  mkdirSync(keysDir, { mode: 0o700 });
  for (const args of [['dump', '1', image], ['list', image], ['info', '--json', '1', image], ['key', 'list', '--keysdir', keysDir]]) {
    const r = spawnSync('sh', ['-c', '"$0" "$@" > /dev/full', SIF_BIN, ...args]);
    t.same({ code: r.status, stderr: r.stderr.toString() }, { code: EXIT_CODES.SIF_IO, stderr: 'sif: write stdout: no space left on device\n' }, args[0]!);
  }
});
