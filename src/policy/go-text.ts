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

/** bufio.ScanLines: split at "\n", dropping one "\r" before it; no line after a final "\n". */
export function goScanLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** filepath.Clean on Linux: lexical; '' is '.', and no trailing slash except on '/'. */
export function goCleanPath(p: string): string {
  const normal = posix.normalize(p);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}
