/**
 * Issue 19, case 3: a `sif add` running in another PID namespace (as in a
 * container) records a PID that means another process here. Its lock is live:
 * a writer outside waits or fails with exit 7, never breaks it. Needs root
 * for `unshare --pid`; without it the test skips (fails under SIF_REQUIRE_REFERENCE=1).
 */
import t, { type Test } from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SIF_BIN } from '../test-support/cli.js';
import { runSif } from '../test-support/processes.js';
import { missingReference, REPO_ROOT, whenAvailable } from '../test-support/reference.js';
import { copyTo, objectsOf } from '../test-support/writers.js';

const ALL_TYPES = join(REPO_ROOT, 'testdata/images/all-types.sif');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const unshare = spawnSync('unshare', ['--pid', '--fork', 'true']);
const cannot = unshare.status === 0 ? undefined : `cannot create a PID namespace with unshare --pid --fork (needs root): ${unshare.error?.message ?? unshare.stderr.toString().trim()}`;

/** Resolves once `ready()` holds, checking after each turn of the event loop. */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((r) => setImmediate(r));
}

const run = (t: Test) => async () => {
  const dir = t.testdir();
  const image = copyTo(ALL_TYPES, join(dir, 'image.sif'));
  const size = statSync(image).size;
  const [first, second, third] = ['first ', 'second ', 'third '].map((fill) => Buffer.alloc(300_000, fill));
  const [secondFile, thirdFile] = [second!, third!].map((bytes, i) => {
    const path = join(dir, `input-${i}.bin`);
    writeFileSync(path, bytes);
    return path;
  });
  // The writer in the namespace reads its data from stdin, which stays open: it holds the lock mid-change.
  const inside = spawn('unshare', ['--pid', '--fork', process.execPath, SIF_BIN, 'add', '--datatype', '7', image, '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let insideErr = '';
  inside.stderr.on('data', (c: Buffer) => (insideErr += c.toString()));
  const insideExit = new Promise<number | null>((resolve) => inside.on('close', resolve));
  inside.stdin.write(first);
  await until(() => existsSync(`${image}.lock`) && statSync(image).size >= size + first!.length);
  const owner = JSON.parse(readFileSync(`${image}.lock`, 'utf8').split('\n')[0]!) as { pid: number; pidns: string };
  t.equal(owner.pid, 1, 'the writer in the namespace is PID 1 there');
  t.not(owner.pidns, readlinkSync('/proc/self/ns/pid'), 'and records its own PID namespace');

  const blocked = await runSif(['add', '--datatype', '7', image, secondFile!]);
  t.match(blocked, { code: 7, stderr: /^sif: .*image is locked by process 1 on [^\n]*\n$/ }, 'a writer outside does not break the lock');
  t.ok(existsSync(`${image}.lock`), 'the lock stays');

  const waiting = runSif(['add', '--lock-timeout', '60', '--datatype', '7', image, thirdFile!]);
  inside.stdin.end();
  t.equal(await insideExit, 0, `the writer in the namespace finishes: ${insideErr}`);
  t.equal((await waiting).code, 0, 'a writer that waits gets its turn');
  const objects = JSON.parse(objectsOf(image) ?? '[]') as { size: number; dataSha256: string }[];
  t.same(objects.slice(-2).map((o) => o.dataSha256), [sha256(first!), sha256(third!)], 'the reference loads both objects, intact');
  t.notOk(existsSync(`${image}.lock`));
};

whenAvailable(t, 'a writer in another PID namespace keeps its lock', cannot ?? missingReference('go', 'go-sif'), (t: Test) => run(t)());
