/** The writer's public types. Defaults are stated where they are resolved. */
import type { Descriptor } from '../../format/descriptor.js';
import type { SifImage } from '../image.js';

/** One data object to add. */
export interface ObjectInput {
  /** DataType.* (0x4001–0x400b). */
  dataType: number;
  /** The object's bytes; an async iterable is streamed in bounded memory. */
  data: Uint8Array | AsyncIterable<Uint8Array>;
  /** Group to place the object in; default 0 = no group. Stored as `id | 0xF0000000`. */
  groupId?: number;
  /** Object this one links to (1–0x0FFFFFFF); mutually exclusive with linkedGroupId. */
  linkedObjectId?: number;
  /** Group this one links to; stored as `id | 0xF0000000`. */
  linkedGroupId?: number;
  /** Byte alignment of the data; default 4096 for partitions, 0 (none) otherwise. */
  alignment?: number;
  /** Object name, at most 128 bytes; default empty. */
  name?: string | Uint8Array;
  /**
   * Encoded Extra (at most 384 bytes), from partitionExtra, signatureExtra,
   * cryptoMessageExtra or sbomExtra; default all zero. OCI types compute theirs from the data.
   */
  extra?: Uint8Array;
  /** Unix seconds stored as the object's created/modified time; default the edit's time. */
  time?: bigint;
}

/** Times of one edit. */
export interface EditOptions {
  /** Unix seconds for the header's ModifiedAt and new objects; default now. */
  time?: bigint;
  /** Store Go's zero time (as the reference's Opt*Deterministic); `time` wins when both are given. */
  deterministic?: boolean;
  /** How long to wait for another writer's lock, in milliseconds; default 0 (fail at once). */
  lockTimeoutMs?: number;
}

export interface DeleteOptions {
  /** Overwrite the object's data with zeros; default false. */
  zero?: boolean;
  /** Truncate the file when the object is the last one; default false. */
  compact?: boolean;
}

/** Changes one image, under its lock. Every method commits before it returns. */
export interface ImageEditor {
  /** The image as it is now; refreshed after every change. Do not close it. */
  readonly image: SifImage;
  /** Appends an object in the first free slot (ID = slot + 1) and returns its descriptor. */
  addObject(input: ObjectInput): Promise<Descriptor>;
  /**
   * Appends objects in one commit, placed exactly as `addObject` would place
   * them one by one, and returns their descriptors in input order. A crash
   * leaves none of them added or all; an input that cannot be added (no free
   * slot, a second primary partition, …) refuses them all. No inputs: no change.
   */
  addObjects(inputs: readonly ObjectInput[]): Promise<Descriptor[]>;
  /** Frees the object's slot; the data stays unless `zero` or `compact`. */
  deleteObject(id: number, options?: DeleteOptions): Promise<void>;
  /** Makes a System partition the primary one and sets the header's architecture. */
  setPrimary(id: number): Promise<void>;
}

export interface CreateOptions extends EditOptions {
  /** Launch script, at most 31 bytes; default none. */
  launchScript?: string | Uint8Array;
  /** Image UUID: a UUID string, 'nil', or default a random v4 (nil when deterministic). */
  id?: string;
  /** Number of descriptor slots; default 48. */
  descriptors?: number;
  /** Objects to add, in order (IDs 1..n); default none. */
  objects?: ObjectInput[];
}
