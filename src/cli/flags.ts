/**
 * Flag values parsed as siftool's pflag parses them (strconv base 0), with its
 * messages, plus `--time` (RFC 3339 or Unix seconds).
 */
import { UsageError } from '../errors.js';

const SYNTAX = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;

function parseBase0(text: string): bigint | undefined {
  const m = SYNTAX.exec(text);
  if (!m) return undefined;
  const digits = m[2]!;
  const magnitude = /^0[0-7]+$/.test(digits) ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits.toLowerCase());
  return m[1] === '-' ? -magnitude : magnitude;
}

/**
 * A pflag integer flag: `bits` wide, signed or not. Errors read
 * `invalid argument "x" for "--flag" flag: strconv.ParseInt: parsing "x": invalid syntax`.
 */
export function parseIntFlag(flag: string, text: string, bits: 32 | 64, signed: boolean): number {
  const fn = signed ? 'ParseInt' : 'ParseUint';
  const fail = (why: string) =>
    new UsageError(`invalid argument ${JSON.stringify(text)} for "--${flag}" flag: strconv.${fn}: parsing ${JSON.stringify(text)}: ${why}`);
  const v = parseBase0(text);
  if (v === undefined || (!signed && text.startsWith('-'))) throw fail('invalid syntax');
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
  // Beyond 2^53 no flag of ours means anything; report it as pflag reports overflow.
  if (v > max || v < min || v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw fail('value out of range');
  }
  return Number(v);
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** `--time`: Unix seconds, or an RFC 3339 date-time (fractions of a second are dropped). */
export function parseTime(text: string): bigint {
  if (/^-?\d+$/.test(text)) {
    const t = BigInt(text);
    if (t >= -(1n << 63n) && t < 1n << 63n) return t;
  }
  const m = RFC3339.exec(text);
  if (m) {
    const [, y, mo, d, h, mi, s, , zone] = m;
    const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${zone!.toUpperCase()}`;
    const ms = Date.parse(iso);
    const roundTrips = !Number.isNaN(ms) && new Date(Date.parse(`${y}-${mo}-${d}T00:00:00Z`)).getUTCDate() === Number(d);
    if (roundTrips && Number(h) < 24 && Number(mi) < 60 && Number(s) < 60) return BigInt(Math.floor(ms / 1000));
  }
  throw new UsageError(`invalid time ${JSON.stringify(text)}: use RFC 3339 (2020-06-30T00:01:56Z) or Unix seconds`);
}

/** Go's %#U of one byte, as encoding/hex quotes an invalid byte. */
function goRune(b: number): string {
  const hex = `U+${b.toString(16).toUpperCase().padStart(4, '0')}`;
  const printable = (b >= 0x20 && b < 0x7f) || (b >= 0xa1 && b !== 0xad);
  return printable ? `${hex} '${String.fromCharCode(b)}'` : hex;
}

/** Go's hex.DecodeString, with its error texts. */
export function decodeHex(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const isHex = (b: number) => (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46);
  const bad = bytes.findIndex((b, i) => !isHex(b) && i < bytes.length - (bytes.length % 2));
  if (bad >= 0) throw new UsageError(`encoding/hex: invalid byte: ${goRune(bytes[bad]!)}`);
  if (bytes.length % 2 === 1) {
    const last = bytes[bytes.length - 1]!;
    throw new UsageError(isHex(last) ? 'encoding/hex: odd length hex string' : `encoding/hex: invalid byte: ${goRune(last)}`);
  }
  return Buffer.from(text, 'hex');
}
