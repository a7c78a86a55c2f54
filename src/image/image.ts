import { FormatError, fromSystemError, SifError } from '../errors.js';
import { DESCRIPTOR_SIZE, HEADER_SIZE, MAGIC, VERSION } from '../format/constants.js';
import { makeDescriptor, type Descriptor } from '../format/descriptor.js';
import { makeHeader, type Header } from '../format/header.js';
import { descriptorLayout, headerLayout, type RawDescriptor, type RawHeader } from '../format/layout.js';
import { readRange, type ByteSource } from '../source/byte-source.js';
import type { FileSourceOptions } from '../source/file.js';
import type { RemoteOptions } from '../remote/registry.js';

export interface OpenOptions extends FileSourceOptions {
  /** How to reach an `oras://` registry or an `https://` server (docs/remote.md). */
  remote?: RemoteOptions;
}

/** Whether `target` names a remote image (`oras://`, `https://`, `http://`) rather than a path. */
export const isRemoteImage = (target: string): boolean => /^(oras|https?):\/\//i.test(target);

/** Size of the chunks `objectChunks` yields by default. */
export const DEFAULT_CHUNK_SIZE = 1 << 20;

/**
 * An open SIF file. Loading reads only the header and the descriptor table;
 * object data is read when asked for, in bounded chunks.
 */
export class SifImage {
  private constructor(
    /** Where the bytes are read from; the image owns it (close() closes it). */
    readonly source: ByteSource,
    readonly header: Header,
    /** Every slot of the table, used or not, as stored. */
    readonly slots: readonly RawDescriptor[],
    /** Used descriptors in table order. */
    readonly descriptors: readonly Descriptor[],
  ) {}

  /** The source's name: the path of an image opened from a file. */
  get path(): string {
    return this.source.name;
  }

  /** Size of the image's bytes, as the source reported it when the image was loaded. */
  get fileSize(): number {
    return this.source.size;
  }

  /**
   * Opens and validates an image: the file at a path (`options` apply to it),
   * a remote image (`oras://REGISTRY/REPO:TAG`, an `https://` URL; read with
   * Range requests, never downloaded whole), or any byte source, which the image then owns (closed with it, or at once
   * when the bytes are no image). The caller must `close()` the image.
   */
  static async open(target: string | ByteSource, options: OpenOptions = {}): Promise<SifImage> {
    // The file and remote sources are Node-only: loaded for a name, so the reader itself runs anywhere.
    const source =
      typeof target !== 'string'
        ? target
        : isRemoteImage(target)
          ? await (await import('../remote/open.js')).openRemoteSource(target, options.remote)
          : await (await import('../source/file.js')).FileSource.open(target, options);
    try {
      return await SifImage.fromSource(source);
    } catch (e) {
      await source.close();
      throw e;
    }
  }

  /**
   * Loads an image from `source`. Once loaded, the image owns the source
   * (close() closes it); when loading fails, the caller still does. The
   * writer lends its handle this way, through FileSource.borrow.
   */
  static async fromSource(source: ByteSource): Promise<SifImage> {
    try {
      const rawHeader = await readHeader(source);
      const slots = await readDescriptorTable(source, rawHeader);
      const descriptors = usedDescriptors(slots, source.size);
      return new SifImage(source, makeHeader(rawHeader), slots, descriptors);
    } catch (e) {
      throw e instanceof SifError ? e : fromSystemError(e, source.name);
    }
  }

  async close(): Promise<void> {
    await this.source.close();
  }

  /** Yields the object's bytes in fresh chunks of at most `chunkSize` bytes. */
  async *objectChunks(d: Descriptor, chunkSize = DEFAULT_CHUNK_SIZE): AsyncGenerator<Buffer> {
    for (let done = 0; done < d.size; ) {
      const want = Math.min(chunkSize, d.size - done);
      const chunk = Buffer.allocUnsafe(want);
      const bytesRead = await this.source.read(chunk, 0, want, d.offset + done);
      if (bytesRead === 0) throw new FormatError('SIF_TRUNCATED', `reading data object ${d.id}: unexpected EOF`);
      done += bytesRead;
      yield chunk.subarray(0, bytesRead);
    }
  }

