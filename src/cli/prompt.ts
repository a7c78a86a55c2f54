/**
 * Interactive input for commands that need a passphrase or a key detail.
 * Prompts go to stderr so stdout stays clean for data and --json.
 * Passphrases are never taken from argv by default and are never echoed.
 */
import type { Readable } from 'node:stream';
import { readWholeFile } from '../bounded-read.js';
import { fromSystemError, UsageError } from '../errors.js';
import type { Io } from './io.js';

/** The longest line read from stdin (passphrases, answers). */
const MAX_LINE = 64 << 10;

/** Reads stdin one line at a time, keeping what arrives after the line for the next call. */
class LineReader {
  private buffered = '';
  /** Already true when the command read stdin to its end first (`sif key import -`): 'end' will not come again. */
  private ended: boolean;

  constructor(private readonly stream: Readable) {
    this.ended = stream.readableEnded;
    stream.on('end', () => (this.ended = true));
  }

  /** The next line without its terminator; undefined at the end of input. */
  async next(): Promise<string | undefined> {
    for (;;) {
      const newline = this.buffered.search(/\r?\n|\r/);
      if (newline >= 0) {
        const line = this.buffered.slice(0, newline);
        this.buffered = this.buffered.slice(newline).replace(/^(\r\n|\r|\n)/, '');
        return line;
      }
      if (this.ended) {
        const rest = this.buffered;
        this.buffered = '';
        return rest === '' ? undefined : rest;
      }
      const chunk = await this.read();
      if (chunk === undefined) continue;
      if (chunk.includes('\u0003')) throw new UsageError('interrupted');
      this.buffered += chunk;
      // A passphrase or an answer is short; stdin from /dev/zero or a binary file has no end of line.
      if (this.buffered.length > MAX_LINE && !/[\r\n]/.test(this.buffered)) throw new UsageError(`stdin: no end of line in the first ${MAX_LINE >> 10} KiB`);
    }
  }

  private read(): Promise<string | undefined> {
    return new Promise((resolve) => {
      const onData = (c: Buffer | string) => done(c.toString());
      const onEnd = () => done(undefined);
      const done = (v: string | undefined) => {
        this.stream.off('data', onData);
        this.stream.off('end', onEnd);
        this.stream.pause();
        if (v === undefined) this.ended = true;
        resolve(v);
      };
      this.stream.on('data', onData);
      this.stream.once('end', onEnd);
      this.stream.resume();
    });
  }
}

/**
 * In raw mode the terminal does no line editing: DEL/BS arrive as bytes,
 * often in chunks of their own, so they are applied to the whole line.
 */
const eraseBackspaces = (s: string) => {
  let out = '';
  for (const ch of s) out = ch === '\u007f' || ch === '\b' ? out.slice(0, -1) : out + ch;
  return out;
};

const readers = new WeakMap<Readable, LineReader>();
const readerFor = (stream: Readable) => {
  let r = readers.get(stream);
  if (!r) readers.set(stream, (r = new LineReader(stream)));
  return r;
};

/** Asks on a terminal; fails clearly when there is none to ask. */
export async function askLine(io: Io, question: string, what: string): Promise<string> {
  if (!io.stdinIsTTY) throw new UsageError(`${what} is required (no terminal to ask on; pass it as a flag)`);
  io.stderr.write(question);
  return (await readerFor(io.stdin).next()) ?? '';
}

/**
 * Reads a secret: without echo on a terminal, else the first line of stdin
 * (so `echo pass | sif sign …` works, as with Apptainer).
 */
export async function askSecret(io: Io, question: string): Promise<string> {
  if (!io.stdinIsTTY) {
    const line = await readerFor(io.stdin).next();
    if (line === undefined) throw new UsageError('a passphrase is needed: stdin ended before one was given');
    return line;
  }
  io.stderr.write(question);
  io.stdin.setRawMode?.(true);
  try {
    return eraseBackspaces((await readerFor(io.stdin).next()) ?? '');
  } finally {
    io.stdin.setRawMode?.(false);
    // The Enter key is not echoed without echo; end the prompt's line, whether the answer was typed or already read ahead.
    io.stderr.write('\n');
  }
}

export interface PassphraseSource {
  /** `--passphrase-file`: its first line is the passphrase. */
  file?: string;
  /** Prompt shown on a terminal. */
  question: string;
  /** Another variable consulted after $SIF_PASSPHRASE (COSIGN_PASSWORD for PEM keys, as Apptainer reads it); default none. */
  env?: string;
}

/** Passphrase from, in order: the file, $SIF_PASSPHRASE, `source.env`, a terminal prompt, one line of stdin. */
export async function readPassphrase(io: Io, source: PassphraseSource): Promise<string> {
  if (source.file !== undefined) {
    let text: string;
    try {
      text = (await readWholeFile(source.file, 'a passphrase file')).toString('utf8');
    } catch (e) {
      throw fromSystemError(e, source.file);
    }
    return text.split(/\r?\n/, 1)[0] ?? '';
  }
  if (io.env.SIF_PASSPHRASE !== undefined) return io.env.SIF_PASSPHRASE;
  const other = source.env === undefined ? undefined : io.env[source.env];
  if (other !== undefined) return other;
  return askSecret(io, source.question);
}
