/**
 * Hostile servers (HOSTILE STUBS, Node http on 127.0.0.1): sizes that lie, a
 * Content-Range that does not match the request, a truncated body, a redirect
 * loop, a slow or endless body, a huge manifest, artifacts that are not SIF.
 * Each ends in a clear error within the configured timeout, never a pass.
 */
import t, { type Test } from 'tap';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { isSifError, RemoteError } from '../errors.js';
import { DataType } from '../format/constants.js';
import { SifImage } from '../image/image.js';
import { createImage } from '../image/write/create.js';
import { partitionExtra } from '../image/write/extra.js';
import { loadVerificationKeys } from '../integrity/keyset.js';
import { verifyIntegrity } from '../integrity/verify.js';
import { GO_IMAGES, GO_SIF } from '../test-support/reference.js';
import { startStub } from '../test-support/registry.js';
import { hostArch, type RemoteOptions } from './registry.js';
import { captureCli } from '../test-support/cli.js';

const IMAGE = readFileSync(join(GO_IMAGES, 'one-group-signed.sif'));
/** Generous timeouts for servers that answer (a loaded machine must not fail them), short retries. */
const FAST: RemoteOptions = { noHttps: true, http: { timeoutMs: 20_000, backoffMs: 1 } };
/** A short timeout, for servers that never answer: only how soon the same error comes depends on it. */
const STALLED: RemoteOptions = { noHttps: true, http: { timeoutMs: 300, minRate: 1 << 30 } };

/** Answers a Range request honestly from `bytes`. */
function serveRange(req: IncomingMessage, res: ServerResponse, bytes: Buffer = IMAGE): void {
  const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '')!;
  const start = Number(m[1]);
  const end = Math.min(Number(m[2]), bytes.length - 1);
  res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${bytes.length}`, 'content-length': end - start + 1 });
  res.end(bytes.subarray(start, end + 1));
}

/** Writes spaces until the client goes away. */
function endless(res: ServerResponse): void {
  const more = () => res.write(Buffer.alloc(65536, 32), (e) => (e ? undefined : setImmediate(more)));
  more();
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
    endless(res); // chunked
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
  t.match(await failure(() => readAll(server.url('x.sif'), STALLED)), { code: 'SIF_REMOTE', message: /the body stalled/ });
});

t.test('no reply at all', async (t) => {
  const server = await stub(t, () => undefined);
  t.match(await failure(() => readAll(server.url('x.sif'), STALLED)), { code: 'SIF_REMOTE', message: /no reply within 0.3 s/ });
});

t.test('an endless body from a server that ignores Range and gives no length', async (t) => {
  const server = await stub(t, (_req, res) => {
    res.writeHead(200);
    endless(res);
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
  const unending = await stub(
    t,
    registryStub((_req, res) => {
      res.writeHead(200);
      endless(res);
    }),
  );
  t.match(await failure(() => readAll(oras(unending.url('')))), { code: 'SIF_REMOTE', message: /over the 4194304-byte limit/ });
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
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', size: body.length, digest: sha256(body), platform: { os: 'linux', architecture: hostArch() } },
    ],
  });
  const server = await stub(t, registryStub((req, res) => res.writeHead(200).end(req.url!.endsWith(sha256(body)) ? body : index)));
  await readAll(oras(server.url('')), FAST);
  t.ok(server.log.some((l) => l.includes(`/manifests/${sha256(body)}`)), `no --arch: the host's (${hostArch()}) manifest was fetched`);
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

t.test('first replies that are not a range of the image', async (t) => {
  const empty = await stub(t, (_req, res) => res.writeHead(416, { 'content-range': 'bytes */0' }).end());
  t.match(await failure(() => readAll(empty.url('x.sif'))), { code: 'SIF_TRUNCATED', message: 'reading global header: EOF (file is 0 bytes)' }, 'an empty body reads as an empty file');
  const refused = await stub(t, (_req, res) => res.writeHead(416, { 'content-range': 'bytes */99' }).end());
  t.match(await failure(() => readAll(refused.url('x.sif'))), { code: 'SIF_REMOTE', message: /range 0-32767 refused \(416\) for a body of 99 bytes/ });
  const noContent = await stub(t, (_req, res) => res.writeHead(204).end());
  t.match(await failure(() => readAll(noContent.url('x.sif'))), { code: 'SIF_REMOTE', message: /unexpected status 204/ });
});