  /** Reads a whole object into memory; refuses objects over `limit` bytes. */
  async readObject(d: Descriptor, limit = 64 << 20): Promise<Buffer> {
    if (d.size > limit) {
      throw new FormatError('SIF_CORRUPT', `data object ${d.id} is ${d.size} bytes, over the ${limit}-byte limit`);
    }
    const parts: Buffer[] = [];
    for await (const chunk of this.objectChunks(d)) parts.push(chunk);
    return Buffer.concat(parts, d.size);
  }
}

async function readHeader(source: ByteSource): Promise<RawHeader> {
  const fileSize = source.size;
  if (fileSize < HEADER_SIZE) {
    const cause = fileSize === 0 ? 'EOF' : 'unexpected EOF';
    throw new FormatError('SIF_TRUNCATED', `reading global header: ${cause} (file is ${fileSize} bytes)`);
  }
  const raw = headerLayout.decode(await readRange(source, 0, HEADER_SIZE));
  if (!raw.magic.equals(MAGIC)) throw new FormatError('SIF_INVALID_MAGIC', 'invalid SIF magic');
  if (!raw.version.equals(VERSION)) throw new FormatError('SIF_UNSUPPORTED_VERSION', 'incompatible SIF version');
  return raw;
}

/**
 * Reads the table the way the reference does (Total slots from DescriptorsOffset,
 * bounded by DescriptorsSize), but checks every count against the file before
 * allocating anything.
 */
async function readDescriptorTable(source: ByteSource, h: RawHeader): Promise<RawDescriptor[]> {
  const total = h.descriptorsTotal;
  if (total < 0n) {
    throw new FormatError('SIF_CORRUPT', `reading descriptors: invalid descriptor count ${total}`);
  }
  if (total === 0n) return [];
  if (h.descriptorsOffset < 0n) {
    throw new FormatError('SIF_CORRUPT', `reading descriptors: readat ${source.name}: negative offset`);
  }
  // Go's section reader treats a negative size as "no limit"; a table cannot have one.
  if (h.descriptorsSize < 0n) {
    throw new FormatError('SIF_CORRUPT', `reading descriptors: invalid descriptors size ${h.descriptorsSize}`);
  }
  const need = total * BigInt(DESCRIPTOR_SIZE);
  const inFile = BigInt(source.size) - h.descriptorsOffset;
  const available = inFile < 0n ? 0n : inFile < h.descriptorsSize ? inFile : h.descriptorsSize;
  if (available < need) {
    const cause = available === 0n ? 'EOF' : 'unexpected EOF';
    throw new FormatError(
      'SIF_TRUNCATED',
      `reading descriptors: ${cause} (${total} descriptors need ${need} bytes at offset ${h.descriptorsOffset}; ` +
        `${available} available)`,
    );
  }
  const count = Number(total);
  const table = await readRange(source, Number(h.descriptorsOffset), count * DESCRIPTOR_SIZE);
  return Array.from({ length: count }, (_, i) => descriptorLayout.decode(table, i * DESCRIPTOR_SIZE));
}

function usedDescriptors(slots: readonly RawDescriptor[], fileSize: number): Descriptor[] {
  const minIds = new Map<number, number>();
  const seen = new Set<number>();
  for (const raw of slots) {
    if (!raw.used) continue;
    if (seen.has(raw.id)) throw new FormatError('SIF_CORRUPT', `duplicate object ID ${raw.id}`);
    seen.add(raw.id);
    assertObjectInFile(raw, fileSize);
    const min = minIds.get(raw.groupId);
    if (min === undefined || raw.id < min) minIds.set(raw.groupId, raw.id);
  }
  const out: Descriptor[] = [];
  slots.forEach((raw, slot) => {
    if (raw.used) out.push(makeDescriptor(raw, slot, raw.id - minIds.get(raw.groupId)!));
  });
  return out;
}

function assertObjectInFile(raw: RawDescriptor, fileSize: number): void {
  if (raw.offset < 0n) throw new FormatError('SIF_CORRUPT', `data object ${raw.id}: negative offset ${raw.offset}`);
  if (raw.size < 0n) throw new FormatError('SIF_CORRUPT', `data object ${raw.id}: negative size ${raw.size}`);
  // An empty object may sit at an aligned offset past the end, as the reference writes it.
  if (raw.size > 0n && raw.offset + raw.size > BigInt(fileSize)) {
    throw new FormatError(
      'SIF_TRUNCATED',
      `data object ${raw.id}: extends past end of file (${raw.offset}+${raw.size} > ${fileSize})`,
    );
  }
}
