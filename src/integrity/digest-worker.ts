/**
 * A digest pool worker: hashes the byte ranges of one job at a time, with
 * blocking reads (this thread has nothing else to do). It opens the image
 * itself and hashes only if the path still names the file the main thread
 * opened (same device and inode); otherwise it answers `moved` and the main
 * thread hashes the job through its own handle. The main thread cancels a job
 * through the shared flag, which the loop polls before each chunk.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { hashRangesSync } from './digest-read.js';
import type { WorkerData, WorkerJob, WorkerReply } from './digest-protocol.js';

const cancelFlag = (workerData as WorkerData).cancel;
let buffer = Buffer.alloc(0);

function run(job: WorkerJob): WorkerReply {
  let fd: number;
  try {
    fd = openSync(job.path, 'r');
  } catch {
    return { type: 'moved' };
  }
  try {
    const st = fstatSync(fd, { bigint: true });
    if (st.dev !== job.dev || st.ino !== job.ino) return { type: 'moved' };
    const want = Math.min(job.chunkSize, Math.max(1, ...job.ranges.map((r) => r.size)));
    if (buffer.length < want) buffer = Buffer.allocUnsafe(want);
    const hash = createHash(job.alg);
    const onChunk = (bytes: number) => post({ type: 'progress', bytes });
    hashRangesSync(fd, job.ranges, hash, buffer.subarray(0, want), onChunk, () => Atomics.load(cancelFlag, 0) === 1);
    return { type: 'done', digest: hash.digest() };
  } catch (e) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    return { type: 'error', code: typeof code === 'string' ? code : undefined, message: String(message ?? e) };
  } finally {
    closeSync(fd);
  }
}

const post = (reply: WorkerReply) => parentPort!.postMessage(reply);

parentPort!.on('message', (job: WorkerJob) => post(run(job)));
