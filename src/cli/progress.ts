/**
 * The progress line of long hashing work (sign, verify) on stderr: bytes done,
 * total, rate and ETA. Only on a terminal, only once the work exceeds
 * PROGRESS_MIN_BYTES, and redrawn at most every PROGRESS_INTERVAL_MS, so it
 * costs nothing measurable. Plain spaces erase it: no cursor escapes.
 */
import type { Writable } from 'node:stream';
import { useColor, type Io } from './io.js';

/** Work below this many bytes finishes too fast to need a progress line. */
export const PROGRESS_MIN_BYTES = 256 << 20;
/** Redraw interval. */
export const PROGRESS_INTERVAL_MS = 100;

const BAR_WIDTH = 20;
const CYAN = '\x1b[36m';
const RESET = '\x1b[0m';

export interface ProgressLineOptions {
  /** Verb shown first, e.g. "Verifying". */
  readonly label: string;
  readonly color: boolean;
  /** Terminal width; the line is cut to fit. Default 80. */
  readonly columns?: number;
  /** Millisecond clock; default performance.now. */
  readonly now?: () => number;
  /** Default PROGRESS_MIN_BYTES. */
  readonly minBytes?: number;
}

/** A redrawn one-line progress display. Feed it `update`; call `finish` before printing anything else. */
export class ProgressLine {
  private readonly now: () => number;
  private start: number | undefined;
  private lastDraw = -Infinity;
  private drawn = 0;

  constructor(
    private readonly stream: Writable,
    private readonly options: ProgressLineOptions,
  ) {
    this.now = options.now ?? (() => performance.now());
  }

  /** Matches ObjectDigestsOptions.onProgress. */
  readonly update = (done: number, total: number): void => {
    const t = this.now();
    if (this.start === undefined) {
      // The rate counts from the first hashed chunk, not from key loading or prompts;
      // the first draw waits an interval, so work that ends sooner never flashes a line.
      this.start = this.lastDraw = t;
    }
    if (total < (this.options.minBytes ?? PROGRESS_MIN_BYTES) || t - this.lastDraw < PROGRESS_INTERVAL_MS) return;
    this.lastDraw = t;
    const text = formatProgress(this.options.label, done, total, t - this.start, this.options.columns ?? 80);
    this.draw(this.options.color ? colorBar(text) : text, text.length);
  };

  /** Erases the line, if one was drawn. */
  finish(): void {
    if (this.drawn > 0) this.stream.write(`\r${' '.repeat(this.drawn)}\r`);
    this.drawn = 0;
  }

  private draw(text: string, width: number): void {
    this.stream.write(`\r${text}${' '.repeat(Math.max(0, this.drawn - width))}`);
    this.drawn = width;
  }
}

/**
 * The line's text: "Verifying [#####---------------] 256.0 MiB / 1.0 GiB  1.4 GiB/s  ETA 0:01",
 * without the bar when the terminal is narrow, and never wider than `columns - 1`.
 */
export function formatProgress(label: string, done: number, total: number, elapsedMs: number, columns: number): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const eta = rate > 0 ? formatDuration(Math.max(0, total - done) / rate) : '-:--';
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
  const numbers = `${formatBytes(done)} / ${formatBytes(total)}  ${formatBytes(rate)}/s  ETA ${eta}`;
  const full = `${label} ${bar} ${numbers}`;
  const line = full.length < columns ? full : `${label} ${numbers}`;
  return line.slice(0, Math.max(0, columns - 1));
}

/** Binary units with one decimal: "512.0 MiB", "1.5 GiB". */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${Math.round(n)} B` : `${n.toFixed(1)} ${units[i]}`;
}

/** "m:ss", or "h:mm:ss" from an hour up. */
export function formatDuration(seconds: number): string {
  const s = Math.ceil(seconds);
  const two = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

/** Colours the filled part of the bar. */
function colorBar(text: string): string {
  return text.replace(/\[(#+)/, (_, fill: string) => `[${CYAN}${fill}${RESET}`);
}

/**
 * The progress line for a command, or undefined when none should be shown:
 * stderr is not a terminal, or the user asked for --quiet. Colour follows
 * NO_COLOR and TERM=dumb (useColor).
 */
export function commandProgress(io: Io, label: string, quiet: boolean): ProgressLine | undefined {
  if (quiet || !io.stderrIsTTY) return undefined;
  const columns = (io.stderr as { columns?: number }).columns;
  return new ProgressLine(io.stderr, { label, color: useColor(io, 'stderr'), ...(columns ? { columns } : {}) });
}
