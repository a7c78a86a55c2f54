/**
 * `sif push IMG oras://…`: Apptainer's ORAS upload (remote.md §5), its
 * manifest byte for byte: the `{}` config of the SIF config type, one layer
 * of the SIF layer type titled with the file's base name, and the created
 * time (the image's `org.opencontainers.image.created` label, else now).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { FormatError, RemoteError, type FormatCode } from '../errors.js';
import { DataType } from '../format/constants.js';
import { SifImage } from '../image/image.js';
import { selectAll, withDataType } from '../image/select.js';
import { shownUrl } from './http-client.js';
import { OCI_MANIFEST, Registry, SIF_CONFIG, SIF_LAYER, type RemoteOptions } from './registry.js';

const CONFIG = Buffer.from('{}');
const CREATED = 'org.opencontainers.image.created';

export interface PushOptions extends RemoteOptions {
  /** The created annotation; default the image's label, else now. */
  readonly created?: Date;
  /** Bytes of the image uploaded so far. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface PushResult {
  /** The manifest's digest (Apptainer's `INFO: Digest:`). */
  readonly digest: string;
  readonly manifest: Buffer;
}

export async function pushImage(path: string, target: string, options: PushOptions = {}): Promise<PushResult> {
  const { size, created } = await inspect(path, options.created);
  const layerDigest = await sha256File(path);
  const manifest = sifManifest({ size, digest: layerDigest, title: basename(path), created });
  const registry = await Registry.connect(target, options, 'pull,push');
  if (registry.ref.byDigest) throw new RemoteError('SIF_REMOTE', `${registry.name}: push to a tag, not a digest`);
  await uploadBlob(registry, `sha256:${createHash('sha256').update(CONFIG).digest('hex')}`, CONFIG.length, () => CONFIG);
  await uploadBlob(registry, layerDigest, size, () => {
    let done = 0;
    const stream = createReadStream(path, { highWaterMark: 1 << 20 });
    stream.on('data', (chunk) => options.onProgress?.((done += chunk.length), size));
    return Readable.toWeb(stream) as ReadableStream<Uint8Array>;
  });
  const url = new URL(`${registry.base}/manifests/${registry.ref.reference}`);
  const reply = await registry.client.request(url, { method: 'PUT', headers: { 'content-type': OCI_MANIFEST }, body: manifest });
  await reply.discard();
  return { digest: `sha256:${createHash('sha256').update(manifest).digest('hex')}`, manifest };
}

/** Apptainer's ORAS manifest, in Go's field order and encoding. */
export function sifManifest(layer: { size: number; digest: string; title: string; created: string | undefined }): Buffer {
  const configDigest = `sha256:${createHash('sha256').update(CONFIG).digest('hex')}`;
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: SIF_CONFIG, size: CONFIG.length, digest: configDigest, data: CONFIG.toString('base64') },
    layers: [{ mediaType: SIF_LAYER, size: layer.size, digest: layer.digest, annotations: { 'org.opencontainers.image.title': layer.title } }],
    ...(layer.created ? { annotations: { [CREATED]: layer.created } } : {}),
  };
  return Buffer.from(goJson(JSON.stringify(manifest)));
}

/** Go's encoding/json escapes <, > and & in strings; JSON.stringify does not. */
const goJson = (text: string) => text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** The file is a SIF image with a primary architecture, as Apptainer's push requires; its size and created time. */
async function inspect(path: string, created: Date | undefined): Promise<{ size: number; created: string | undefined }> {
  const image = await SifImage.open(path).catch((e: unknown) => {
    throw e instanceof FormatError ? new FormatError(e.code as FormatCode, `"${path}" is not a SIF: ${e.message}`) : e;
  });
  try {
    if (image.header.arch === 'unknown') throw new FormatError('SIF_CORRUPT', `${path}: unknown architecture in SIF file`);
    if (created) return { size: image.fileSize, created: rfc3339(created) };
    return { size: image.fileSize, created: (await createdLabel(image)) ?? rfc3339(new Date()) };
  } finally {
    await image.close();
  }
}

/** The created label of the image's JSON.Labels object, if it has one ('' omits the annotation, as Apptainer does). */
async function createdLabel(image: SifImage): Promise<string | undefined> {
  for (const d of selectAll(image.descriptors, withDataType(DataType.Labels))) {
    try {
      const labels = JSON.parse((await image.readObject(d, 1 << 20)).toString('utf8')) as Record<string, unknown>;
      if (typeof labels[CREATED] === 'string') return labels[CREATED];
    } catch {
      // not labels we can read: the default applies
    }
  }
  return undefined;
}

/** Go's time.RFC3339 of a UTC time: whole seconds, `Z`. */
const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/** Uploads a blob the registry does not have yet: a monolithic upload (POST, then PUT with the digest). */
async function uploadBlob(registry: Registry, digest: string, size: number, body: () => Uint8Array | ReadableStream<Uint8Array>): Promise<void> {
  const head = await registry.client.request(registry.blobUrl(digest), { method: 'HEAD', accept: [404] });
  await head.discard();
  if (head.response.status === 200) return;
  const start = new URL(`${registry.base}/blobs/uploads/`);
  const post = await registry.client.request(start, { method: 'POST' });
  await post.discard();
  const location = post.response.headers.get('location');
  if (location === null) throw new RemoteError('SIF_REMOTE', `POST ${shownUrl(start)}: no upload location`);
  const put = new URL(location, start);
  put.searchParams.set('digest', digest);
  const reply = await registry.client.request(put, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) }, body: body(), bodySize: size });
  await reply.discard();
}
