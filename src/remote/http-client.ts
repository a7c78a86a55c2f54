/**
 * HTTP for remote images (Node's fetch): bounded redirects, retries with
 * backoff on 5xx and dropped connections, a 401 answered once by an
 * Authorizer, and bodies read with a deadline so a stalled or endless server
 * ends in a RemoteError, never a hang. Messages name URLs without their query
 * (a redirect to object storage carries signed tokens there).
 */
import { IoError, RemoteError } from '../errors.js';

/** Answers a registry's 401 challenge; the one place credentials are used. */
export interface Authorizer {
  /** The Authorization header for `url`, if one is known (only ever for the registry's own origin). */
  headerFor(url: URL): string | undefined;
  /** Learns from a 401 reply how to authenticate; false when there is nothing new to try. */
  challenge(wwwAuthenticate: string | null, client: HttpClient): Promise<boolean>;
}

export interface HttpOptions {
  /** Longest wait for a reply's headers, and for each part of a body. Default 30 s. */
  readonly timeoutMs?: number;
  /** Redirects followed per request. Default 5. */
  readonly maxRedirects?: number;
  /** Retries of a GET/HEAD after a 5xx reply or a dropped connection. Default 3. */
  readonly retries?: number;
  /** First backoff between retries, doubled each time. Default 250 ms. */
  readonly backoffMs?: number;
  /** Range requests in flight at once. Default 4. */
  readonly concurrency?: number;
  /** Slowest body accepted, in bytes per second, beyond the timeout. Default 64 KiB/s. */
  readonly minRate?: number;
  readonly authorizer?: Authorizer;
}

export interface RequestInit {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array | ReadableStream<Uint8Array>;
  /** Bytes of a streamed body: the reply may take that long longer (an upload is answered once received). */
  readonly bodySize?: number;
  /** Statuses the caller handles itself (others than 2xx); default none. */
  readonly accept?: readonly number[];
}

/** A URL fit for messages: no credentials, no query. */
export const shownUrl = (url: URL | string): string => {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
};

const RETRIED_STATUS = (status: number) => status >= 500 && status !== 501;

export class HttpClient {
  readonly timeoutMs: number;
  private readonly maxRedirects: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly minRate: number;
  private readonly limit: Semaphore;
  /** Bytes received in bodies, for benchmarks and tests. */
  bytesReceived = 0;
  requests = 0;

  constructor(readonly options: HttpOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxRedirects = options.maxRedirects ?? 5;
    this.retries = options.retries ?? 3;
    this.backoffMs = options.backoffMs ?? 250;
    this.minRate = options.minRate ?? 64 << 10;
    this.limit = new Semaphore(options.concurrency ?? 4);
  }

  /** One request slot of the bounded pool; release it when the body has been read. */
  slot(): Promise<() => void> {
    return this.limit.acquire();
  }

  /**
   * Sends a request and returns a 2xx reply (or one of `init.accept`),
   * following redirects and retrying what may be retried; throws a
   * RemoteError for anything else.
   */
  async request(url: URL, init: RequestInit = {}): Promise<Reply> {
    const method = init.method ?? 'GET';
    const idempotent = method === 'GET' || method === 'HEAD';
    let authorized = false;
    for (let attempt = 0; ; attempt++) {
      let reply: Reply;
      try {
        reply = await this.follow(url, method, init);
      } catch (e) {
        if (idempotent && attempt < this.retries && transient(e)) {
          await sleep(this.backoffMs << attempt);
          continue;
        }
        throw e instanceof RemoteError ? e : networkError(method, url, e);
      }
      const { status } = reply.response;
      if (init.accept?.includes(status)) return reply;
      if (status === 401 && !authorized && this.options.authorizer) {
        authorized = true;
        const challenge = reply.response.headers.get('www-authenticate');
        await reply.discard();
        if (await this.options.authorizer.challenge(challenge, this)) {
          attempt--;
          continue;
        }
        throw denied(method, url, status);
      }
      if (status >= 200 && status < 300) return reply;
      await reply.discard();
      if (idempotent && RETRIED_STATUS(status) && attempt < this.retries) {
        await sleep(this.backoffMs << attempt);
        continue;
      }
      if (status === 401 || status === 403) throw denied(method, url, status);
      if (status === 404) throw new IoError('SIF_NOT_FOUND', `${method} ${shownUrl(url)}: 404 not found`);
      throw new RemoteError('SIF_REMOTE', `${method} ${shownUrl(url)}: server answered ${status} ${reply.response.statusText}`.trimEnd());
    }
  }

