import t from 'tap';
import { PassThrough } from 'node:stream';
import type { Io } from './io.js';
import { commandProgress, formatBytes, formatDuration, formatProgress, PROGRESS_MIN_BYTES, ProgressLine } from './progress.js';

const MiB = 1 << 20;
const GiB = 1 << 30;

/** A stream that records what is written, posing as a terminal of `columns` columns. */
function fakeTty(columns = 100) {
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns });
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { stream, text: () => chunks.join('') };
}

/** A clock the test moves by hand. */
function clock() {
  let ms = 0;
  return { now: () => ms, advance: (by: number) => (ms += by) };
}

const fakeIo = (stderr: PassThrough, stderrIsTTY: boolean, env: NodeJS.ProcessEnv = {}): Io => ({
  stdin: new PassThrough(),
  stdinIsTTY: false,
  stdout: new PassThrough(),
  stderr,
  env,
  stderrIsTTY,
  stdoutIsTTY: false,
});

t.test('formatProgress shows bytes done, total, rate and ETA', async (t) => {
  t.equal(
    formatProgress('Verifying', 256 * MiB, GiB, 500, 100),
    'Verifying [#####---------------] 256.0 MiB / 1.0 GiB  512.0 MiB/s  ETA 0:02',
  );
  t.equal(formatProgress('Signing', 0, GiB, 0, 100), 'Signing [--------------------] 0 B / 1.0 GiB  0 B/s  ETA -:--', 'no rate yet');
  t.equal(formatProgress('Signing', GiB, GiB, 1000, 100), 'Signing [####################] 1.0 GiB / 1.0 GiB  1.0 GiB/s  ETA 0:00');
  t.equal(formatProgress('Signing', 0, 0, 0, 100), 'Signing [####################] 0 B / 0 B  0 B/s  ETA -:--', 'no work is done work');
  t.equal(formatProgress('Signing', 2 * GiB, GiB, 1000, 100), 'Signing [####################] 2.0 GiB / 1.0 GiB  2.0 GiB/s  ETA 0:00', 'rehashed bytes never make the ETA negative');
  t.equal(formatProgress('Verifying', 256 * MiB, GiB, 500, 70), 'Verifying 256.0 MiB / 1.0 GiB  512.0 MiB/s  ETA 0:02', 'narrow: no bar');
  t.equal(formatProgress('Verifying', 256 * MiB, GiB, 500, 20), 'Verifying 256.0 MiB', 'never wider than the terminal');
});

t.test('units and durations', async (t) => {
  t.equal(formatBytes(0), '0 B');
  t.equal(formatBytes(1023), '1023 B');
  t.equal(formatBytes(1536), '1.5 KiB');
  t.equal(formatBytes(5 * 1024 * GiB), '5.0 TiB');
  t.equal(formatBytes(5000 * 1024 * GiB), '5000.0 TiB');
  t.equal(formatDuration(0), '0:00');
  t.equal(formatDuration(61.2), '1:02');
  t.equal(formatDuration(3600 * 2 + 65), '2:01:05');
});

t.test('the line appears once the work is big enough, redraws at most every 100 ms, and is erased', async (t) => {
  const tty = fakeTty();
  const c = clock();
  const line = new ProgressLine(tty.stream, { label: 'Verifying', color: false, now: c.now, columns: 100 });
  line.update(10 * MiB, 100 * MiB);
  c.advance(200);
  line.update(20 * MiB, PROGRESS_MIN_BYTES - 1);
  t.equal(tty.text(), '', 'nothing for small work');
  line.update(20 * MiB, GiB);
  const first = tty.text();
  t.equal(first, '\rVerifying [--------------------] 20.0 MiB / 1.0 GiB  100.0 MiB/s  ETA 0:11', 'rate counts from the first chunk');
  c.advance(50);
  line.update(30 * MiB, GiB);
  t.equal(tty.text(), first, 'not redrawn within 100 ms');
  c.advance(50);
  line.update(GiB, GiB);
  t.equal(tty.text().slice(first.length), '\rVerifying [####################] 1.0 GiB / 1.0 GiB  3.3 GiB/s  ETA 0:00   ', 'a shorter line is padded over the longer one');
  const before = tty.text().length;
  line.finish();
  t.equal(tty.text().slice(before), `\r${' '.repeat(71)}\r`, 'erased with spaces');
  line.finish();
  t.equal(tty.text().length, before + 73, 'finishing twice writes nothing more');
});

t.test('colour marks the filled part of the bar only', async (t) => {
  const tty = fakeTty();
  const c = clock();
  const line = new ProgressLine(tty.stream, { label: 'Signing', color: true, now: c.now });
  line.update(0, GiB);
  c.advance(100);
  line.update(0, GiB);
  t.match(tty.text(), /Signing \[-{20}\]/);
  t.notOk(tty.text().includes('\x1b'), 'no escape for an empty bar');
  c.advance(1000);
  line.update(GiB / 2, GiB);
  // eslint-disable-next-line no-control-regex -- the bar's colour is a terminal escape
  t.match(tty.text(), /\[\x1b\[36m##########\x1b\[0m----------\]/);
});

t.test('commandProgress: only on a terminal, never with --quiet, colour unless NO_COLOR', async (t) => {
  const tty = fakeTty(120);
  t.equal(commandProgress(fakeIo(tty.stream, false), 'Verifying', false), undefined, 'not a terminal');
  t.equal(commandProgress(fakeIo(tty.stream, true), 'Verifying', true), undefined, '--quiet');
  for (const [env, colored] of [[{}, true], [{ NO_COLOR: '1' }, false], [{ TERM: 'dumb' }, false]] as const) {
    const line = commandProgress(fakeIo(tty.stream, true, env), 'Verifying', false);
    t.ok(line, 'shown on a terminal');
    const before = tty.text().length;
    line!.update(0, GiB);
    await new Promise((resolve) => setTimeout(resolve, 120));
    line!.update(GiB / 2, GiB);
    t.equal(tty.text().slice(before).includes('\x1b'), colored, `colour with ${JSON.stringify(env)}`);
    line!.finish();
  }
});
