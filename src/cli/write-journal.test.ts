/**
 * Issue 19, cases 1 and 2, with real `bin/sif` processes killed (SIGKILL) at
 * chosen steps and the Go reference loader as the judge. A dead writer's
 * journal is replayed only onto the image state it was written for: an image
 * copied over it in place (same inode) or changed by siftool since is never
 * touched (exit 9, journal kept aside); an in-place restore of the exact
 * original is still repaired to the old or the new image.
 */
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { runSif } from '../test-support/processes.js';
import { withReference } from '../test-support/reference.js';
import { completed, copyTo, journalState, objectsOf, replacements, runStopped, writers, type Writer } from '../test-support/writers.js';

/** Where a SIGKILL left a writer: its image and lock file, kept to be copied. */
interface Killed {
  step: number;
  state: 'begin' | 'commit';
  image: string;
}

/**
 * Kills `w` with SIGKILL at each step from the lock's creation on, until it
 * runs to the end; returns the images and journals left at every step that
 * left a journal ("begin": data appended; "commit": metadata being written).
 */
async function killAtEveryStep(t: Test, w: Writer, dir: string): Promise<Killed[]> {
  const killed: Killed[] = [];
  for (let step = FIRST_JOURNAL_STEP; ; step++) {
    const image = copyTo(w.source, join(dir, `${w.name}-killed-${step}.sif`));
    const exit = await runStopped(w.args(image), 'SIGKILL', step);
    if (exit.signal !== 'SIGKILL') break;
    const state = journalState(`${image}.lock`);
    if (state !== 'none') killed.push({ step, state, image });
  }
  const states = killed.map((k) => k.state);
  t.ok(states.includes('begin') && states.filter((s) => s === 'commit').length >= 3, `${w.name}: killed with a begin and a commit journal (${killed.map((k) => `${k.step}:${k.state}`).join(' ')})`);
  return killed;
}

/** Steps before this one only create the lock (interrupts.ts counts every file operation). */
const FIRST_JOURNAL_STEP = 3;

/** A copy of a killed writer's image and journal at `path`. */
const cloneKilled = (k: Killed, path: string) => {
  copyTo(`${k.image}.lock`, `${path}.lock`);
  return copyTo(k.image, path);
};

const JSON_INPUT = '{"after":"the kill"}';
const JSON_SHA256 = createHash('sha256').update(JSON_INPUT).digest('hex');

const addJson = (dir: string, image: string) => {
  const json = join(dir, 'small.json');
  writeFileSync(json, JSON_INPUT);
  return runSif(['add', '--datatype', '6', '--groupid', '9', image, json]);
};

/** The reference's objects of `image` without the one `addJson` added. */
const withoutJson = (image: string) =>
  JSON.stringify((JSON.parse(objectsOf(image) ?? '[]') as { dataSha256: string }[]).filter((o) => o.dataSha256 !== JSON_SHA256));

withReference(t, 'cases 1 and 2: a killed writer\'s journal is never replayed onto another image copied over it or changed since', ['go', 'go-sif', 'siftool'], async (t: Test) => {
  const dir = t.testdir();
  for (const w of await writers(dir)) {
    const killed = await killAtEveryStep(t, w, dir);
    if (w.name === 'add') await siftoolInBetween(t, dir, w.source, killed);
    const done = join(dir, `${w.name}-done.sif`);
    t.equal((await completed(w, done)).code, 0, `${w.name} completes`);
    const [oldObjects, newObjects] = [objectsOf(w.source), objectsOf(done)];
    const commits = killed.filter((k) => k.state === 'commit');
    // The last step with data appended and no commit; the one with descriptors written and the header not yet.
    const chosen = [killed.filter((k) => k.state === 'begin').at(-1)!, commits.at(-2)!];
    for (const k of chosen) {
      for (const [i, [name, replacement]] of (await replacements(w.source, dir)).entries()) {
        const what = `${w.name} killed at step ${k.step} (${k.state}), then ${name} copied over it`;
        const image = cloneKilled(k, join(dir, `${w.name}-${k.step}-replaced-${i}.sif`));
        const inode = statSync(image).ino;
        copyTo(replacement, image);
        t.equal(statSync(image).ino, inode, `${what}: same inode`);
        const next = await addJson(dir, image);
        t.match(next, { code: 9, stderr: /^sif: .*: the unfinished change of a killed writer \(process \d+ on .*\) does not match the image, which changed since; the image was left as it is and the journal moved to .*\.lock\.stale-[^\n]*\n$/ }, `${what}: refused`);
        t.ok(readFileSync(image).equals(readFileSync(replacement)), `${what}: the image is untouched`);
        t.equal(objectsOf(image), objectsOf(replacement), `${what}: the reference loads it as it was`);
        t.notOk(existsSync(`${image}.lock`), `${what}: lock gone`);
        t.equal(readdirSync(dir).filter((f) => f.startsWith(`${basename(image)}.lock.stale-`)).length, 1, `${what}: journal kept aside`);
        if (i > 0) continue;
        t.equal((await addJson(dir, image)).code, 0, `${what}: the next writer goes ahead`);
        t.equal(withoutJson(image), objectsOf(replacement), `${what}: and the reference loads the result`);
      }
    }
    for (const k of [...chosen, commits[0]!, commits.at(-1)!]) {
      const what = `${w.name} killed at step ${k.step} (${k.state}), then the exact original restored in place`;
      const image = cloneKilled(k, join(dir, `${w.name}-${k.step}-restored.sif`));
      copyTo(w.source, image);
      const next = await addJson(dir, image);
      t.equal(next.code, 0, `${what}: repaired, then added to: ${next.stderr}`);
      t.ok([oldObjects, newObjects].includes(withoutJson(image)), `${what}: the reference sees the old or the new objects, plus the one added`);
    }
  }
});

/** Case 2: siftool adds an object after `sif add` was killed; the next `sif add` must not cut it off. */
async function siftoolInBetween(t: Test, dir: string, source: string, killed: Killed[]): Promise<void> {
  const data = join(dir, 'siftool.bin');
  writeFileSync(data, Buffer.alloc(50_000, 'siftool '));
  const before = JSON.parse(objectsOf(source)!) as unknown[];
  for (const k of [killed.find((k) => k.state === 'begin')!, killed.find((k) => k.state === 'commit')!]) {
    const what = `case 2: sif add killed at step ${k.step} (${k.state}), then siftool add`;
    const image = cloneKilled(k, join(dir, `siftool-${k.step}.sif`));
    t.equal(spawnSync('siftool', ['add', '--datatype', '7', image, data]).status, 0, `${what}: siftool adds`);
    const bySiftool = readFileSync(image);
    const next = await addJson(dir, image);
    t.equal(next.code, 9, `${what}: sif add refuses to replay: ${next.stderr}`);
    t.ok(readFileSync(image).equals(bySiftool), `${what}: the image is as siftool left it`);
    t.equal((await addJson(dir, image)).code, 0, `${what}: the next sif add goes ahead`);
    const objects = JSON.parse(withoutJson(image)) as { size: number }[];
    t.same(objects.slice(0, -1), before, `${what}: the reference loads the old objects`);
    t.equal(objects.at(-1)?.size, 50_000, `${what}: and siftool's`);
  }
}
