/**
 * SIGINT, SIGTERM and SIGHUP while sif changes a file. Writers register a
 * synchronous cleanup for what they hold (cut appended data off, remove their
 * lock, remove a temporary file) and run each file operation, or a step that
 * must not stop half-way, as `uninterruptible`. A signal that arrives between
 * two such steps runs the cleanups (newest first) at once; one that arrives
 * during a step waits for it to end. Then the CLI's `stop` ends the process.
 *
 * The handlers are installed only while a cleanup is registered and only once
 * the CLI asked for them (`stopOnInterrupt`): a library user's process keeps
 * its own signal handling, and `sif list` still dies of Ctrl-C as usual.
 */
export type Cleanup = () => void;
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

let stop: ((signal: NodeJS.Signals) => void) | undefined;
const cleanups: Cleanup[] = [];
let busy = 0;
let pending: NodeJS.Signals | undefined;

/** Makes the CLI's writers stop cleanly on a signal; `exit` ends the process afterwards. */
export function stopOnInterrupt(exit: (signal: NodeJS.Signals) => void): void {
  stop = exit;
  listen();
}

function onSignal(signal: NodeJS.Signals): void {
  if (busy > 0) pending ??= signal;
  else interrupt(signal);
}

function listen(): void {
  const wanted = stop !== undefined && cleanups.length > 0;
  if (wanted === process.listeners('SIGINT').includes(onSignal)) return;
  for (const s of SIGNALS) (wanted ? process.on : process.off).call(process, s, onSignal);
}

function interrupt(signal: NodeJS.Signals): void {
  while (cleanups.length > 0) {
    try {
      cleanups.pop()!();
    } catch {
      // each cleanup keeps what it cannot undo for the next writer (a journal, a lock); the others still run
    }
  }
  pending = undefined;
  listen();
  stop!(signal);
}

/** Registers `cleanup` to run on a signal; returns the function that unregisters it. */
export function onInterrupt(cleanup: Cleanup): () => void {
  cleanups.push(cleanup);
  listen();
  return () => {
    const i = cleanups.lastIndexOf(cleanup);
    if (i >= 0) cleanups.splice(i, 1);
    listen();
  };
}

/** Runs `step` to its end even when a signal arrives meanwhile; the signal is handled right after. */
export async function uninterruptible<T>(step: () => Promise<T>): Promise<T> {
  busy++;
  try {
    await testHook();
    return await step();
  } finally {
    busy--;
    if (busy === 0 && pending !== undefined) interrupt(pending);
  }
}

/**
 * Test hook: SIF_TEST_SIGNAL_AT=SIGNAL:N sends this process SIGNAL as its
 * N-th uninterruptible step (counted from 0) starts, and lets the step run
 * only once the signal was seen, so tests hit a chosen moment without timing.
 */
const [hookSignal, hookStep] = (process.env.SIF_TEST_SIGNAL_AT ?? '').split(':');
let steps = 0;

async function testHook(): Promise<void> {
  if (hookSignal === undefined || !hookStep || steps++ !== Number(hookStep)) return;
  process.kill(process.pid, hookSignal);
  while (pending === undefined && process.listeners(hookSignal as NodeJS.Signals).includes(onSignal)) {
    await new Promise((r) => setImmediate(r));
  }
}