  /** One request with its redirects; the Authorization header only ever goes to the origin it is for. */
  private async follow(start: URL, method: string, init: RequestInit): Promise<Reply> {
    let url = start;
    for (let hops = 0; ; hops++) {
      const controller = new AbortController();
      const headers: Record<string, string> = { 'accept-encoding': 'identity', ...init.headers };
      const auth = this.options.authorizer?.headerFor(url);
      if (auth !== undefined) headers.authorization = auth;
      const waitMs = this.deadlineMs(init.bodySize ?? (init.body instanceof Uint8Array ? init.body.length : 0));
      const timer = setTimeout(() => controller.abort(), waitMs);
      this.requests++;
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers,
          body: init.body,
          redirect: 'manual',
          signal: controller.signal,
          ...(init.body instanceof ReadableStream ? { duplex: 'half' } : {}),
        } as globalThis.RequestInit);
      } catch (e) {
        if (controller.signal.aborted) {
          throw new RemoteError('SIF_REMOTE', `${method} ${shownUrl(url)}: no reply within ${Math.round(waitMs / 100) / 10} s`);
        }
        throw e;
      } finally {
        clearTimeout(timer);
      }
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location !== null) {
        await response.body?.cancel();
        if (hops >= this.maxRedirects) {
          throw new RemoteError('SIF_REMOTE', `${method} ${shownUrl(start)}: more than ${this.maxRedirects} redirects`);
        }
        url = new URL(location, url);
        continue;
      }
      return new Reply(response, url, controller, this);
    }
  }

  /** The deadline of a body part of `bytes` bytes: the timeout plus the time at the slowest rate accepted. */
  deadlineMs(bytes: number): number {
    return this.timeoutMs + (bytes / this.minRate) * 1000;
  }
}

/** A reply whose body is read in parts, each within its deadline. */
export class Reply {
  private reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  private leftover: Uint8Array | undefined;
  private ended = false;

  constructor(
    readonly response: Response,
    /** The URL that answered, after redirects. */
    readonly url: URL,
    private readonly controller: AbortController,
    private readonly client: HttpClient,
  ) {}

  /** Exactly `length` bytes of the body into `buffer` at `offset`; a body that ends sooner is an error. */
  async readInto(buffer: Uint8Array, offset: number, length: number): Promise<void> {
    await this.withDeadline(length, async () => {
      let done = 0;
      while (done < length) {
        const chunk = await this.next();
        if (chunk === undefined) throw this.error(`the body ended after ${done} of ${length} bytes`);
        const take = Math.min(chunk.length, length - done);
        buffer.set(chunk.subarray(0, take), offset + done);
        if (take < chunk.length) this.leftover = chunk.subarray(take);
        done += take;
      }
    });
  }

  /** Reads and drops `length` bytes of the body. */
  async skip(length: number): Promise<void> {
    await this.withDeadline(length, async () => {
      for (let done = 0; done < length; ) {
        const chunk = await this.next();
        if (chunk === undefined) throw this.error(`the body ended after ${done} of ${length} bytes`);
        const take = Math.min(chunk.length, length - done);
        if (take < chunk.length) this.leftover = chunk.subarray(take);
        done += take;
      }
    });
  }

