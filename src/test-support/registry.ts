/**
 * Real servers for remote-image tests, on 127.0.0.1 only, stopped after:
 * Debian's docker-registry (CNCF distribution) on an ephemeral port with a
 * throwaway storage directory, with or without htpasswd (Basic) auth, behind
 * an optional in-test token server (TEST TOKEN SERVER: distribution's own
 * token auth needs one); and a Node http server for https-style URLs, with
 * Range support or without it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

export const DOCKER_REGISTRY = '/usr/bin/docker-registry';
export const haveRegistry = (): boolean => existsSync(DOCKER_REGISTRY) && spawnSync('htpasswd', ['-h']).error === undefined;

export interface RunningRegistry {
  /** host:port */
  readonly host: string;
  stop(): Promise<void>;
}

/** A free loopback port (closed again at once; the registry binds it next). */
/** Whether GET /v2/ answers (200 or 401): the registry is up. */
function answers(host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`http://${host}/v2/`, { timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 || res.statusCode === 401);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

export interface RegistryOptions {
  /** htpasswd (Basic) auth for this user. */
  readonly user?: { name: string; password: string };
  /** Token auth against this realm (a TEST TOKEN SERVER), with the key pair that signs its tokens. */
  readonly token?: { realm: string; service: string; issuer: string; certificate: string };
}

/** Starts docker-registry; ready within 20 s or throws. */
export async function startRegistry(options: RegistryOptions = {}): Promise<RunningRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'sif-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  let auth = '';
  if (options.user) {
    const htpasswd = spawnSync('htpasswd', ['-Bbn', options.user.name, options.user.password], { encoding: 'utf8' });
    writeFileSync(join(dir, 'htpasswd'), htpasswd.stdout);
    auth = `auth:\n  htpasswd:\n    realm: sif-test\n    path: ${join(dir, 'htpasswd')}\n`;
  } else if (options.token) {
    writeFileSync(join(dir, 'token.crt'), options.token.certificate);
    auth = `auth:\n  token:\n    realm: ${options.token.realm}\n    service: ${options.token.service}\n    issuer: ${options.token.issuer}\n    rootcertbundle: ${join(dir, 'token.crt')}\n`;
  }
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: ${host}\n${auth}`,
  );
  const child: ChildProcess = spawn(DOCKER_REGISTRY, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 200; i++) {
    if (await answers(host)) return { host, stop };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`docker-registry did not start: ${stderr.slice(-500)}`);
}

export interface FileServer {
  /** The URL of `name` on this server. */
  url(name: string): string;
  /** Requests seen, as "METHOD path range". */
  readonly log: string[];
  stop(): Promise<void>;
}

/** Serves the files of `files` (name → path) with Range support, or ignoring Range. */
export async function startFileServer(files: Record<string, string>, options: { ranges: boolean } = { ranges: true }): Promise<FileServer> {
  const log: string[] = [];
  const server = await listen((req, res) => {
    const path = files[decodeURIComponent((req.url ?? '/').slice(1))];
    log.push(`${req.method} ${req.url} ${req.headers.range ?? ''}`.trim());
    if (path === undefined) return void res.writeHead(404).end();
    const size = statSync(path).size;
    const m = options.ranges ? /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '') : null;
    if (!m) {
      res.writeHead(200, { 'content-length': size, etag: '"v1"' });
      if (req.method === 'HEAD') return void res.end();
      return void createReadStream(path).pipe(res);
    }
    const start = Number(m[1]);
    const end = Math.min(m[2] ? Number(m[2]) : size - 1, size - 1);
    if (start >= size) return void res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
    res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': end - start + 1, etag: '"v1"' });
    createReadStream(path, { start, end }).pipe(res);
  });
  return serverHandle(server, log);
}

/** A HOSTILE STUB: every request is answered by `handler`, whatever it asks. */
export async function startStub(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<FileServer> {
  const log: string[] = [];
  const server = await listen((req, res) => {
    log.push(`${req.method} ${req.url} ${req.headers.range ?? ''}`.trim());
    handler(req, res);
  });
  return serverHandle(server, log);
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function serverHandle(server: Server, log: string[]): FileServer {
  const { port } = server.address() as AddressInfo;
  return {
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    log,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
