/**
 * Format-blind mutations: bit flips, byte edits, truncation, splices and
 * integer edge values at arbitrary positions. Structure-aware mutators
 * (mutate-sif.ts, mutate-pgp.ts) fall back to these for the bytes they do not model.
 */
import type { Prng } from './prng.js';

/** One mutation step: a name for the report and a pure function of its input. */
export interface Mutator {
  readonly name: string;
  apply(rng: Prng, input: Buffer, donors: readonly Buffer[]): Buffer;
}

export const INT64_MIN = -(1n << 63n);
export const INT64_MAX = (1n << 63n) - 1n;

/** Values that break length and offset arithmetic: signs, word boundaries, float precision. */
export function int64Edges(fileSize: number): bigint[] {
  const n = BigInt(fileSize);
  return [
    0n, 1n, -1n, 2n, INT64_MIN, INT64_MIN + 1n, INT64_MAX, INT64_MAX - 1n,
    (1n << 31n) - 1n, 1n << 31n, (1n << 32n) - 1n, 1n << 32n, (1n << 53n) - 1n, 1n << 53n, (1n << 53n) + 1n,
    1n << 62n, n, n - 1n, n + 1n, n * 2n, -n, 585n, 4096n,
  ];
}

export const U32_EDGES = [0, 1, 2, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0xf0000000, 0xf0000001, 0x0fffffff];

const flipBits: Mutator = {
  name: 'flip-bits',
  apply(rng, input) {
    const out = Buffer.from(input);
    if (out.length === 0) return out;
    for (let k = rng.range(1, 8); k > 0; k--) out[rng.int(out.length)]! ^= 1 << rng.int(8);
    return out;
  },
};

const setBytes: Mutator = {
  name: 'set-bytes',
  apply(rng, input) {
    const out = Buffer.from(input);
    if (out.length === 0) return out;
    for (let k = rng.range(1, 4); k > 0; k--) out[rng.int(out.length)] = rng.pick([0, 0xff, 0x7f, 0x80, 1, rng.int(256)]);
    return out;
  },
};

const truncate: Mutator = {
  name: 'truncate',
  apply(rng, input) {
    return Buffer.from(input.subarray(0, rng.int(input.length + 1)));
  },
};

const extend: Mutator = {
  name: 'extend',
  apply(rng, input) {
    const n = rng.pick([1, 7, 128, 585, 4096, rng.int(2048)]);
    return Buffer.concat([input, rng.chance(0.5) ? Buffer.alloc(n) : rng.bytes(n)]);
  },
};

const deleteRange: Mutator = {
  name: 'delete-range',
  apply(rng, input) {
    if (input.length === 0) return Buffer.from(input);
    const at = rng.int(input.length);
    const len = rng.range(1, Math.min(64, input.length - at));
    return Buffer.concat([input.subarray(0, at), input.subarray(at + len)]);
  },
};

const insertRange: Mutator = {
  name: 'insert-range',
  apply(rng, input) {
    const at = rng.int(input.length + 1);
    return Buffer.concat([input.subarray(0, at), rng.bytes(rng.range(1, 64)), input.subarray(at)]);
  },
};

/** Overwrites a range with bytes from another seed (or this input), keeping the length. */
const splice: Mutator = {
  name: 'splice',
  apply(rng, input, donors) {
    const out = Buffer.from(input);
    const donor = donors.length > 0 && rng.chance(0.7) ? rng.pick(donors) : input;
    if (out.length === 0 || donor.length === 0) return out;
    const len = rng.range(1, Math.min(1024, out.length, donor.length));
    const from = rng.int(donor.length - len + 1);
    donor.copy(out, rng.int(out.length - len + 1), from, from + len);
    return out;
  },
};

/** Writes an edge value as a little- or big-endian integer of 1, 2, 4 or 8 bytes. */
const intEdge: Mutator = {
  name: 'int-edge',
  apply(rng, input) {
    const out = Buffer.from(input);
    const width = rng.pick([1, 2, 4, 8]);
    if (out.length < width) return out;
    const at = rng.int(out.length - width + 1);
    const v = BigInt.asUintN(width * 8, rng.pick(int64Edges(input.length)));
    for (let i = 0; i < width; i++) {
      const byte = Number((v >> BigInt(8 * i)) & 0xffn);
      out[rng.chance(0.8) ? at + i : at + width - 1 - i] = byte;
    }
    return out;
  },
};

/**
 * Repeats one line (or a short chunk of binary) thousands of times: the input
 * shape that exposes quadratic scans and backtracking regular expressions.
 */
const repeatChunk: Mutator = {
  name: 'repeat-chunk',
  apply(rng, input) {
    if (input.length === 0) return Buffer.from(input);
    let at = rng.int(input.length);
    const lineStart = input.lastIndexOf(0x0a, at);
    if (lineStart >= 0 && rng.chance(0.8)) at = lineStart + 1 === input.length ? lineStart : lineStart + 1;
    const newline = input.indexOf(0x0a, at);
    const end = newline >= 0 && newline - at < 200 ? newline + 1 : Math.min(input.length, at + rng.range(1, 64));
    const chunk = input.subarray(at, end);
    const times = Math.min(rng.pick([100, 1000, 10000, 50000]), Math.floor((1 << 20) / chunk.length));
    const repeated = Buffer.alloc(chunk.length * times).fill(chunk);
    // In place, or after everything (where no closing line follows them).
    return rng.chance(0.5) ? Buffer.concat([input.subarray(0, at), repeated, input.subarray(at)]) : Buffer.concat([input, repeated]);
  },
};

/** A JSON object, as the structure-aware mutators of JSON formats edit it. */
export type JsonDoc = { [key: string]: unknown };

/** A mutator editing the parsed JSON object; input that is not a JSON object passes through. */
export const onJsonObject = (name: string, edit: (rng: Prng, doc: JsonDoc) => unknown): Mutator => ({
  name,
  apply(rng, input) {
    try {
      const doc = JSON.parse(input.toString('utf8')) as unknown;
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return input;
      return Buffer.from(JSON.stringify(edit(rng, doc as JsonDoc)));
    } catch {
      return input;
    }
  },
});

export const GENERIC_MUTATORS: readonly Mutator[] = [flipBits, setBytes, truncate, extend, deleteRange, insertRange, splice, intEdge, repeatChunk];

/** Applies 1–`max` mutators picked from `mutators`; returns the bytes and the names applied. */
export function stack(
  rng: Prng,
  input: Buffer,
  mutators: readonly Mutator[],
  donors: readonly Buffer[],
  max = 4,
): { bytes: Buffer; steps: string[] } {
  let bytes = input;
  const steps: string[] = [];
  for (let k = rng.range(1, max); k > 0; k--) {
    const m = rng.pick(mutators);
    bytes = m.apply(rng, bytes, donors);
    steps.push(m.name);
  }
  return { bytes, steps };
}
