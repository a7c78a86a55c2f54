/**
 * A lone "-" argument: stdin for an input (`sif add IMG -`, `sif key import -`),
 * stdout for an output (`sif key export -`). yargs re-parses each positional
 * as `--name value`, where "-" reads as a flag and the value is lost, so "-"
 * crosses the parser as a token no shell can pass (argv never holds NUL) and
 * is restored before any command runs. Arguments that must name a file refuse
 * it here, for every command alike.
 */
import { UsageError } from '../errors.js';

const DASH = '\0-';

/** Arguments (by yargs name) that cannot be a stream, and why. */
const MUST_BE_A_FILE: Readonly<Record<string, string>> = {
  image: 'IMAGE cannot be "-": a SIF image must be a file',
  definition: 'DEFINITION cannot be "-": apptainer build reads the definition from a file',
};

/** argv with every lone "-" replaced by the parser-safe token. */
export const protectDash = (argv: readonly string[]): string[] => argv.map((a) => (a === '-' ? DASH : a));

/** yargs messages quote arguments: show the token as the "-" the user typed. */
export const showDash = (message: string): string => message.replaceAll(DASH, '-');

const restore = (v: unknown): unknown => (v === DASH ? '-' : Array.isArray(v) ? v.map(restore) : v);

/** Global yargs middleware: "-" back in every value; refused where a file is needed. */
export function restoreDash(argv: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(argv)) argv[key] = restore(value);
  const refused = Object.keys(MUST_BE_A_FILE).find((key) => argv[key] === '-');
  if (refused !== undefined) throw new UsageError(`${MUST_BE_A_FILE[refused]} (for a file named -, write ./-)`);
}
