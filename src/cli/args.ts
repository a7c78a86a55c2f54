import { UsageError } from '../errors.js';

/** Parses an object or group ID as siftool does (strconv.ParseUint base 10, 32 bits), with its message. */
export function parseId(text: string, what = 'id'): number {
  if (!/^[0-9]+$/.test(text)) {
    throw new UsageError(`while converting ${what}: strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax`);
  }
  const n = Number(text);
  if (n > 0xffffffff) {
    throw new UsageError(`while converting ${what}: strconv.ParseUint: parsing ${JSON.stringify(text)}: value out of range`);
  }
  return n;
}
