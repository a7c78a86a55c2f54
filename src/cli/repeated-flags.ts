/**
 * One rule for a flag given more than once, for every command: a flag
 * declared `repeatable` accumulates its values into a list; any other flag
 * that takes a value is a usage error naming it, where yargs alone would hand
 * the command an array it does not expect. Switches (boolean flags) carry no
 * value, so repeating one changes nothing and the last spelling wins
 * (`--json --no-json`), as with Apptainer's and siftool's flags.
 */
import { UsageError } from '../errors.js';

/**
 * Declares a repeatable string flag: `.option('keyring', { ...repeatable, describe })`.
 * yargs then collects one value per occurrence (nargs 1 keeps it from
 * swallowing the positionals that follow) into a string[], even when given once.
 */
export const repeatable = { type: 'array', string: true, nargs: 1 } as const;

/** What the middleware needs of yargs' option table (yargs' own getOptions()). */
export interface DeclaredOptions {
  readonly key: Readonly<Record<string, unknown>>;
  readonly array: readonly string[];
  readonly boolean: readonly string[];
  readonly alias: Readonly<Record<string, readonly string[]>>;
}

const spelling = (name: string) => (name.length === 1 ? `-${name}` : `--${name}`);

/** Global yargs middleware (before validation): refuses a single-value flag given more than once. */
export function refuseRepeatedFlags(argv: Readonly<Record<string, unknown>>, options: DeclaredOptions): void {
  const aliases = new Set(Object.values(options.alias).flat());
  for (const name of Object.keys(options.key)) {
    if (aliases.has(name) || options.array.includes(name) || !Array.isArray(argv[name])) continue;
    const also = (options.alias[name] ?? []).map(spelling);
    throw new UsageError(`${spelling(name)}${also.length > 0 ? ` (${also.join(', ')})` : ''} was given more than once: it takes one value`);
  }
}