t.test('a server that changes its answers while the image is read', async (t) => {
  const etag = await stub(t, (req, res, n) => {
    res.setHeader('etag', n === 0 ? '"a"' : '"b"');
    serveRange(req, res);
  });
  t.match(await failure(() => readAll(etag.url('x.sif'))), { code: 'SIF_REMOTE', message: /the image changed while it was read \(ETag "a", now "b"\)/ });
  const stopsRanges = await stub(t, (req, res, n) => (n === 0 ? serveRange(req, res) : res.writeHead(200, { 'content-length': IMAGE.length }).end(IMAGE)));
  t.match(await failure(() => readAll(stopsRanges.url('x.sif'))), { code: 'SIF_REMOTE', message: /answered 200 to a Range request it honoured before/ });
  const grows = await stub(t, (_req, res, n) => {
    const body = n === 0 ? IMAGE : Buffer.concat([IMAGE, Buffer.alloc(1)]);
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  const image = await SifImage.open(grows.url('x.sif'), { remote: FAST });
  t.teardown(() => image.close());
  await image.readObject(image.descriptors[2]!);
  t.match(
    await failure(() => image.readObject(image.descriptors[0]!)),
    { code: 'SIF_REMOTE', message: /the body is now 42015 bytes, was 42014/ },
    'a new pass (a read behind the last) must find the same size',
  );
});

/** A stub registry's blob: a range, or the whole body. */
function serveBlob(req: IncomingMessage, res: ServerResponse, blob: Buffer): void {
  if (req.headers.range) return serveRange(req, res, blob);
  res.writeHead(200, { 'content-length': blob.length }).end(blob);
}

t.test('pull: the size and digest checks, nothing left behind', async (t) => {
  const { pullImage } = await import('./pull.js');
  const dir = t.testdir();
  const dest = join(dir, 'out.sif');
  const cases: [name: string, manifestLayer: object, blob: Buffer, want: RegExp, code: string][] = [
    ['a longer blob', layer(undefined, IMAGE.length - 1), IMAGE, /image file size\(42013\) and expected size\(42013\) does not match|image file size/, 'SIF_REMOTE'],
    ['a shorter blob', layer(), IMAGE.subarray(0, 100), /image file size\(100\) and expected size\(42014\) does not match/, 'SIF_REMOTE'],
    ['other bytes', layer(), Buffer.alloc(IMAGE.length), /image file hash\(sha256:[0-9a-f]{64}\) and expected hash\(sha256:[0-9a-f]{64}\) does not match/, 'SIF_REMOTE'],
    ['not a SIF', { ...layer(undefined, 5), digest: sha256('hello') }, Buffer.from('hello'), /the pulled file is not a SIF image: invalid SIF magic|reading global header/, 'SIF_NOT_SIF_ARTIFACT'],
  ];
  for (const [name, l, blob, want, code] of cases) {
    const server = await stub(t, (req, res) => (req.url!.includes('/manifests/') ? res.writeHead(200).end(manifestOf([l])) : serveBlob(req, res, blob)));
    t.match(await failure(() => pullImage(oras(server.url('')), dest, FAST)), { code, message: want }, name);
    t.same(readdirSync(dir), [], `${name}: nothing written`);
  }
  const good = await stub(t, (req, res) => (req.url!.includes('/manifests/') ? res.writeHead(200).end(manifestOf([layer()])) : serveBlob(req, res, IMAGE)));
  const refused = await failure(() => pullImage(oras(good.url('')), dest, { ...FAST, check: () => Promise.reject(new RemoteError('SIF_REMOTE', 'checked: no')) }));
  t.match(refused, { message: 'checked: no' }, "the caller's check refuses the image");
  t.same(readdirSync(dir), [], 'not kept');
  await pullImage(oras(good.url('')), dest, FAST);
  t.ok(readFileSync(dest).equals(IMAGE));
  t.match(await failure(() => pullImage(oras(good.url('')), join(dir, 'no/such/dir/x.sif'), FAST)), { code: 'SIF_NOT_FOUND' }, 'an unwritable destination');
});

t.test('push: refuses what Apptainer refuses, and takes the created label', async (t) => {
  const { pushImage } = await import('./push.js');
  const dir = t.testdir();
  const notSif = join(dir, 'x.txt');
  writeFileSync(notSif, 'hello, not an image'.repeat(20));
  t.match(await failure(() => pushImage(notSif, 'oras://127.0.0.1:1/x:y', FAST)), { code: 'SIF_INVALID_MAGIC', message: `"${notSif}" is not a SIF: invalid SIF magic` });
  t.match(await failure(() => pushImage(join(GO_IMAGES, 'empty.sif'), 'oras://127.0.0.1:1/x:y', FAST)), { code: 'SIF_CORRUPT', message: /unknown architecture in SIF file/ });
  const labelled = join(dir, 'labelled.sif');
  await createImage(labelled, {
    objects: [
      { dataType: DataType.Labels, groupId: 1, data: Buffer.from('{"org.opencontainers.image.created":"2020-01-02T03:04:05Z"}') },
      { dataType: DataType.Partition, groupId: 1, extra: partitionExtra({ fsType: 1, partType: 2, arch: 'arm64' }), data: Buffer.from('fs') },
    ],
  });
  let manifest = '';
  const server = await stub(t, (req, res) => {
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', () => {
      if (req.method === 'HEAD') return void res.writeHead(404).end();
      if (req.method === 'POST') return void res.writeHead(202, { location: '/v2/x/blobs/uploads/1?state=s' }).end();
      if (req.url!.includes('/manifests/')) manifest = Buffer.concat(body).toString();
      res.writeHead(201).end();
    });
  });
  await pushImage(labelled, oras(server.url('')), FAST);
  t.match(manifest, /"annotations":\{"org.opencontainers.image.created":"2020-01-02T03:04:05Z"\}\}$/, "the image's created label");
  t.ok(server.log.some((l) => /^PUT \/v2\/x\/blobs\/uploads\/1\?state=s&digest=sha256%3A[0-9a-f]{64}$/.test(l)), 'the upload location keeps its query');
  t.match(await failure(() => pushImage(labelled, oras(server.url('')).replace(':v1', `@sha256:${'0'.repeat(64)}`), FAST)), { message: /push to a tag, not a digest/ });
});
