/**
 * What a command declares, read without yargs: its builder runs on a recorder
 * that keeps each `.option()` and `.positional()` and ignores `.example()`.
 * The hot path (hot-commands.ts) parses plain command lines with it, so a
 * flag's type, default and repeatability stay where the command declares
 * them, for yargs and the hot path alike. A builder that calls anything else
 * (a check, a conflict, a coercion) has rules only yargs applies: the
 * recorder then reports the command as not plain.
 */
import type { Argv, Options, PositionalOptions } from 'yargs';

export interface DeclaredFlags {
  readonly options: ReadonlyMap<string, Options>;
  readonly positionals: readonly string[];
}

/** Builder methods that only describe (help text), so a plain parse may skip them. */
const DESCRIPTIVE = new Set(['example']);

/** The builder's options and positionals, or undefined when it uses more of yargs than these. */
export function declaredFlags(builder: unknown): DeclaredFlags | undefined {
  if (typeof builder !== 'function') return undefined;
  const options = new Map<string, Options>();
  const positionals: string[] = [];
  let plain = true;
  const recorder: object = new Proxy(
    {},
    {
      get: (_, method) => (name: string, spec: Options | PositionalOptions) => {
        if (method === 'option') options.set(name, spec as Options);
        else if (method === 'positional') positionals.push(name);
        else if (typeof method !== 'string' || !DESCRIPTIVE.has(method)) plain = false;
        return recorder;
      },
    },
  );
  (builder as (y: Argv) => unknown)(recorder as Argv);
  return plain ? { options, positionals } : undefined;
}

/**
 * The arguments yargs would hand the handler for a command line made only of
 * the command's positionals (none starting with "-") and its long flags:
 * switches as `--name`, string flags once as `--name V` or `--name=V`,
 * repeatable flags any number of times. Undefined for anything else (an
 * alias, `--no-`, a choice to validate, a repeated switch or single-value
 * flag, help, "-" or "--"), which yargs must parse and report.
 */
export function plainArguments(argv: readonly string[], declared: DeclaredFlags): Record<string, unknown> | undefined {
  const args: Record<string, unknown> = {};
  for (const [name, spec] of declared.options) if (spec.default !== undefined) args[name] = spec.default;
  const given = new Set<string>();
  const values: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      if (arg === '' || arg.startsWith('-')) return undefined;
      values.push(arg);
      continue;
    }
    const [name, inline] = splitFlag(arg.slice(2));
    const spec = declared.options.get(name);
    if (spec === undefined || spec.choices !== undefined) return undefined;
    const repeatable = spec.type === 'array';
    if (given.has(name) && !repeatable) return undefined;
    given.add(name);
    if (spec.type === 'boolean') {
      if (inline !== undefined) return undefined;
      args[name] = true;
      continue;
    }
    if (spec.type !== 'string' && !repeatable) return undefined;
    const value = inline ?? argv[++i];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('-'))) return undefined;
    args[name] = repeatable ? [...((args[name] as string[] | undefined) ?? []), value] : value;
  }
  if (values.length !== declared.positionals.length) return undefined;
  declared.positionals.forEach((name, i) => (args[name] = values[i]));
  return args;
}

const splitFlag = (flag: string): [string, string | undefined] => {
  const at = flag.indexOf('=');
  return at < 0 ? [flag, undefined] : [flag.slice(0, at), flag.slice(at + 1)];
};
