/**
 * `sif verify IMG` starts hashing before the CLI has loaded. Loading Node,
 * yargs and the commands takes ~150 ms on one core while the other idles; a
 * look at the raw arguments is enough to open the image and hand its objects
 * to a digest worker meanwhile. The verify command then claims the opened
 * image and its digests and checks everything as usual: the early start only
 * moves hashing earlier, it decides nothing (docs/performance.md).
 */
import type { SifImage } from '../image/image.js';
import type { ObjectDigests } from '../integrity/digest.js';

/** Flags of `sif verify` that take a value and leave what is hashed as in the default mode. */
const VALUE_FLAGS = new Set(['--keyring', '--keysdir', '--global-keyring', '--key']);
/** Boolean flags of `sif verify` that leave what is hashed as in the default mode. */
const SWITCHES = new Set(['--json', '-j', '--quiet', '-q']);

/**
 * The image of a default-mode `verify` command line, else undefined. Any
 * other flag (a selection, legacy mode, a policy, help) means no early start:
 * the command then runs exactly as without one.
 */
export function defaultVerifyImage(argv: readonly string[]): string | undefined {
  if (argv[0] !== 'verify') return undefined;
  const positionals: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    const flag = arg.split('=', 1)[0]!;
    if (VALUE_FLAGS.has(flag)) {
      if (flag === arg) i++;
    } else if (!SWITCHES.has(arg)) {
      if (arg.startsWith('-')) return undefined;
      positionals.push(arg);
    }
  }
  return positionals.length === 1 ? positionals[0] : undefined;
}

/** What the early start prepared for the verify command. */
export interface EarlyVerify {
  readonly image: SifImage;
  readonly digests: ObjectDigests;
  /**
   * Routes progress to the command's line from now on and lets the main
   * thread hash too: call it once the main thread's own work (loading the
   * keys) is done, so it takes jobs only when it is free.
   */
  joinHashing(onProgress: ((done: number, total: number) => void) | undefined): void;
}

let pending: { path: string; started: Promise<EarlyVerify | undefined> } | undefined;

/**
 * Opens the image named by a default-mode `verify` command line and starts
 * hashing what its signatures cover, on workers only; resolves once the work
 * is handed out, so the main thread can go on loading the CLI (loading both
 * at once would leave the workers waiting for the CLI's modules). Does nothing
 * for any other command line. Never fails: a problem is left for the command
 * to meet and report.
 */
export async function startEarlyVerify(argv: readonly string[]): Promise<void> {
  const path = defaultVerifyImage(argv);
  if (path === undefined) return;
  const started = open(path).catch(() => undefined);
  pending = { path, started };
  await started;
}

async function open(path: string): Promise<EarlyVerify | undefined> {
  const [{ stat }, { availableParallelism }, { digestPool }, { ObjectDigests, DEFAULT_WORKER_START_BYTES }] = await Promise.all([
    import('node:fs/promises'),
    import('node:os'),
    import('../integrity/digest-pool.js'),
    import('../integrity/digest.js'),
  ]);
  const file = await stat(path);
  if (!file.isFile()) return undefined; // a FIFO or device is read once, by the command
  // Worker start-up overlaps the loading below; small images would not use them.
  if (file.size >= DEFAULT_WORKER_START_BYTES) digestPool().prestart(availableParallelism());
  const [{ FileSource }, { SifImage }, { prefetchVerification }] = await Promise.all([
    import('../source/file.js'),
    import('../image/image.js'),
    import('../integrity/verify.js'),
  ]);
  const image = await SifImage.open(await FileSource.open(path));
  let letMainHash = (): void => undefined;
  let progress: ((done: number, total: number) => void) | undefined;
  // Workers on every core hash while the main thread loads the CLI, openpgp and the keys; then it hashes too.
  const digests = new ObjectDigests(image, {
    threads: availableParallelism() + 1,
    mainThreadAfter: new Promise<void>((resolve) => (letMainHash = resolve)),
    onProgress: (done, total) => progress?.(done, total),
  });
  await prefetchVerification(image, digests, { groups: [], objects: [] });
  const joinHashing = (onProgress: typeof progress) => {
    progress = onProgress;
    letMainHash();
  };
  return { image, digests, joinHashing };
}

/**
 * The early start for this image path, if there was one: the caller owns the
 * image and the digests from now on (close both).
 */
export async function claimEarlyVerify(path: string): Promise<EarlyVerify | undefined> {
  if (pending?.path !== path) return undefined;
  const { started } = pending;
  pending = undefined;
  return started;
}

/** Stops an early start no command claimed (a usage error, say), so the process can exit at once. */
export async function abandonEarlyVerify(): Promise<void> {
  const started = pending?.started;
  pending = undefined;
  const early = await started;
  if (!early) return;
  early.digests.close();
  await early.image.close();
}
