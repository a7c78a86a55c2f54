/**
 * The one exchange that skips TLS verification: a keyserver Apptainer's
 * remote.yaml marks `Insecure: true` (as Apptainer's InsecureSkipVerify).
 * Node's global fetch has no per-request switch for that, so this is a small
 * fetch over node:https with `rejectUnauthorized: false`; every other
 * keyserver goes through fetch with Node's verification.
 */
import { Readable } from 'node:stream';

export function insecureFetch(url: string, init: RequestInit & { signal: AbortSignal }): Promise<Response> {
  // node:https (and the TLS code under it) when used: a static import would load it into every `sif verify` (docs/performance.md).
  const { request } = process.getBuiltinModule('node:https');
  return new Promise((resolve, reject) => {
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const req = request(url, { method: init.method, headers, rejectUnauthorized: false, signal: init.signal }, (res) => {
      const responseHeaders = new Headers();
      for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') responseHeaders.set(name, value);
      resolve(new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, { status: res.statusCode ?? 0, headers: responseHeaders }));
    });
    req.on('error', reject);
    req.end(typeof init.body === 'string' ? init.body : undefined);
  });
}
