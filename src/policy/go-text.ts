/**
 * Go's text rules where Apptainer applies them to a definition file, because
 * JavaScript's differ exactly where a look-alike name can slip through:
 * - `unicode.IsSpace` (strings.TrimSpace, bufio.ScanWords) counts U+0085 and
 *   U+00A0 but not U+FEFF; String.prototype.trim is the other way round;
 * - `strings.ToLower` maps one code point to one (U+0130 İ → i), where
 *   toLowerCase turns İ into i + U+0307;
 * - `filepath.Clean` drops a trailing slash that path.normalize keeps.
 * The oracle test compares each with Go itself, code point by code point.
 */
import { posix } from 'node:path';

/** unicode.IsSpace: Latin-1's eight, then the White_Space property above U+00FF. */
export function goIsSpace(cp: number): boolean {
  switch (cp) {
    case 0x09: case 0x0a: case 0x0b: case 0x0c: case 0x0d: case 0x20: case 0x85: case 0xa0:
    case 0x1680: case 0x2028: case 0x2029: case 0x202f: case 0x205f: case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200a;
  }
}

/** strings.TrimSpace: drops Go's white space from both ends (input is valid UTF-16, from valid UTF-8). */
export function goTrimSpace(s: string): string {
  const cps = [...s];
  let start = 0;
  let end = cps.length;
  while (start < end && goIsSpace(cps[start]!.codePointAt(0)!)) start++;
  while (end > start && goIsSpace(cps[end - 1]!.codePointAt(0)!)) end--;
  return cps.slice(start, end).join('');
}

/** The one code point whose full lower case (SpecialCasing) is not its simple one, which Go uses. */
const SIMPLE_LOWER: Readonly<Record<string, string>> = { '\u0130': 'i' };

/** strings.ToLower: unicode.ToLower on each code point, never changing how many there are. */
export function goToLower(s: string): string {
  return [...s].map((c) => SIMPLE_LOWER[c] ?? c.toLowerCase()).join('');
}

/** One line as bufio.ScanLines returns it, with where it lies in the UTF-8 bytes. */
export interface GoLine {
  /** The line without its "\n" and one "\r" before it. */
  readonly text: string;
  /** Byte offset of its first byte. */
  readonly start: number;
  /** Byte offset after it and its "\n". */
  readonly end: number;
  /** False for a last line with no "\n". */
  readonly terminated: boolean;
}

/** bufio.ScanLines: split at "\n", dropping one "\r" before it; no line after a final "\n". */
export function goLines(text: string): GoLine[] {
  const pieces = text.split('\n');
  if (pieces.at(-1) === '') pieces.pop();
  let start = 0;
  return pieces.map((piece, i) => {
    const terminated = i < pieces.length - 1 || text.endsWith('\n');
    const end = start + Buffer.byteLength(piece) + (terminated ? 1 : 0);
    const line = { text: piece.endsWith('\r') ? piece.slice(0, -1) : piece, start, end, terminated };
    start = end;
    return line;
  });
}

export const goScanLines = (text: string): string[] => goLines(text).map((l) => l.text);

/** bufio.MaxScanTokenSize: a Scanner's buffer never grows past it. */
const MAX_SCAN_TOKEN = 64 * 1024;

/**
 * Whether a bufio.Scanner can return the token that starts at `lines[first]`
 * and is decided by the whole of line `decider` (its "\n" seen), or by the
 * end of input when `decider` is past the end or has no "\n". Everything
 * from the token's start to that point must fit the 64 KiB buffer, and the
 * end of input is only seen with a byte of room to spare; otherwise the
 * scanner fails with "bufio.Scanner: token too long".
 */
export function fitsScanBuffer(lines: readonly GoLine[], first: number, decider: number): boolean {
  const start = lines[first]!.start;
  const deciding = lines[decider];
  if (deciding?.terminated) return deciding.end - start <= MAX_SCAN_TOKEN;
  return (lines.at(-1)?.end ?? 0) - start < MAX_SCAN_TOKEN;
}

/** filepath.Clean on Linux: lexical; '' is '.', and no trailing slash except on '/'. */
export function goCleanPath(p: string): string {
  const normal = posix.normalize(p);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}