  /** Checks that nothing follows the bytes read: a body longer than announced is a lie. */
  async expectEnd(): Promise<void> {
    await this.withDeadline(0, async () => {
      const extra = await this.next();
      if (extra !== undefined) throw this.error('the body is longer than announced');
    });
  }

  /** The whole body, refused once it passes `limit` bytes (a huge manifest or token reply). */
  async bytes(limit: number): Promise<Buffer> {
    const declared = Number(this.response.headers.get('content-length') ?? NaN);
    if (declared > limit) {
      await this.discard();
      throw this.error(`the reply is ${declared} bytes, over the ${limit}-byte limit`);
    }
    return this.withDeadline(limit, async () => {
      const parts: Uint8Array[] = [];
      let size = 0;
      for (let chunk = await this.next(); chunk !== undefined; chunk = await this.next()) {
        size += chunk.length;
        if (size > limit) throw this.error(`the reply is over the ${limit}-byte limit`);
        parts.push(chunk);
      }
      return Buffer.concat(parts, size);
    });
  }

  /** The body's chunks as they arrive, each within the deadline of a chunk. */
  async *chunks(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const chunk = await this.withDeadline(1 << 20, () => this.next());
      if (chunk === undefined) return;
      yield chunk;
    }
  }

  /** Drops the rest of the body and the connection with it. */
  async discard(): Promise<void> {
    this.ended = true;
    this.controller.abort();
    await (this.reader ?? this.response.body)?.cancel().catch(() => undefined);
  }

  private async next(): Promise<Uint8Array | undefined> {
    if (this.leftover) {
      const chunk = this.leftover;
      this.leftover = undefined;
      return chunk;
    }
    if (this.ended || !this.response.body) return undefined;
    this.reader ??= this.response.body.getReader();
    const { done, value } = await this.reader.read();
    if (done) {
      this.ended = true;
      return undefined;
    }
    this.client.bytesReceived += value.length;
    return value;
  }

  private async withDeadline<T>(bytes: number, fn: () => Promise<T>): Promise<T> {
    const ms = this.client.deadlineMs(bytes);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        void this.discard();
        reject(this.error(`the body stalled (more than ${Math.round(ms / 1000)} s)`));
      }, ms);
    });
    try {
      return await Promise.race([fn(), expired]);
    } catch (e) {
      if (e instanceof RemoteError) throw e;
      throw networkError('GET', this.url, e);
    } finally {
      clearTimeout(timer);
    }
  }

  error(what: string): RemoteError {
    return new RemoteError('SIF_REMOTE', `GET ${shownUrl(this.url)}: ${what}`);
  }
}

const denied = (method: string, url: URL, status: number) =>
  new RemoteError('SIF_REMOTE_DENIED', `${method} ${shownUrl(url)}: ${status === 403 ? 'access denied (403)' : 'authentication required (401)'}`);

/** Connection failures worth a retry: the connection dropped, not refused or a TLS mismatch. */
const TRANSIENT = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ETIMEDOUT']);
const transient = (e: unknown) => !(e instanceof RemoteError) && TRANSIENT.has(causeCode(e) ?? '');
const causeCode = (e: unknown) => (e as { cause?: { code?: string } })?.cause?.code;

/** A failed connection, in one line: the system's code where there is one. */
function networkError(method: string, url: URL, e: unknown): RemoteError {
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  const what = cause?.code ?? cause?.message ?? (e as Error)?.message ?? String(e);
  const hint = what.startsWith('ERR_SSL') ? ' (a plain-HTTP registry needs --no-https)' : '';
  return new RemoteError('SIF_REMOTE', `${method} ${shownUrl(url)}: ${what}${hint}`, { cause: e });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** At most `size` holders at once, served in order. */
class Semaphore {
  private waiting: (() => void)[] = [];
  private held = 0;

  constructor(private readonly size: number) {}

  async acquire(): Promise<() => void> {
    if (this.held >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.held++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.held--;
    };
  }
}
