/**
 * Puts the reference's verification errors and ours in the same words, so
 * tests can say "same verdict" while our texts stay more specific.
 */
import { oracleBinary } from './oracle.js';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PATTERNS: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^header integrity compromised$/, () => 'header'],
  [/^data object descriptor integrity compromised: (\d+)$/, (m) => `descriptor ${m[1]}`],
  [/^data object integrity compromised: (\d+)$/, (m) => `object ${m[1]}`],
  [/^data object integrity compromised$/, () => 'object'],
  [/^signature object (\d+) not valid/, (m) => `signature ${m[1]}`],
  // sif 2.8.3 predates DSSE: an envelope is to it a signature object that is not valid.
  [/^key material not provided for DSSE envelope signature \(signature object (\d+)\)$/, (m) => `signature ${m[1]}`],
  [/^signature object \d+: fingerprint in descriptor/, () => 'fingerprint'],
  [/^fingerprint in descriptor does not correspond/, () => 'fingerprint'],
  [/^(signature object \d+: )?hash algorithm unsupported/, () => 'hash'],
  [/^(signature object \d+: )?(digest malformed|legacy digest: .*|encoding\/hex: .*)$/, () => 'digest malformed'],
  [/^signature not found for object group (\d+)$/, (m) => `not-found group ${m[1]}`],
  [/^signature not found for object (\d+)$/, (m) => `not-found object ${m[1]}`],
  [/^object (\d+): object not signed$/, (m) => `not-signed ${m[1]}`],
  [/^object (\d+): signed object not found$/, (m) => `signed-not-found ${m[1]}`],
  [/^(no objects in image|group not found|object not found|invalid group ID|invalid object ID|no groups found)$/, (m) => m[1]!],
  [/^non-signature object not associated with object group$/, () => 'ungrouped'],
];

/** The kind of a verification error text (reference or ours); '' means verified. */
export function verdictKind(message: string): string {
  const text = message.replace(/^sif: /, '').replace(/^integrity: /, '').trim();
  if (text === '') return '';
  for (const [re, kind] of PATTERNS) {
    const m = re.exec(text);
    if (m) return kind(m);
  }
  return `other: ${text}`;
}

export interface OracleVerdict {
  error: string;
  signatures: { signature: number; verified: number[]; fingerprint: string; error: string }[];
  anySignedBy: string[];
  allSignedBy: string[];
}

/** Runs many oracle jobs in one process. */
export function oracleBatch<T = OracleVerdict>(dir: string, jobs: string[][]): T[] {
  const file = join(dir, `jobs-${process.pid}-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(jobs));
  const r = spawnSync(oracleBinary(), ['batch', file], { maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`oracle batch failed: ${r.stderr.toString()}`);
  return JSON.parse(r.stdout.toString()) as T[];
}

/**
 * Oracle verify arguments for our CLI flags. `--legacy-insecure` alone verifies
 * the primary system partition (Apptainer's rule), whose ID is `primary`.
 */
export function oracleVerifyArgs(image: string, keyring: string, flags: readonly string[], primary?: number): string[] {
  const args = ['verify', '--keyring', keyring];
  const narrowed = flags.includes('--group-id') || flags.includes('--sif-id') || flags.includes('--all');
  if (flags.includes('--legacy-insecure') && !narrowed && primary !== undefined) args.push('--object', String(primary));
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i]!;
    if (f === '--group-id') args.push('--group', flags[++i]!);
    else if (f === '--sif-id') args.push('--object', flags[++i]!);
    else if (f === '--legacy-insecure') args.push(flags.includes('--all') ? '--legacy-all' : '--legacy');
  }
  return [...args, image];
}
