/**
 * The HTTP source (Node only): an image on a web server or a registry blob,
 * read with Range requests, never copied to disk. The first reply fixes the
 * size and fills a small cache with the front of the image (header and
 * descriptor table), so `sif list` costs one request. A small read after that
 * (a signature) is one Range request whose Content-Range must be exactly the
 * range asked for, of the same total and the same ETag; a large one (an
 * object being hashed) opens a ranged stream from its position to the end,
 * which the next reads continue while they follow on (one request per object,
 * not per chunk), and which is dropped when a read goes elsewhere. A server
 * that ignores Range is read the same way over whole-body replies (a read
 * behind the stream starts a new one from byte 0), with the same answers.
 * Workers cannot re-open these bytes (no identity): the main thread hashes
 * them while the stream brings the next chunk.
 */
import { RemoteError } from '../errors.js';
import { shownUrl, type HttpClient, type Reply } from '../remote/http-client.js';
import type { ByteSource } from './byte-source.js';

/** Bytes of the first request: the header and a descriptor table of up to ~55 slots. */
export const FRONT_BYTES = 32 << 10;
/** Reads at least this large open a stream rather than a single range: they are object chunks. */
const STREAM_MIN = 256 << 10;
/** A stream is skipped forward over at most this many bytes; a longer gap opens a new one there. */
const MAX_SKIP = 1 << 20;

export interface HttpSourceOptions {
  /** Names the bytes in messages (an oras:// reference); default the URL without its query. */
  readonly name?: string;
  /** The size the bytes must have (a registry manifest's layer size): a server that disagrees is refused. */
  readonly size?: number;
}

export class HttpSource implements ByteSource {
  readonly identity = undefined;
  /** The open stream (a ranged one, or a whole body when the server ignores Range), and where it is. */
  private stream: { reply: Reply; position: number } | undefined;
  private streamLock: Promise<void> = Promise.resolve();

  private constructor(
    readonly url: URL,
    readonly client: HttpClient,
    readonly name: string,
    readonly size: number,
    private readonly etag: string | null,
    private readonly front: Uint8Array,
    /** False when the server answers a Range request with the whole body. */
    readonly ranged: boolean,
  ) {}

  /** Opens the bytes at `url`: one request, for the front of the image. */
  static async open(url: URL, client: HttpClient, options: HttpSourceOptions = {}): Promise<HttpSource> {
    const name = options.name ?? shownUrl(url);
    const release = await client.slot();
    try {
      const reply = await client.request(url, { headers: { range: `bytes=0-${FRONT_BYTES - 1}` }, accept: [416] });
      const { status, headers } = reply.response;
      if (status === 416) {
        // Only an empty body has no byte 0.
        await reply.discard();
        const size = totalOf(headers.get('content-range'));
        if (size !== 0) throw reply.error(`range 0-${FRONT_BYTES - 1} refused (416) for a body of ${size ?? 'unknown'} bytes`);
        checkSize(reply, 0, options.size);
        return new HttpSource(url, client, name, 0, headers.get('etag'), new Uint8Array(0), true);
      }
      if (status === 206) {
        const range = parseContentRange(reply, headers.get('content-range'));
        checkSize(reply, range.total, options.size);
        const want = Math.min(FRONT_BYTES, range.total);
        if (range.start !== 0 || range.end !== want - 1) throw mismatch(reply, 0, want - 1, range);
        const front = new Uint8Array(want);
        await reply.readInto(front, 0, want);
        await reply.expectEnd();
        return new HttpSource(url, client, name, range.total, headers.get('etag'), front, true);
      }
      if (status !== 200) {
        await reply.discard();
        throw reply.error(`unexpected status ${status}`);
      }
      // The server ignores Range: this reply is the first forward pass.
      const size = lengthOf(reply);
      checkSize(reply, size, options.size);
      const front = new Uint8Array(Math.min(FRONT_BYTES, size));
      await reply.readInto(front, 0, front.length);
      const source = new HttpSource(url, client, name, size, headers.get('etag'), front, false);
      source.stream = { reply, position: front.length };
      return source;
    } finally {
      release();
    }
  }

