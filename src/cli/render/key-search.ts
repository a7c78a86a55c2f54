/**
 * `sif key search`'s table, as Apptainer's formatMROutput prints an HKP
 * machine-readable index (draft-shaw-openpgp-hkp-00 §5.2), quirks included:
 * one Go tabwriter over the whole table, so only the header and the first key
 * share column widths (a line without tabs ends a column block); the KEY ID is
 * the last 8 characters of whatever the server sent; EdDSA is "unknown"; a
 * User ID that is not valid %-escaping is printed raw.
 */
import { goLocalTimeString, type GoZone } from './go-local-time.js';
import { tabwrite } from './tabwriter.js';

export interface SearchTable {
  /** The keys listed; -1 when the reply could not be turned into a table (Apptainer prints "Showing -1 results"). */
  readonly count: number;
  /** The table, possibly empty. */
  readonly table: Buffer;
  /** Why the reply is not a table Apptainer accepts, when it is not. */
  readonly error: string | undefined;
}

const ALGORITHMS: Readonly<Record<number, string>> = { 1: 'RSA', 2: 'RSA', 3: 'RSA', 16: 'Elgamal', 17: 'DSA', 18: 'Elliptic Curve', 19: 'ECDSA', 20: 'Reserved', 21: 'Diffie-Hellman' };
const LONG_HEADER = ['FINGERPRINT', 'ALGORITHM', 'BITS', 'CREATION DATE', 'EXPIRATION DATE', 'STATUS'];
const SHORT_HEADER = ['KEY ID', 'BITS'];
/** Fields a record is padded to, as the reference pads trailing separators a server may drop. */
const PAD_FIELDS = 6;

/** The table for an index reply; `zone` is Go's local zone for the long form's dates. */
export function formatSearchIndex(body: string, long: boolean, zone: GoZone): SearchTable {
  const parts: Buffer[] = [];
  const cells = (values: readonly string[]) => parts.push(Buffer.from(values.map((v) => `${v}\t`).join(''), 'utf8'));
  const text = (s: string) => parts.push(Buffer.from(s, 'utf8'));
  cells(long ? LONG_HEADER : SHORT_HEADER);
  text('NAME/EMAIL\n');
  let expected = 0;
  let count = 0;
  let gotName = false;
  for (const raw of body.split('\n')) {
    const fields = (raw.trim() + ':'.repeat(PAD_FIELDS)).trim().split(':');
    const tag = fields[0];
    if (tag === 'info') {
      const n = goAtoi(fields[2]!);
      if (n === undefined) return { count: -1, table: Buffer.alloc(0), error: 'unable to check number of keys' };
      expected = n;
    } else if (tag === 'pub') {
      if (count > 0) text(gotName ? '\n' : '\n\n');
      gotName = false;
      if (long) {
        const algorithm = algorithmName(fields[2]!);
        if (algorithm === undefined) return { count: -1, table: Buffer.alloc(0), error: `strconv.ParseInt: parsing ${JSON.stringify(fields[2])}: invalid syntax` };
        cells([fields[1]!, algorithm, fields[3]!, date(fields[4]!, zone), date(fields[5]!, zone), status(fields[6]!)]);
      } else {
        cells([fields[1]!.slice(-8), fields[3]!]);
      }
      count++;
    } else if (tag === 'uid') {
      if (gotName) cells(Array<string>((long ? LONG_HEADER : SHORT_HEADER).length).fill(''));
      gotName = true;
      parts.push(goQueryUnescape(fields[1]!) ?? Buffer.from(fields[1]!, 'utf8'), Buffer.from('\n'));
    }
  }
  if (count > 0 && !gotName) text('\n');
  const table = tabwrite(Buffer.concat(parts), 2);
  if (expected > 0 && count !== expected) return { count: -1, table, error: 'failed to convert machine readable to human readable output correctly' };
  return { count, table, error: undefined };
}

/** Go's strconv.Atoi for the index's key count. */
function goAtoi(text: string): number | undefined {
  return /^[+-]?[0-9]+$/.test(text) ? Number(text) : undefined;
}

function algorithmName(field: string): string | undefined {
  if (!/^[+-]?[0-9]+$/.test(field)) return undefined;
  return ALGORITHMS[Number(field)] ?? 'unknown';
}

/** Unix seconds as Go's time.Unix(n, 0).String() in the local zone; "none" stays; unparsable is 0. */
function date(field: string, zone: GoZone): string {
  if (field === '') return '';
  if (field === 'none') return field;
  const seconds = /^[+-]?[0-9]+$/.test(field) ? Number(field) : 0;
  return goLocalTimeString(new Date(seconds * 1000), zone);
}

function status(flags: string): string {
  if (flags.includes('r')) return '[revoked]';
  if (flags.includes('d')) return '[disabled]';
  if (flags.includes('e')) return '[expired]';
  return '[enabled]';
}

/** Go's url.QueryUnescape: `+` is a space, `%XX` a byte; undefined when an escape is malformed. */
export function goQueryUnescape(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'utf8');
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x2b) out.push(0x20);
    else if (b !== 0x25) out.push(b);
    else {
      const hex = bytes.subarray(i + 1, i + 3).toString('latin1');
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      out.push(parseInt(hex, 16));
      i += 2;
    }
  }
  return Buffer.from(out);
}
