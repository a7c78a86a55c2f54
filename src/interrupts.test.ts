/** Signals while writing: cleanups run at once between steps, after the step during one; handlers only while needed. */
import t from 'tap';
import { onInterrupt, stopOnInterrupt, uninterruptible } from './interrupts.js';

const listening = () => process.listenerCount('SIGINT') + process.listenerCount('SIGTERM') + process.listenerCount('SIGHUP');

t.test('handlers are installed only while the CLI asked for them and a cleanup is registered', async (t) => {
  const before = listening();
  const forget = onInterrupt(() => undefined);
  t.equal(listening(), before, 'not without stopOnInterrupt: a library user keeps its own handling');
  forget();
  const stops: string[] = [];
  stopOnInterrupt((s) => stops.push(s));
  t.equal(listening(), before, 'nothing to clean up: no handler');
  const again = onInterrupt(() => undefined);
  t.equal(listening(), before + 3, 'SIGINT, SIGTERM, SIGHUP');
  again();
  t.equal(listening(), before, 'removed with the last cleanup');
  t.same(stops, []);
});

t.test('between steps a signal runs the cleanups, newest first, then stops; a failing cleanup does not stop the others', async (t) => {
  const ran: string[] = [];
  const stops: string[] = [];
  const before = listening();
  stopOnInterrupt((s) => stops.push(s));
  onInterrupt(() => ran.push('lock'));
  onInterrupt(() => {
    throw new Error('cannot undo');
  });
  onInterrupt(() => ran.push('change'));
  process.emit('SIGHUP', 'SIGHUP');
  t.same(ran, ['change', 'lock']);
  t.same(stops, ['SIGHUP']);
  t.equal(listening(), before, 'every cleanup ran once and is gone');
});

t.test('during a step the signal waits for its end', async (t) => {
  const ran: string[] = [];
  stopOnInterrupt((s) => ran.push(`stop ${s}`));
  const forget = onInterrupt(() => ran.push('cleanup'));
  const result = await uninterruptible(async () => {
    process.emit('SIGTERM', 'SIGTERM');
    process.emit('SIGINT', 'SIGINT');
    await uninterruptible(async () => ran.push('nested step'));
    ran.push('step ends');
    return 'written';
  });
  t.equal(result, 'written');
  t.same(ran, ['nested step', 'step ends', 'cleanup', 'stop SIGTERM'], 'the first signal counts');
  forget();
});

t.test('SIF_TEST_SIGNAL_AT raises a real signal as the chosen step starts', async (t) => {
  process.env.SIF_TEST_SIGNAL_AT = 'SIGINT:1';
  const fresh = await t.mockImport<typeof import('./interrupts.js')>('./interrupts.js');
  delete process.env.SIF_TEST_SIGNAL_AT;
  const ran: string[] = [];
  fresh.stopOnInterrupt((s) => ran.push(`stop ${s}`));
  const forget = fresh.onInterrupt(() => ran.push('cleanup'));
  await fresh.uninterruptible(async () => ran.push('step 0'));
  await fresh.uninterruptible(async () => ran.push('step 1'));
  t.same(ran, ['step 0', 'step 1', 'cleanup', 'stop SIGINT']);
  forget();
});
