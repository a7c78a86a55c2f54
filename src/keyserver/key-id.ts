/**
 * The key argument of `sif key pull`, checked as Apptainer's FetchPubkey
 * checks it: Go's hex.DecodeString (either case, no 0x), then 4 or 20 bytes.
 */
import { UsageError } from '../errors.js';

/** The argument's hex digits, lower-case; a UsageError with Apptainer's wording otherwise. */
export function pullKeyHex(arg: string): string {
  const invalid = goHexError(arg);
  if (invalid) throw new UsageError(`failed to decode fingerprint: ${invalid}`);
  if (arg.length !== 8 && arg.length !== 40) throw new UsageError('not a valid key length: only accepts 8, or 40 chars');
  return arg.toLowerCase();
}

/** Go's hex.DecodeString error for `text`, in Go's order: a bad byte before an odd length. */
function goHexError(text: string): string | undefined {
  const bytes = Buffer.from(text, 'utf8');
  const isHex = (b: number) => (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
  const even = bytes.length - (bytes.length % 2);
  const bad = (i: number) => `encoding/hex: invalid byte: ${goRune(bytes, i)}`;
  for (let i = 0; i < even; i++) if (!isHex(bytes[i]!)) return bad(i);
  if (bytes.length % 2 === 1) return isHex(bytes[even]!) ? 'encoding/hex: odd length hex string' : bad(even);
  return undefined;
}

/** Go's `%#U` of the byte as a rune (InvalidByteError is a byte): U+0078 'x'. */
function goRune(bytes: Buffer, i: number): string {
  const b = bytes[i]!;
  const hex = `U+${b.toString(16).toUpperCase().padStart(4, '0')}`;
  return b >= 0x20 && b < 0x7f ? `${hex} '${String.fromCharCode(b)}'` : hex;
}
