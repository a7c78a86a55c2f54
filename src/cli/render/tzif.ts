/**
 * The zone abbreviation and UTC offset at an instant, read from a TZif file
 * (RFC 8536) the way Go's time package reads it, so "CET", "IST" or "AEDT"
 * print as Apptainer prints them — ICU knows few of these names.
 */

export interface ZoneInfo {
  readonly abbreviation: string;
  readonly offsetSeconds: number;
}

interface ZoneType {
  offsetSeconds: number;
  isDst: boolean;
  abbreviation: string;
}

interface Tzif {
  transitions: number[];
  typeIndexes: number[];
  types: ZoneType[];
  footer: string;
}

/**
 * The zone in effect at `unixSeconds`. After the last transition the
 * footer's POSIX rule applies; its standard or daylight name is picked by
 * `offsetAt` (the offset ICU computes for that instant). Undefined when the
 * data is not TZif.
 */
export function zoneAt(data: Uint8Array, unixSeconds: number, offsetAt: () => number): ZoneInfo | undefined {
  const tz = parseTzif(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  if (!tz || tz.types.length === 0) return undefined;
  const last = tz.transitions.length - 1;
  if (tz.footer && (last < 0 || unixSeconds >= tz.transitions[last]!)) {
    const fromRule = ruleZone(tz.footer, offsetAt());
    if (fromRule) return fromRule;
  }
  let index = 0; // before the first transition Go uses the first zone type
  for (let lo = 0, hi = last; lo <= hi; ) {
    const mid = (lo + hi) >> 1;
    if (tz.transitions[mid]! <= unixSeconds) [index, lo] = [tz.typeIndexes[mid]!, mid + 1];
    else hi = mid - 1;
  }
  const type = tz.types[index] ?? tz.types[0]!;
  return { abbreviation: type.abbreviation, offsetSeconds: type.offsetSeconds };
}

function parseTzif(b: Buffer): Tzif | undefined {
  if (b.length < 44 || b.toString('latin1', 0, 4) !== 'TZif') return undefined;
  const v1 = readBlock(b, 0, 4);
  if (b[4] === 0 || !v1) return v1 && { ...v1.tz, footer: '' };
  const v2 = readBlock(b, v1.end, 8); // version 2+: the 64-bit block follows the 32-bit one
  if (!v2) return undefined;
  const footerEnd = b.indexOf(0x0a, v2.end + 1);
  return { ...v2.tz, footer: footerEnd > v2.end ? b.toString('latin1', v2.end + 1, footerEnd) : '' };
}

function readBlock(b: Buffer, start: number, timeSize: 4 | 8): { tz: Omit<Tzif, 'footer'>; end: number } | undefined {
  if (b.length < start + 44) return undefined;
  const [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt] = [20, 24, 28, 32, 36, 40].map((o) => b.readUInt32BE(start + o)) as [number, number, number, number, number, number];
  let at = start + 44;
  const end = at + timecnt * timeSize + timecnt + typecnt * 6 + charcnt + leapcnt * (timeSize + 4) + isstdcnt + isutcnt;
  if (b.length < end) return undefined;
  const transitions = Array.from({ length: timecnt }, (_, i) => (timeSize === 8 ? Number(b.readBigInt64BE(at + i * 8)) : b.readInt32BE(at + i * 4)));
  at += timecnt * timeSize;
  const typeIndexes = [...b.subarray(at, at + timecnt)];
  at += timecnt;
  const charsAt = at + typecnt * 6;
  const types = Array.from({ length: typecnt }, (_, i) => {
    const o = at + i * 6;
    const nameStart = charsAt + b[o + 5]!;
    const nameEnd = b.indexOf(0, nameStart);
    return { offsetSeconds: b.readInt32BE(o), isDst: b[o + 4] === 1, abbreviation: b.toString('latin1', nameStart, nameEnd < 0 ? charsAt + charcnt : nameEnd) };
  });
  return { tz: { transitions, typeIndexes, types }, end };
}

/** The POSIX TZ footer's names and offsets, e.g. "CET-1CEST,M3.5.0,M10.5.0/3" or "<+03>-3". */
const RULE = /^(<[^>]*>|[A-Za-z]+)([+-]?\d+(?::\d+){0,2})(?:(<[^>]*>|[A-Za-z]+)([+-]?\d+(?::\d+){0,2})?)?/;

function ruleZone(footer: string, offsetSeconds: number): ZoneInfo | undefined {
  const m = RULE.exec(footer);
  if (!m) return undefined;
  const name = (s: string) => s.replace(/^<|>$/g, '');
  const std = { abbreviation: name(m[1]!), offsetSeconds: -posixOffset(m[2]!) };
  if (!m[3]) return std;
  const dst = { abbreviation: name(m[3]), offsetSeconds: m[4] ? -posixOffset(m[4]) : std.offsetSeconds + 3600 };
  return offsetSeconds === dst.offsetSeconds && offsetSeconds !== std.offsetSeconds ? dst : std;
}

/** POSIX offsets count west of Greenwich: "-1" is UTC+1. */
function posixOffset(text: string): number {
  const sign = text.startsWith('-') ? -1 : 1;
  const [h = 0, mi = 0, s = 0] = text.replace(/^[+-]/, '').split(':').map(Number);
  return sign * (h * 3600 + mi * 60 + s);
}
