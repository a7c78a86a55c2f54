/**
 * Issue 19, case 4: SIGINT, SIGTERM and SIGHUP while a command writes. The
 * signal is sent at each step of the command in turn (SIF_TEST_SIGNAL_AT,
 * src/interrupts.ts), and once while `sif add` waits for its input. The
 * command rolls its change back (or, past the commit point, finishes it),
 * removes its lock and temporary files, and exits with 128 + the signal. The
 * Go reference loader then finds the old objects or the new ones.
 */
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { SIF_BIN } from '../test-support/cli.js';
import { goKeyring } from '../test-support/keys.js';
import { runSif, type Exit } from '../test-support/processes.js';
import { withReference } from '../test-support/reference.js';
import { freshKey } from '../test-support/signed.js';
import { completed, copyTo, journalState, objectsOf, runStopped, writers, type Writer } from '../test-support/writers.js';
import { EXIT_INTERRUPTED } from './exit-codes.js';

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Stopped cleanly by `signal`: its exit code and one line. */
function stoppedBy(t: Test, exit: Exit, signal: NodeJS.Signals, what: string): void {
  t.match(exit, { code: EXIT_INTERRUPTED[signal], signal: null, stderr: `sif: interrupted by ${signal}\n` }, `${what}: exit ${EXIT_INTERRUPTED[signal]}, one line`);
}

/** Nothing a writer of `image` leaves behind: lock, journal, temporary image, recovery marker. */
const litter = (image: string) => readdirSync(join(image, '..')).filter((f) => f.startsWith(`${basename(image)}.`) || f.startsWith(`.${basename(image)}.`));

/** Sends a signal at every step of `w` in turn, cycling through the three signals, until a run ends on its own. */
async function signalEveryStep(t: Test, w: Writer, dir: string): Promise<void> {
  const done = join(dir, `${w.name}-done.sif`);
  t.equal((await completed(w, done)).code, 0, `${w.name} completes`);
  const [oldBytes, newBytes] = [readFileSync(w.source), readFileSync(done)];
  const [oldObjects, newObjects] = [objectsOf(w.source), objectsOf(done)];
  const seen = new Set<string>();
  for (let step = 0; ; step++) {
    const signal = SIGNALS[step % SIGNALS.length]!;
    const image = copyTo(w.source, join(dir, `${w.name}-${step}.sif`));
    const exit = await runStopped(w.args(image), signal, step);
    if (exit.code === 0) break;
    const what = `${w.name}, ${signal} at step ${step}`;
    stoppedBy(t, exit, signal, what);
    t.same(litter(image), [], `${what}: no lock or temporary file left`);
    const objects = objectsOf(image);
    t.ok(objects !== undefined && [oldObjects, newObjects].includes(objects), `${what}: the reference loads the old or the new objects`);
    // Signatures are salted: a signed image is new when its objects are.
    const bytes = readFileSync(image);
    const outcome = bytes.equals(oldBytes) ? 'old' : bytes.equals(newBytes) || (w.name === 'sign' && objects === newObjects) ? 'new' : 'neither';
    t.not(outcome, 'neither', `${what}: byte for byte the old or the new image`);
    seen.add(outcome);
  }
  t.same([...seen].sort(), ['new', 'old'], `${w.name}: rolled back before the commit point, finished after it`);
}

withReference(t, 'a signal at any step of add, del, setprim, sign or new: old or new image, no lock, exit 128 + signal', ['go', 'go-sif'], async (t: Test) => {
  const dir = t.testdir();
  const all = await writers(dir);
  const [add] = all;
  // `new` over an existing image: old image or the new empty one, never a temporary file left.
  all.push({ name: 'new', source: add!.source, args: (img) => ['new', '--time', '1710000000', '--id', 'nil', img] });
  for (const w of all) await signalEveryStep(t, w, dir);
});

withReference(t, 'a signal while sif add waits for its input: the appended data is cut off', ['go', 'go-sif'], async (t: Test) => {
  const dir = t.testdir();
  const [add] = await writers(dir);
  for (const signal of SIGNALS) {
    const image = copyTo(add!.source, join(dir, `stdin-${signal}.sif`));
    const child = spawn(process.execPath, [SIF_BIN, 'add', '--datatype', '7', image, '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.write(Buffer.alloc(200_000, 'partial input '));
    while (journalState(`${image}.lock`) !== 'begin' || readFileSync(image).length <= readFileSync(add!.source).length) {
      await new Promise((r) => setImmediate(r));
    }
    child.kill(signal);
    stoppedBy(t, { code: await closed, signal: null, stdout: '', stderr, lockedMs: undefined }, signal, `${signal} mid-input`);
    t.ok(readFileSync(image).equals(readFileSync(add!.source)), `${signal} mid-input: the image is byte-identical`);
    t.same(litter(image), [], `${signal} mid-input: no lock left`);
    child.stdin.destroy();
  }
});

withReference(t, 'a signal at any step of sif key import, newpair, remove: each keyring old or new, no lock or temp file', ['go'], async (t: Test) => {
  const dir = t.testdir();
  const [k0, k1] = [await freshKey('ecc', 'Existing'), await freshKey('ecc', 'Imported')];
  const [file0, file1] = [join(dir, 'k0.asc'), join(dir, 'k1.asc')];
  writeFileSync(file0, k0.armor());
  writeFileSync(file1, k1.armor());
  const fingerprints = (keysDir: string) => ['pgp-secret', 'pgp-public'].map((f) => (existsSync(join(keysDir, f)) ? goKeyring(join(keysDir, f)).keys.length : 0));
  const commands: [name: string, args: (keysDir: string) => string[]][] = [
    ['import', (k) => ['key', 'import', '--keysdir', k, file1]],
    ['newpair', (k) => ['key', 'newpair', '--keysdir', k, '-N', 'New', '-E', 'new@example.com', '--algorithm', 'ed25519', '--password-file', file0 + '.pass']],
    ['remove', (k) => ['key', 'remove', '--both', '--keysdir', k, k0.getFingerprint()]],
  ];
  writeFileSync(`${file0}.pass`, '\n');
  for (const [name, args] of commands) {
    const seen = new Set<string>();
    for (let step = 0; ; step++) {
      const signal = SIGNALS[step % SIGNALS.length]!;
      const keysDir = join(dir, `${name}-${step}`);
      t.equal((await runSif(['key', 'import', '--keysdir', keysDir, file0])).code, 0, 'setup');
      const before = fingerprints(keysDir);
      const exit = await runStopped(args(keysDir), signal, step);
      const after = fingerprints(keysDir);
      t.same(readdirSync(keysDir).sort(), ['pgp-public', 'pgp-secret'], `key ${name}, ${signal} at step ${step}: no lock or temp file left`);
      if (exit.code === 0) break;
      stoppedBy(t, exit, signal, `key ${name}, ${signal} at step ${step}`);
      seen.add(JSON.stringify(after) === JSON.stringify(before) ? 'old' : 'new');
    }
    t.same([...seen].sort(), ['new', 'old'], `key ${name}: abandoned before writing, finished once writing`);
  }
});
