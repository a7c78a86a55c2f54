/**
 * Real `bin/sif` processes: killed with SIGKILL at random moments, and racing
 * each other on one image. The image always loads in the reference, holds the
 * old or the new objects, and no object is ever lost.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataType, editImage } from '../index.js';
import { oracle } from '../test-support/oracle.js';
import { killPlan, runSif } from '../test-support/processes.js';
import { Rng } from '../test-support/random.js';
import { withReference } from '../test-support/reference.js';
import { MIN_ROUNDS, soakSeconds } from '../test-support/soak.js';

const REPO = new URL('../../', import.meta.url).pathname;
const ALL_TYPES = join(REPO, 'testdata/images/all-types.sif');
const TIME = '1710000000';

interface Loaded {
  error?: string;
  objects: { id: number; dataSha256: string }[];
}
const load = (path: string) => oracle<Loaded>('load', path);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

withReference(t, 'sif add/del killed at random moments leave the old or the new image', ['go', 'go-sif'], async (t) => {
  const dir = t.testdir();
  const rng = new Rng(Number(process.env.SIF_SEED ?? 99));
  const big = join(dir, 'big.bin');
  writeFileSync(big, Buffer.alloc(16 << 20, 'sif kill test '));
  const withBig = join(dir, 'with-big.sif');
  copyFileSync(ALL_TYPES, withBig);
  await editImage(withBig, (e) => e.addObject({ dataType: DataType.Generic, data: readFileSync(big) }), { time: 1n });
  const scenarios: [name: string, source: string, args: (img: string) => string[]][] = [
    ['add', ALL_TYPES, (img) => ['add', '--time', TIME, '--datatype', '4', '--partfs', '4', '--parttype', '3', '--partarch', '2', img, big]],
    ['del --zero', withBig, (img) => ['del', '--time', TIME, '--zero', '12', img]],
    ['del --compact', withBig, (img) => ['del', '--time', TIME, '--compact', '12', img]],
  ];
  const budget = (soakSeconds(60, 'SIF_KILL_SECONDS') * 1000) / scenarios.length;
  for (const [name, source, args] of scenarios) {
    const done = join(dir, `done-${name}.sif`);
    copyFileSync(source, done);
    const started = Date.now();
    const full = await runSif(args(done), { lockPath: `${done}.lock` });
    t.equal(full.code, 0, `${name} completes: ${full.stderr}`);
    const [totalMs, writeMs] = [Date.now() - started, full.lockedMs ?? 5];
    const [oldBytes, newBytes] = [readFileSync(source), readFileSync(done)];
    const states = [JSON.stringify(load(source).objects), JSON.stringify(load(done).objects)];
    let [killed, midWrite] = [0, 0];
    for (let i = 0; i < 40 && (i < MIN_ROUNDS || Date.now() - started < budget); i++) {
      const image = join(dir, `kill-${name}-${i}.sif`);
      copyFileSync(source, image);
      const exit = await runSif(args(image), { kill: killPlan(i, rng.next(), totalMs, writeMs), lockPath: `${image}.lock` });
      if (exit.signal === 'SIGKILL') killed++;
      if (exit.signal === 'SIGKILL' && existsSync(`${image}.lock`)) midWrite++;
      const raw = load(image);
      t.equal(raw.error, undefined, `${name} #${i}: the reference loads it`);
      t.ok(states.includes(JSON.stringify(raw.objects)), `${name} #${i}: old or new objects`);
      await editImage(image, async () => undefined); // replays a dead writer's journal
      const bytes = readFileSync(image);
      t.ok(bytes.equals(oldBytes) || bytes.equals(newBytes), `${name} #${i}: old or new bytes after replay`);
    }
    t.comment(`${name}: write phase ${writeMs} ms; ${killed} killed, ${midWrite} of them while holding the lock`);
  }
});

withReference(t, 'concurrent sif add: both objects, or a clean "image is locked"', ['go', 'go-sif'], async (t) => {
  const dir = t.testdir();
  const inputs = ['a', 'b', 'c'].map((n) => {
    const path = join(dir, `${n}.bin`);
    writeFileSync(path, Buffer.alloc(4 << 20, `input ${n} `));
    return path;
  });
  const digests = inputs.map((p) => sha256(readFileSync(p)));
  for (let round = 0; round < 12; round++) {
    const image = join(dir, `race-${round}.sif`);
    copyFileSync(ALL_TYPES, image);
    const wait = round % 2 === 1 ? ['--lock-timeout', '60'] : [];
    const exits = await Promise.all(inputs.map((input) => runSif(['add', ...wait, '--datatype', '7', image, input])));
    for (const e of exits) {
      if (e.code !== 0) t.match(e, { code: 7, stderr: /^sif: .*image is locked by process \d+ on .*\n$/ });
    }
    if (wait.length) t.same(exits.map((e) => e.code), [0, 0, 0], 'with --lock-timeout every writer gets its turn');
    const loaded = load(image);
    t.equal(loaded.error, undefined);
    const added = loaded.objects.slice(11).map((o) => o.dataSha256).sort();
    const succeeded = digests.filter((_, i) => exits[i]!.code === 0).sort();
    t.same(added, succeeded, `round ${round}: exactly the successful writers' objects`);
    t.ok(succeeded.length >= 1, 'someone always wins');
    t.notOk(existsSync(`${image}.lock`));
  }
});
