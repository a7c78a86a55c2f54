/**
 * Hostile servers (HOSTILE STUBS, Node http on 127.0.0.1): sizes that lie, a
 * Content-Range that does not match the request, a truncated body, a redirect
 * loop, a slow or endless body, a huge manifest, artifacts that are not SIF.
 * Each ends in a clear error within the configured timeout, never a pass.
 */
import t, { type Test } from 'tap';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { isSifError } from '../errors.js';
import { SifImage } from '../image/image.js';
import { loadVerificationKeys } from '../integrity/keyset.js';
import { verifyIntegrity } from '../integrity/verify.js';
import { GO_IMAGES, GO_SIF } from '../test-support/reference.js';
import { startStub } from '../test-support/registry.js';
import type { RemoteOptions } from './registry.js';
import { captureCli } from '../test-support/cli.js';

const IMAGE = readFileSync(join(GO_IMAGES, 'one-group-signed.sif'));
const FAST: RemoteOptions = { noHttps: true, http: { timeoutMs: 300, backoffMs: 1, minRate: 1 << 30 } };

/** Answers a Range request honestly from `bytes`. */
function serveRange(req: IncomingMessage, res: ServerResponse, bytes: Buffer = IMAGE): void {
  const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '')!;
  const start = Number(m[1]);
  const end = Math.min(Number(m[2]), bytes.length - 1);
  res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${bytes.length}`, 'content-length': end - start + 1 });
  res.end(bytes.subarray(start, end + 1));
}

/** The error `fn` rejects with: its code and message. */
async function failure(fn: () => Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await fn();
  } catch (e) {
    if (!isSifError(e)) throw e;
    return { code: e.code, message: e.message };
  }
  throw new Error('no error: a hostile server passed');
}

/** Opens the image at `url` and reads every object. */
async function readAll(url: string, options: RemoteOptions = FAST): Promise<void> {
  const image = await SifImage.open(url, { remote: options });
  try {
    for (const d of image.descriptors) await image.readObject(d);
  } finally {
    await image.close();
  }
}

async function stub(t: Test, handler: (req: IncomingMessage, res: ServerResponse, n: number) => void) {
  let n = 0;
  const server = await startStub((req, res) => handler(req, res, n++));
  t.teardown(() => server.stop());
  return server;
}

t.test('a Content-Range that does not match the request', async (t) => {
  const server = await stub(t, (req, res) => {
    res.writeHead(206, { 'content-range': `bytes 0-32767/${IMAGE.length}`, 'content-length': 32768 });
    res.end(IMAGE.subarray(0, 32768));
  });
  const e = await failure(() => readAll(server.url('x.sif')));
  t.equal(e.code, 'SIF_REMOTE');
  t.match(e.message, /Content-Range bytes 0-32767\/42014 does not match the request \(bytes 32768-32771\/42014\)/);
});

t.test('a total size that changes between replies', async (t) => {
  const server = await stub(t, (req, res, n) => (n === 0 ? serveRange(req, res) : serveRange(req, res, Buffer.concat([IMAGE, Buffer.alloc(10)]))));
  t.match(await failure(() => readAll(server.url('x.sif'))), { code: 'SIF_REMOTE', message: /does not match the request/ });
});

t.test('a malformed Content-Range', async (t) => {
  const server = await stub(t, (_req, res) => res.writeHead(206, { 'content-range': 'bytes 0-10/5' }).end());
  t.match(await failure(() => readAll(server.url('x.sif'))), { code: 'SIF_REMOTE', message: /bad Content-Range "bytes 0-10\/5"/ });
});

t.test('a truncated body', async (t) => {
  const server = await stub(t, (req, res, n) => {
    if (n === 0) return serveRange(req, res);
    res.writeHead(206, { 'content-range': `bytes 32768-32771/${IMAGE.length}`, 'content-length': 4 });
    res.write(IMAGE.subarray(32768, 32770));
    res.socket?.destroy();
  });
  t.match(await failure(() => readAll(server.url('x.sif'))), { code: 'SIF_REMOTE' });
});

t.test('a body longer than its Content-Range', async (t) => {
  const server = await stub(t, (req, res) => {
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range!)!;
    res.writeHead(206, { 'content-range': `bytes ${m[1]}-${Number(m[2])}/${IMAGE.length}` });
    // chunked, and endless
    const more = () => res.write(Buffer.alloc(65536), () => setImmediate(more));
    more();
  });
  t.match(await failure(() => readAll(server.url('x.sif'))), { code: 'SIF_REMOTE', message: /longer than announced/ });
});

t.test('a redirect loop', async (t) => {
  const server = await stub(t, (_req, res) => res.writeHead(302, { location: '/x.sif' }).end());
  t.match(await failure(() => readAll(server.url('x.sif'))), { code: 'SIF_REMOTE', message: /more than 5 redirects/ });
  t.equal(server.log.length, 6, 'bounded');
});

t.test('a slow body: headers, a few bytes, then nothing', async (t) => {
  const server = await stub(t, (_req, res) => {
    res.writeHead(206, { 'content-range': `bytes 0-32767/${IMAGE.length}`, 'content-length': 32768 });
    res.write(IMAGE.subarray(0, 10));
  });
  t.match(await failure(() => readAll(server.url('x.sif'))), { code: 'SIF_REMOTE', message: /the body stalled/ });
});

t.test('no reply at all', async (t) => {
  const server = await stub(t, () => undefined);
  t.match(await failure(() => readAll(server.url('x.sif'))), { code: 'SIF_REMOTE', message: /no reply within 0.3 s/ });
});

t.test('an endless body from a server that ignores Range and gives no length', async (t) => {
  const server = await stub(t, (_req, res) => {
    res.writeHead(200);
    const more = () => res.write(Buffer.alloc(65536), () => setImmediate(more));
    more();
  });
  t.match(await failure(() => readAll(server.url('x.sif'))), { code: 'SIF_REMOTE', message: /no Range requests and gives no Content-Length/ });
});

t.test('5xx replies and dropped connections are retried, a bounded number of times', async (t) => {
  const flaky = await stub(t, (req, res, n) => {
    if (n % 3 === 0) return void res.writeHead(503).end();
    if (n % 3 === 1) return void req.socket.destroy();
    serveRange(req, res);
  });
  await readAll(flaky.url('x.sif'));
  t.pass('read despite a 503 and a reset before every reply');
  const down = await stub(t, (_req, res) => res.writeHead(500).end());
  t.match(await failure(() => readAll(down.url('x.sif'))), { code: 'SIF_REMOTE', message: /server answered 500/ });
  t.equal(down.log.length, 4, 'one request and three retries');
});

t.test('a tampered server never passes verification', async (t) => {
  const tampered = Buffer.from(IMAGE);
  tampered[36864 + 100]! ^= 1;
  const server = await stub(t, (req, res) => serveRange(req, res, tampered));
  const keys = await loadVerificationKeys({ keyrings: [join(GO_SIF, 'test/keys/private.asc')], keysDir: '/nonexistent', env: {} });
  const image = await SifImage.open(server.url('x.sif'), { remote: FAST });
  t.teardown(() => image.close());
  const report = await verifyIntegrity(image, { keys });
  t.notOk(report.ok);
  t.equal(report.error?.code, 'SIF_INTEGRITY');
});

/** A stub registry: `manifest` at any manifests/ URL, the image at any blobs/ URL. */
function registryStub(manifest: (req: IncomingMessage, res: ServerResponse) => void, blob: Buffer = IMAGE) {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.url!.includes('/manifests/')) return manifest(req, res);
    if (req.url!.includes('/blobs/')) return serveRange(req, res, blob);
    res.writeHead(404).end();
  };
}

const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const manifestOf = (layers: object[]) => JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', layers });
const layer = (mediaType = 'application/vnd.sylabs.sif.layer.v1.sif', size = IMAGE.length) => ({ mediaType, size, digest: sha256(IMAGE) });
const oras = (url: string) => url.replace(/^http:\/\/(.*?)\/.*$/, 'oras://$1/sif/x:v1');

t.test('registry artifacts: upstream checks and messages', async (t) => {
  const cases: [name: string, body: string, want: RegExp][] = [
    ['two layers', manifestOf([layer(), layer()]), /ORAS SIF image should have a single layer, found 2$/],
    ['no layers', manifestOf([]), /ORAS SIF image should have a single layer, found 0$/],
    ['a container image', manifestOf([layer('application/vnd.oci.image.layer.v1.tar')]), /invalid layer mediatype: application\/vnd.oci.image.layer.v1.tar$/],
    ['not JSON', 'nope', /the manifest is not a JSON object$/],
    ['a layer without a size', manifestOf([{ ...layer(), size: -1 }]), /the layer's size or digest is not valid$/],
  ];
  for (const [name, body, want] of cases) {
    const server = await stub(t, registryStub((_req, res) => res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(body)));
    t.match(await failure(() => readAll(oras(server.url('')))), { code: 'SIF_NOT_SIF_ARTIFACT', message: want }, name);
  }
  const typo = await stub(t, registryStub((_req, res) => res.writeHead(200).end(manifestOf([layer('appliciation/vnd.sylabs.sif.layer.tar')]))));
  await readAll(oras(typo.url('')));
  t.pass("Singularity's pre-3.7 layer type (with its typo) is read, as Apptainer pulls it");
});

t.test('a registry whose manifest lies about the layer size', async (t) => {
  const server = await stub(t, registryStub((_req, res) => res.writeHead(200).end(manifestOf([layer(undefined, IMAGE.length - 1)]))));
  t.match(await failure(() => readAll(oras(server.url('')))), { code: 'SIF_REMOTE', message: /the body is 42014 bytes, the manifest says 42013/ });
});

t.test('a huge manifest is refused unread', async (t) => {
  const declared = await stub(t, registryStub((_req, res) => res.writeHead(200, { 'content-length': 5 << 20 }).end(Buffer.alloc(5 << 20))));
  t.match(await failure(() => readAll(oras(declared.url('')))), { code: 'SIF_REMOTE', message: /over the 4194304-byte limit/ });
  const endless = await stub(
    t,
    registryStub((_req, res) => {
      res.writeHead(200);
      const more = () => res.write(Buffer.alloc(65536, 32), () => setImmediate(more));
      more();
    }),
  );
  t.match(await failure(() => readAll(oras(endless.url('')))), { code: 'SIF_REMOTE', message: /over the 4194304-byte limit/ });
});

t.test('a manifest that does not hash to the digest asked for', async (t) => {
  const body = manifestOf([layer()]);
  const server = await stub(t, registryStub((_req, res) => res.writeHead(200).end(body)));
  const ref = oras(server.url('')).replace(':v1', `@sha256:${'1'.repeat(64)}`);
  t.match(await failure(() => readAll(ref)), { code: 'SIF_REMOTE', message: /the manifest's digest is sha256:[0-9a-f]{64}, not sha256:1{64}/ });
  await readAll(oras(server.url('')).replace(':v1', `@${sha256(body)}`));
  t.pass('the right digest reads');
});

t.test('an index is resolved by platform', async (t) => {
  const body = manifestOf([layer()]);
  const index = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1, digest: sha256('other'), platform: { os: 'linux', architecture: 'ppc64le' } },
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', size: body.length, digest: sha256(body), platform: { os: 'linux', architecture: 'amd64' } },
    ],
  });
  const server = await stub(t, registryStub((req, res) => res.writeHead(200).end(req.url!.endsWith(sha256(body)) ? body : index)));
  await readAll(oras(server.url('')), { ...FAST, arch: 'amd64' });
  t.ok(server.log.some((l) => l.includes(`/manifests/${sha256(body)}`)), 'the amd64 manifest was fetched');
  t.match(await failure(() => readAll(oras(server.url('')), { ...FAST, arch: 'riscv64' })), { code: 'SIF_NOT_SIF_ARTIFACT', message: /no manifest for platform linux\/riscv64/ });
});

t.test('the CLI: one line, a documented exit code, a bad reference is a usage error', async (t) => {
  const server = await stub(t, (_req, res) => res.writeHead(302, { location: '/x.sif' }).end());
  let r = await captureCli(['list', server.url('x.sif')]);
  t.equal(r.code, 16);
  t.match(r.stderr, /^sif: GET http:\/\/127\.0\.0\.1:\d+\/x\.sif: more than 5 redirects\n$/);
  r = await captureCli(['list', 'oras://Bad Name']);
  t.equal(r.code, 2);
  t.match(r.stderr, /^sif: oras:\/\/Bad Name: not a valid oras reference/);
  r = await captureCli(['list', '--password-stdin', 'oras://r.example/x:y']);
  t.equal(r.code, 2, '--password-stdin needs --username');
  r = await captureCli(['list', '--username', 'u', 'oras://r.example/x:y']);
  t.equal(r.code, 2, '--username needs --password-stdin');
  r = await captureCli(['list', 'oras://r.example/x:y'], { env: { SIF_REMOTE_TIMEOUT: 'soon' } });
  t.equal(r.code, 2);
  r = await captureCli(['push', join(GO_IMAGES, 'one-group.sif'), 'https://r.example/x.sif']);
  t.equal(r.code, 2, 'push takes oras:// only');
});
