/**
 * A client of the Go oracle's `serve` mode (scripts/oracle; the tests build
 * it, see test-support/oracle.ts): one long-running process answering jobs
 * in order, so a fuzzer can ask the reference about every input.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

export class OracleServer {
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private readonly waiting: { resolve: (line: string) => void; reject: (e: Error) => void }[] = [];
  private buffered = '';

  constructor(binary: string) {
    this.child = spawn(binary, ['serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.child.stdout.setEncoding('utf8').on('data', (text: string) => {
      this.buffered += text;
      for (let nl = this.buffered.indexOf('\n'); nl >= 0; nl = this.buffered.indexOf('\n')) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        this.waiting.shift()?.resolve(line);
      }
      if (this.waiting.length === 0) this.holdOpen(false);
    });
    this.child.on('exit', (code) => {
      for (const w of this.waiting.splice(0)) w.reject(new Error(`oracle serve exited (${code})`));
    });
    this.holdOpen(false);
  }

  /** Keeps the process (a fuzz worker) alive only while answers are awaited: an idle oracle must not. */
  private holdOpen(waiting: boolean): void {
    const handles = [this.child, ...[this.child.stdin, this.child.stdout].map((s) => s as unknown as { ref(): void; unref(): void })];
    for (const h of handles) {
      if (waiting) h.ref();
      else h.unref();
    }
  }

  /** The answer to one job (an argument list, as for `oracle`). */
  ask<T = Record<string, unknown>>(...job: string[]): Promise<T> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve: (line) => resolve(JSON.parse(line) as T), reject });
      this.holdOpen(true);
      this.child.stdin.write(`${JSON.stringify(job)}\n`);
    });
  }

  close(): void {
    this.child.stdin.end();
  }
}
