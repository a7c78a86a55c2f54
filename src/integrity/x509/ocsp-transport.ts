/**
 * The default OCSP transport: an HTTP POST with `fetch` (Node and browsers),
 * as Apptainer sends it (application/ocsp-request, no nonce), bounded in time
 * and in response size, which upstream leaves unbounded.
 */
import type { OcspTransport } from './ocsp-check.js';

/** Ten seconds: a responder that has not answered by then is unreachable. */
export const DEFAULT_OCSP_TIMEOUT_MS = 10_000;
/** OCSP responses are a few kilobytes; more is a hostile or broken responder. */
const MAX_RESPONSE_BYTES = 1 << 20;

export function httpOcspTransport(timeoutMs = DEFAULT_OCSP_TIMEOUT_MS): OcspTransport {
  return async (url, request) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/ocsp-request', Accept: 'application/ocsp-response' },
        body: new Uint8Array(request),
        signal: controller.signal,
      });
      return await readBounded(response, controller);
    } catch (e) {
      throw controller.signal.aborted ? (controller.signal.reason as Error) : new Error(causeOf(e));
    } finally {
      clearTimeout(timer);
    }
  };
}

async function readBounded(response: Response, controller: AbortController): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  for (;;) {
    const next = await reader?.read();
    if (!next || next.done) break;
    size += next.value.length;
    if (size > MAX_RESPONSE_BYTES) {
      controller.abort(new Error(`response larger than ${MAX_RESPONSE_BYTES} bytes`));
      throw controller.signal.reason;
    }
    chunks.push(next.value);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.length;
  }
  return body;
}

/** fetch's "fetch failed" hides the reason (connection refused, …) in `cause`. */
function causeOf(e: unknown): string {
  const cause = (e as { cause?: { message?: string } }).cause;
  return cause?.message ?? (e as Error).message ?? String(e);
}
