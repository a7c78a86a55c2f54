import t from 'tap';
import { PassThrough } from 'node:stream';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { askLine, askSecret, readPassphrase } from './prompt.js';
import type { Io } from './io.js';

function fakeIo(input: string, tty: boolean, env: NodeJS.ProcessEnv = {}): Io & { err: () => string } {
  const stdin = Object.assign(new PassThrough(), { setRawMode: () => undefined });
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  stdin.end(input);
  return { stdin, stdinIsTTY: tty, stdout: new PassThrough(), stderr, env, stdoutIsTTY: false, stderrIsTTY: tty, err: () => err };
}

t.test('passphrase sources in order: file, SIF_PASSPHRASE, terminal, stdin line', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'pass');
  writeFileSync(file, 'from-file\nsecond line\n');
  t.equal(await readPassphrase(fakeIo('', false, { SIF_PASSPHRASE: 'env' }), { file, question: 'Q: ' }), 'from-file');
  t.equal(await readPassphrase(fakeIo('stdin\n', false, { SIF_PASSPHRASE: 'env' }), { question: 'Q: ' }), 'env');
  t.equal(await readPassphrase(fakeIo('stdin-line\nmore\n', false), { question: 'Q: ' }), 'stdin-line');
  const tty = fakeIo('se\u007fecret\r', true);
  t.equal(await readPassphrase(tty, { question: 'Passphrase: ' }), 'secret', 'backspace erases, no echo');
  t.equal(tty.err(), 'Passphrase: \n', 'only the prompt and a newline reach the terminal');
  await t.rejects(readPassphrase(fakeIo('', false), { file: join(dir, 'missing'), question: '' }), { code: 'SIF_NOT_FOUND' });
  await t.rejects(readPassphrase(fakeIo('', false), { question: '' }), { code: 'SIF_USAGE', message: /stdin ended/ });
});

t.test('lines are read one at a time and a missing terminal is a clear error', async (t) => {
  const io = fakeIo('Jane Doe\njane@example.com\n', true);
  t.equal(await askLine(io, 'Name: ', 'name'), 'Jane Doe');
  t.equal(await askLine(io, 'Email: ', 'email'), 'jane@example.com');
  t.equal(await askLine(io, 'Comment: ', 'comment'), '', 'EOF gives an empty answer');
  await t.rejects(askLine(fakeIo('x\n', false), 'Name: ', 'name'), { code: 'SIF_USAGE', message: 'name is required (no terminal to ask on; pass it as a flag)' });
  await t.rejects(askSecret(fakeIo('\u0003', true), 'P: '), { message: 'interrupted' });
  t.equal(await askSecret(fakeIo('last', false), 'P: '), 'last', 'a final line without newline counts');
  t.equal(await askSecret(fakeIo(`${'p'.repeat(64 << 10)}\n`, false), 'P: '), 'p'.repeat(64 << 10), 'a 64 KiB line');
  const endless = Object.assign(new PassThrough(), { setRawMode: () => undefined });
  const feed = setInterval(() => endless.write(Buffer.alloc(16 << 10)), 1);
  t.teardown(() => clearInterval(feed));
  const fromZero = { ...fakeIo('', false), stdin: endless };
  await t.rejects(askSecret(fromZero, 'P: '), { code: 'SIF_USAGE', message: 'stdin: no end of line in the first 64 KiB' }, 'stdin from /dev/zero');
});

t.test('a hidden answer read ahead with an earlier one still ends its line', async (t) => {
  const io = fakeIo('1\nsecret\n', true);
  t.equal(await askLine(io, 'Enter # of private key to use : ', 'key index'), '1');
  t.equal(await askSecret(io, 'Enter key passphrase : '), 'secret');
  t.equal(io.err(), 'Enter # of private key to use : Enter key passphrase : \n', 'the newline follows the passphrase prompt');

  const twice = fakeIo('pw\npw\n', true);
  t.equal(await askSecret(twice, 'Enter a passphrase : '), 'pw');
  t.equal(await askSecret(twice, 'Retype your passphrase : '), 'pw');
  t.equal(twice.err(), 'Enter a passphrase : \nRetype your passphrase : \n', 'one newline per hidden answer');

  const eof = fakeIo('', true);
  t.equal(await askSecret(eof, 'P: '), '', 'end of input is an empty answer');
  t.equal(eof.err(), 'P: \n');
});

t.test('keys typed one at a time in raw mode: backspace erases across chunks', async (t) => {
  const io = fakeIo('', true);
  const stdin = Object.assign(new PassThrough(), { setRawMode: () => undefined });
  for (const key of ['s', 'e', 'x', '\u007f', 'c', 'r', 'e', 't', '\b', 't', '\r']) stdin.write(key);
  stdin.end();
  t.equal(await askSecret({ ...io, stdin }, 'P: '), 'secret');
});
