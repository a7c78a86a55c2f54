/**
 * A STUB HTTP keyserver on 127.0.0.1, for what a real sks cannot produce:
 * keys.openpgp.org-style replies, 401, JSON errors, replies that never come,
 * never end or hold the wrong key. Behaviours are chosen by the first path
 * segment of the base URL (`http://127.0.0.1:PORT/<mode>/`); every request is
 * recorded.
 */
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';

export interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export type StubHandler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export interface HkpStub {
  /** The base URL for a mode: `http://127.0.0.1:PORT/<mode>/`. */
  url(mode: string): string;
  readonly requests: Recorded[];
}

/** `tls`: serve HTTPS with this key and certificate (PEM). */
export async function startHkpStub(
  t: { teardown(fn: () => unknown): void },
  modes: Readonly<Record<string, StubHandler>>,
  tls?: { key: string; cert: string },
): Promise<HkpStub> {
  const requests: Recorded[] = [];
  const listener: RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const mode = req.url!.split('/')[1]!;
      const handler = modes[mode];
      if (handler) handler(req, res, body);
      else res.writeHead(599).end(`no stub mode ${mode}`);
    });
  };
  const server = tls ? createTlsServer(tls, listener) : createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as { port: number };
  return { url: (mode) => `${tls ? 'https' : 'http'}://127.0.0.1:${port}/${mode}/`, requests };
}

/** A reply that never ends: a chunk whenever the socket can take one, until the client goes away. */
export const endless: StubHandler = (_req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/pgp-keys' });
  const chunk = Buffer.alloc(64 * 1024, 0x41);
  const pump = () => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
};

/** Headers, then nothing: the body never comes. */
export const stalled: StubHandler = (_req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/pgp-keys' });
  res.write('-----BEGIN PGP PUBLIC KEY BLOCK-----\n');
};

/** No answer at all. */
export const silent: StubHandler = () => undefined;