  async read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    const count = Math.max(0, Math.min(length, this.size - position));
    if (count === 0) return 0;
    if (position + count <= this.front.length) {
      buffer.set(this.front.subarray(position, position + count), offset);
      return count;
    }
    const continues = this.stream?.position === position;
    if (this.ranged && count < STREAM_MIN && !continues) await this.readRange(buffer, offset, count, position);
    else await this.readStream(buffer, offset, count, position);
    return count;
  }

  /** One Range request for exactly [position, position+count). */
  private async readRange(buffer: Uint8Array, offset: number, count: number, position: number): Promise<void> {
    const release = await this.client.slot();
    try {
      const reply = await this.rangeReply(position, position + count - 1);
      await reply.readInto(buffer, offset, count);
      await reply.expectEnd();
    } finally {
      release();
    }
  }

  /** The reply to a Range request for bytes first-last, checked: exactly that range, of this size and ETag. */
  private async rangeReply(first: number, last: number): Promise<Reply> {
    const reply = await this.client.request(this.url, { headers: { range: `bytes=${first}-${last}` } });
    const { status, headers } = reply.response;
    if (status !== 206) {
      await reply.discard();
      throw reply.error(`answered ${status} to a Range request it honoured before`);
    }
    const range = parseContentRange(reply, headers.get('content-range'));
    if (range.start !== first || range.end !== last || range.total !== this.size) throw mismatch(reply, first, last, range, this.size);
    const etag = headers.get('etag');
    if (this.etag !== null && etag !== null && etag !== this.etag) {
      await reply.discard();
      throw reply.error(`the image changed while it was read (ETag ${this.etag}, now ${etag})`);
    }
    return reply;
  }

  /** Reads from the open stream, opening one where it cannot serve the read. One read at a time. */
  private readStream(buffer: Uint8Array, offset: number, count: number, position: number): Promise<void> {
    const run = this.streamLock.then(async () => {
      const at = this.stream?.position ?? Infinity;
      const behind = at > position;
      if (behind || (this.ranged && position - at > MAX_SKIP)) await this.openStream(position);
      const stream = this.stream!;
      await stream.reply.skip(position - stream.position);
      stream.position = position;
      await stream.reply.readInto(buffer, offset, count);
      stream.position += count;
    });
    this.streamLock = run.catch(() => undefined);
    return run;
  }

  /** A stream from `position` to the end: a ranged reply, or the whole body when the server ignores Range. */
  private async openStream(position: number): Promise<void> {
    await this.stream?.reply.discard();
    this.stream = undefined;
    if (!this.ranged) {
      const reply = await this.client.request(this.url);
      const size = lengthOf(reply);
      if (size !== this.size) {
        await reply.discard();
        throw reply.error(`the body is now ${size} bytes, was ${this.size}`);
      }
      this.stream = { reply, position: 0 };
      return;
    }
    const reply = await this.rangeReply(position, this.size - 1);
    this.stream = { reply, position };
  }

  async close(): Promise<void> {
    await this.stream?.reply.discard();
    this.stream = undefined;
  }
}

interface ContentRange {
  readonly start: number;
  readonly end: number;
  readonly total: number;
}

/** `bytes START-END/TOTAL`, strictly: anything else is an error (never a guess). */
function parseContentRange(reply: Reply, header: string | null): ContentRange {
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header?.trim() ?? '');
  const [start, end, total] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [NaN, NaN, NaN];
  if (!m || !Number.isSafeInteger(total) || start > end || end >= total) {
    void reply.discard();
    throw reply.error(`bad Content-Range ${JSON.stringify(header)}`);
  }
  return { start, end, total };
}

function totalOf(header: string | null): number | undefined {
  const m = /^bytes \*\/(\d+)$/.exec(header?.trim() ?? '');
  return m ? Number(m[1]) : undefined;
}

function lengthOf(reply: Reply): number {
  const header = reply.response.headers.get('content-length');
  const size = header === null ? NaN : Number(header);
  if (!Number.isSafeInteger(size) || size < 0) {
    void reply.discard();
    throw reply.error('the server supports no Range requests and gives no Content-Length');
  }
  return size;
}

function checkSize(reply: Reply, size: number, expected: number | undefined): void {
  if (expected !== undefined && size !== expected) {
    void reply.discard();
    throw reply.error(`the body is ${size} bytes, the manifest says ${expected}`);
  }
}

function mismatch(reply: Reply, start: number, end: number, got: ContentRange, total?: number): RemoteError {
  void reply.discard();
  const want = `bytes ${start}-${end}${total === undefined ? '' : `/${total}`}`;
  return reply.error(`Content-Range bytes ${got.start}-${got.end}/${got.total} does not match the request (${want})`);
}
