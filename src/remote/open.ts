/**
 * Opens a remote image's bytes (Node only): an `https://`/`http://` URL, or
 * the layer of an `oras://` artifact. SifImage.open loads this module only
 * for such names.
 */
import type { ByteSource } from '../source/byte-source.js';
import { HttpSource } from '../source/http.js';
import { HttpClient } from './http-client.js';
import { Registry, type RemoteOptions } from './registry.js';

export async function openRemoteSource(target: string, options: RemoteOptions = {}): Promise<ByteSource> {
  if (/^oras:/i.test(target)) {
    const registry = await Registry.connect(target, options);
    return registry.openLayer(await registry.resolve());
  }
  return HttpSource.open(new URL(target), new HttpClient(options.http));
}
