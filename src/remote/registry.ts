/**
 * One registry repository over the OCI distribution API: its manifests (an
 * index resolved by platform), the check that an artifact is a SIF image as
 * Apptainer's ORAS client checks it, and its blobs.
 */
import { RemoteError } from '../errors.js';
import { HttpSource } from '../source/http.js';
import { RegistryAuth, dockerCredentials, type Credentials } from './auth.js';
import { HttpClient, shownUrl, type HttpOptions, type Reply } from './http-client.js';
import { formatOrasReference, parseOrasReference, type OrasReference } from './reference.js';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const SIF_CONFIG = 'application/vnd.sylabs.sif.config.v1+json';
export const SIF_LAYER = 'application/vnd.sylabs.sif.layer.v1.sif';
/** The layer type of Singularity before 3.7, with its typo, which Apptainer still pulls. */
const SIF_LAYER_TYPO = 'appliciation/vnd.sylabs.sif.layer.tar';

/** Largest manifest read, as distribution's own limit. */
export const MANIFEST_LIMIT = 4 << 20;

/** How to reach registries and web servers. */
export interface RemoteOptions {
  /** Plain HTTP to the registry (Apptainer's --no-https). */
  readonly noHttps?: boolean;
  /** Credentials; default Docker's config.json for the registry, else anonymous. */
  readonly credentials?: Credentials;
  /** DOCKER_CONFIG and HOME, for config.json; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** The architecture an index is resolved for (Go's names); default this machine's. */
  readonly arch?: string;
  /** Timeouts, retries, concurrency. */
  readonly http?: HttpOptions;
}

export interface Descriptor {
  readonly mediaType: string;
  readonly size: number;
  readonly digest: string;
  readonly annotations?: Record<string, string>;
  readonly platform?: { architecture?: string; os?: string };
}

/** A resolved SIF artifact: its manifest and the one layer that is the image. */
export interface SifArtifact {
  readonly manifestDigest: string;
  readonly layer: Descriptor;
}

/** Go's GOARCH for Node's process.arch. */
const GO_ARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', mips: 'mips', mipsel: 'mipsle', loong64: 'loong64' };
export const hostArch = (): string => GO_ARCH[process.arch] ?? process.arch;

export class Registry {
  readonly base: string;

  private constructor(
    readonly ref: OrasReference,
    readonly client: HttpClient,
    private readonly options: RemoteOptions,
  ) {
    this.base = `${options.noHttps ? 'http' : 'https'}://${ref.registry}/v2/${ref.repository}`;
  }

  /** The repository of `target` (oras://…), with credentials for `access` (pull, or pull and push). */
  static async connect(target: string | OrasReference, options: RemoteOptions = {}, access: 'pull' | 'pull,push' = 'pull'): Promise<Registry> {
    const ref = typeof target === 'string' ? parseOrasReference(target) : target;
    const origin = `${options.noHttps ? 'http' : 'https'}://${ref.registry}`;
    const credentials = options.credentials ?? (await dockerCredentials(ref.registry, options.env ?? process.env));
    const auth = new RegistryAuth(new URL(origin).origin, `repository:${ref.repository}:${access}`, credentials);
    return new Registry(ref, new HttpClient({ ...options.http, authorizer: auth }), options);
  }

  get name(): string {
    return formatOrasReference(this.ref);
  }

  /** The manifest the reference names, checked to be a SIF artifact (remote.md §5). */
  async resolve(): Promise<SifArtifact> {
    let { bytes, digest, mediaType } = await this.manifest(this.ref.reference, this.ref.byDigest);
    let json = parseJson(bytes, this.name);
    if ((json.mediaType ?? mediaType) === OCI_INDEX || (json.mediaType ?? mediaType) === DOCKER_LIST) {
      const arch = this.options.arch ?? hostArch();
      const entry = (json.manifests as Descriptor[] | undefined)?.find((m) => m.platform?.os === 'linux' && m.platform?.architecture === arch);
      if (!entry || typeof entry.digest !== 'string') throw new RemoteError('SIF_NOT_SIF_ARTIFACT', `${this.name}: no manifest for platform linux/${arch} in the index`);
      ({ bytes, digest, mediaType } = await this.manifest(entry.digest, true));
      json = parseJson(bytes, this.name);
    }
    return { manifestDigest: digest, layer: sifLayer(json, this.name) };
  }

  /** A byte source over the image's layer, read with Range requests. */
  async openLayer(artifact: SifArtifact): Promise<HttpSource> {
    return HttpSource.open(this.blobUrl(artifact.layer.digest), this.client, { name: this.name, size: artifact.layer.size });
  }

  blobUrl(digest: string): URL {
    return new URL(`${this.base}/blobs/${digest}`);
  }

  /** The whole blob as one streamed reply (pull). */
  blob(digest: string): Promise<Reply> {
    return this.client.request(this.blobUrl(digest));
  }

  /** A manifest's bytes, checked against the digest when it was asked for by one. */
  private async manifest(reference: string, byDigest: boolean): Promise<{ bytes: Buffer; digest: string; mediaType: string | null }> {
    const url = new URL(`${this.base}/manifests/${reference}`);
    const reply = await this.client.request(url, { headers: { accept: [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST].join(', ') } });
    const bytes = await reply.bytes(MANIFEST_LIMIT);
    // Loaded here, not at the top: `sif list` of a local file carries this module in its bundle file (launch.ts) and would load node:crypto for nothing.
    const { createHash } = await import('node:crypto');
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const announced = reply.response.headers.get('docker-content-digest');
    if ((byDigest && digest !== reference) || (announced !== null && announced.startsWith('sha256:') && announced !== digest)) {
      throw new RemoteError('SIF_REMOTE', `GET ${shownUrl(url)}: the manifest's digest is ${digest}, not ${byDigest ? reference : announced}`);
    }
    return { bytes, digest, mediaType: reply.response.headers.get('content-type') };
  }
}

function parseJson(bytes: Buffer, name: string): Record<string, unknown> {
  try {
    const json = JSON.parse(bytes.toString('utf8')) as unknown;
    if (json !== null && typeof json === 'object' && !Array.isArray(json)) return json as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new RemoteError('SIF_NOT_SIF_ARTIFACT', `${name}: the manifest is not a JSON object`);
}

/** Apptainer's checks of a pulled ORAS manifest, with its messages: one layer, of the SIF layer type. */
function sifLayer(manifest: Record<string, unknown>, name: string): Descriptor {
  const layers = Array.isArray(manifest.layers) ? (manifest.layers as Descriptor[]) : [];
  if (layers.length !== 1) throw new RemoteError('SIF_NOT_SIF_ARTIFACT', `${name}: ORAS SIF image should have a single layer, found ${layers.length}`);
  const layer = layers[0]!;
  if (layer.mediaType !== SIF_LAYER && layer.mediaType !== SIF_LAYER_TYPO) {
    throw new RemoteError('SIF_NOT_SIF_ARTIFACT', `${name}: invalid layer mediatype: ${String(layer.mediaType)}`);
  }
  if (!Number.isSafeInteger(layer.size) || layer.size < 0 || typeof layer.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(layer.digest)) {
    throw new RemoteError('SIF_NOT_SIF_ARTIFACT', `${name}: the layer's size or digest is not valid`);
  }
  return layer;
}
