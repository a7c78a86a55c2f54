import { open, type FileHandle } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import { FormatError, fromSystemError, SifError } from '../errors.js';
import { DESCRIPTOR_SIZE, HEADER_SIZE, MAGIC, VERSION } from '../format/constants.js';
import { makeDescriptor, type Descriptor } from '../format/descriptor.js';
import { makeHeader, type Header } from '../format/header.js';
import { descriptorLayout, headerLayout, type RawDescriptor, type RawHeader } from '../format/layout.js';

export interface OpenOptions {
  /** Open read-write (for the writer). Default false. */
  writable?: boolean;
}

/** Size of the chunks `objectChunks` yields by default. */
export const DEFAULT_CHUNK_SIZE = 1 << 20;

/**
 * An open SIF file. Loading reads only the header and the descriptor table;
 * object data is read when asked for, in bounded chunks.
 */
export class SifImage {
  private constructor(
    readonly path: string,
    readonly handle: FileHandle,
    readonly fileSize: number,
    readonly header: Header,
    /** Every slot of the table, used or not, as stored. */
    readonly slots: readonly RawDescriptor[],
    /** Used descriptors in table order. */
    readonly descriptors: readonly Descriptor[],
  ) {}

  /** Opens and validates an image. The caller must `close()` it. */
  static async open(path: string, options: OpenOptions = {}): Promise<SifImage> {
    const flags = options.writable ? fsConstants.O_RDWR | fsConstants.O_NOFOLLOW : fsConstants.O_RDONLY;
    let handle: FileHandle;
    try {
      handle = await open(path, flags);
    } catch (e) {
      throw fromSystemError(e, path);
    }
    try {
      return await SifImage.load(path, handle);
    } catch (e) {
      await handle.close();
      throw e instanceof SifError ? e : fromSystemError(e, path);
    }
  }

  /**
   * Loads an image from a handle the caller opened (the writer re-reads its
   * image this way after every change). The handle stays the caller's.
   */
  static async fromHandle(path: string, handle: FileHandle): Promise<SifImage> {
    return SifImage.load(path, handle);
  }

  private static async load(path: string, handle: FileHandle): Promise<SifImage> {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw fromSystemError(Object.assign(new Error(), { code: 'EISDIR' }), path);
    const fileSize = stat.size;
    const rawHeader = await readHeader(handle, fileSize);
    const slots = await readDescriptorTable(handle, path, rawHeader, fileSize);
    const descriptors = usedDescriptors(slots, fileSize);
    return new SifImage(path, handle, fileSize, makeHeader(rawHeader), slots, descriptors);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  /** Yields the object's bytes in fresh chunks of at most `chunkSize` bytes. */
  async *objectChunks(d: Descriptor, chunkSize = DEFAULT_CHUNK_SIZE): AsyncGenerator<Buffer> {
    for (let done = 0; done < d.size; ) {
      const want = Math.min(chunkSize, d.size - done);
      const chunk = Buffer.allocUnsafe(want);
      const { bytesRead } = await this.handle.read(chunk, 0, want, d.offset + done);
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

/** Up to `length` bytes from `position`; fewer only at the end of the file. */
export async function readExactly(handle: FileHandle, length: number, position: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buf.subarray(0, done);
}

async function readHeader(handle: FileHandle, fileSize: number): Promise<RawHeader> {
  if (fileSize < HEADER_SIZE) {
    const cause = fileSize === 0 ? 'EOF' : 'unexpected EOF';
    throw new FormatError('SIF_TRUNCATED', `reading global header: ${cause} (file is ${fileSize} bytes)`);
  }
  const raw = headerLayout.decode(await readExactly(handle, HEADER_SIZE, 0));
  if (!raw.magic.equals(MAGIC)) throw new FormatError('SIF_INVALID_MAGIC', 'invalid SIF magic');
  if (!raw.version.equals(VERSION)) throw new FormatError('SIF_UNSUPPORTED_VERSION', 'incompatible SIF version');
  return raw;
}

/**
 * Reads the table the way the reference does (Total slots from DescriptorsOffset,
 * bounded by DescriptorsSize), but checks every count against the file before
 * allocating anything.
 */
async function readDescriptorTable(
  handle: FileHandle,
  path: string,
  h: RawHeader,
  fileSize: number,
): Promise<RawDescriptor[]> {
  const total = h.descriptorsTotal;
  if (total < 0n) {
    throw new FormatError('SIF_CORRUPT', `reading descriptors: invalid descriptor count ${total}`);
  }
  if (total === 0n) return [];
  if (h.descriptorsOffset < 0n) {
    throw new FormatError('SIF_CORRUPT', `reading descriptors: readat ${path}: negative offset`);
  }
  // Go's section reader treats a negative size as "no limit"; a table cannot have one.
  if (h.descriptorsSize < 0n) {
    throw new FormatError('SIF_CORRUPT', `reading descriptors: invalid descriptors size ${h.descriptorsSize}`);
  }
  const need = total * BigInt(DESCRIPTOR_SIZE);
  const inFile = BigInt(fileSize) - h.descriptorsOffset;
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
  const table = await readExactly(handle, count * DESCRIPTOR_SIZE, Number(h.descriptorsOffset));
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
