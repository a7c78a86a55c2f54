/** Whole-file reads stop at their bound, on devices and pipes too, where stat says 0 bytes. */
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { readBounded, readStreamBounded, readWholeStream } from './bounded-read.js';

const refusal = (name: string) => new Error(`refused ${name}`);

t.test('up to the bound the bytes, past it the refusal', async (t) => {
  const file = join(t.testdir(), 'f');
  writeFileSync(file, Buffer.alloc(3000, 7));
  t.same(await readBounded(file, 3000, refusal), Buffer.alloc(3000, 7), 'exactly the bound');
  await t.rejects(readBounded(file, 2999, refusal), { message: `refused ${file}` }, 'one byte over');
  await t.rejects(readBounded(join(t.testdirName, 'missing'), 10, refusal), { code: 'ENOENT' }, 'file system errors as they are');
  t.same(await readStreamBounded(Readable.from([Buffer.from('ab'), 'cd']), 'stdin', 4, refusal), Buffer.from('abcd'));
  await t.rejects(readStreamBounded(Readable.from([Buffer.from('ab'), 'cde']), 'stdin', 4, refusal), { message: 'refused stdin' });
  await t.rejects(readWholeStream(Readable.from([Buffer.alloc((64 << 20) + 1)]), 'k.asc', 'a key file'), { code: 'SIF_USAGE', message: 'k.asc: over 64 MiB, too large for a key file' });
});

t.test('a device and a pipe, which stat calls empty', { skip: process.platform === 'linux' ? false : 'Linux devices' }, async (t) => {
  await t.rejects(readBounded('/dev/zero', 1 << 20, refusal), { message: 'refused /dev/zero' });
  const fifo = join(t.testdir(), 'fifo');
  t.equal(spawnSync('mkfifo', [fifo]).status, 0);
  const writer = spawn('sh', ['-c', 'head -c 3000000 /dev/zero > "$0"', fifo]);
  await t.rejects(readBounded(fifo, 1 << 20, refusal), { message: `refused ${fifo}` });
  writer.kill();
});
