/**
 * The static server of `sif web`: dist/web/ (the page the build makes) on
 * 127.0.0.1 only, GET and HEAD, nothing outside that directory. The page
 * needs no server code; any static host serves it the same (docs/web.md).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IoError, fromSystemError } from '../errors.js';

/** dist/web/, beside dist/cli/ (this module unbundled) and dist/bundle/ (bundled). */
export const WEB_ROOT = fileURLToPath(new URL('../web/', import.meta.url));

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

/** The file a request path names under `root`, or undefined when it names none (or escapes `root`). */
async function fileFor(root: string, urlPath: string): Promise<string | undefined> {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split('?')[0]!);
  } catch {
    return undefined;
  }
  const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
  if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
  const st = await stat(file).catch(() => undefined);
  return st?.isFile() ? file : undefined;
}

/** Starts serving `root` on 127.0.0.1:`port` (0: a free port); resolves with the server and its URL. */
export async function serveWeb(root: string, port: number): Promise<{ server: Server; url: string }> {
  const index = await stat(join(root, 'index.html')).catch(() => undefined);
  if (!index) throw new IoError('SIF_NOT_FOUND', `${join(root, 'index.html')}: the web page is not built (run npm run build)`);
  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      const file = await fileFor(root, req.url ?? '/');
      if (!file) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
        return;
      }
      const { size } = await stat(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-length': size,
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      });
      if (req.method === 'HEAD') res.end();
      else createReadStream(file).pipe(res);
    })();
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', (e) => reject(fromSystemError(e, `127.0.0.1:${port}`)));
    server.listen(port, '127.0.0.1', resolvePromise);
  });
  const { port: bound } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${bound}/` };
}
