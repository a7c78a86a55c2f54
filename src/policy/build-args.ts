/**
 * Build arguments as `apptainer build` applies them before it reads a stage
 * (internal/pkg/build/args): `{{ NAME }}` is replaced by the `--build-arg`
 * value, else the `--build-arg-file` value, else the stage's `%arguments`
 * default; an undefined one stops the build, and so does a given argument no
 * stage used (unless --warn-unused-build-args).
 */
import { UsageError } from '../errors.js';
import { parseDefinition, parseStage, type DefinitionStage } from './deffile.js';
import { fitsScanBuffer, goLines, goTrimSpace } from './go-text.js';

export type BuildArgs = ReadonlyMap<string, string>;

/**
 * `{{\s*(\w+)\s*}}` with Go's RE2 classes: `\s` is [\t\n\f\r ] (no \v, no
 * Unicode spaces), `\w` is ASCII.
 */
export const REFERENCE = /\{\{[\t\n\f\r ]*([0-9A-Za-z_]+)[\t\n\f\r ]*\}\}/g;
/** `\s*[#][^!]\s*.*`, unanchored: a "#" followed by anything but "!" marks a comment. */
export const COMMENT = /#[^!]/;

/** `getKeyVal`: KEY=VALUE, both trimmed as Go trims; the key must not be empty. */
function keyValue(text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq < 0) throw new UsageError(`${goQuote(text)} is not a key=value pair`);
  const key = goTrimSpace(text.slice(0, eq));
  if (key === '') throw new UsageError(`missing key portion in ${goQuote(text)}`);
  return [key, goTrimSpace(text.slice(eq + 1))];
}

/** Go's %q for the texts these messages quote (JSON's escapes agree for printable text). */
const goQuote = (s: string) => JSON.stringify(s);

/** Lines as a bufio.Scanner returns them, and whether it stopped early on one too long for its buffer. */
function scanLines(text: string): { lines: string[]; tooLong: boolean } {
  const lines = goLines(text);
  const fit = lines.findIndex((_, i) => !fitsScanBuffer(lines, i, i));
  return { lines: lines.slice(0, fit < 0 ? lines.length : fit).map((l) => l.text), tooLong: fit >= 0 };
}

/** A --build-arg-file: where it is and what it holds. */
export interface BuildArgFile {
  readonly path: string;
  readonly text: string;
}

/**
 * `ReadBuildArgs`: the file's KEY=VALUE lines (a bad line is skipped with a
 * warning), then each --build-arg over them (a bad one is an error).
 */
export function readBuildArgs(args: readonly string[], file: BuildArgFile | undefined, warn: (message: string) => void): Map<string, string> {
  const out = new Map<string, string>();
  if (file !== undefined) readBuildArgFile(file, out, warn);
  for (const arg of args) out.set(...keyValue(arg));
  return out;
}

function readBuildArgFile(file: BuildArgFile, out: Map<string, string>, warn: (message: string) => void): void {
  const { lines, tooLong } = scanLines(file.text);
  for (const line of lines) {
    try {
      out.set(...keyValue(line));
    } catch (e) {
      warn(`Skipping ${goQuote(line)} in build arg file: ${(e as Error).message}`);
    }
  }
  if (tooLong) throw new UsageError(`error reading build arg file ${goQuote(file.path)}: bufio.Scanner: token too long`);
}

/**
 * `ReadDefaults`: a stage's `%arguments` KEY=VALUE lines; blank and `#` lines
 * ignored, bad ones skipped with a warning. A line too long for the scanner
 * silently ends them, as in Apptainer.
 */
export function readDefaults(argumentsBody: string, warn: (message: string) => void): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of scanLines(argumentsBody).lines.map(goTrimSpace)) {
    if (line === '' || line.startsWith('#')) continue;
    try {
      out.set(...keyValue(line));
    } catch (e) {
      warn(`Skipping ${goQuote(line)} in 'arguments' section: ${(e as Error).message}`);
    }
  }
  return out;
}

/**
 * `NewReader`: the stage's text with every `{{ NAME }}` replaced, except on
 * a line that a "#" (not "#!") before it makes a comment. Values may refer to
 * other arguments one level deep. Adds the names used to `consumed`.
 */
export function applyBuildArgs(raw: string, given: BuildArgs, defaults: BuildArgs, consumed: Set<string>): string {
  let out = '';
  let copied = 0;
  for (const m of raw.matchAll(REFERENCE)) {
    // Apptainer looks back for the line start no further than the end of the last replacement.
    const lineStart = Math.max(copied, raw.lastIndexOf('\n', m.index));
    if (COMMENT.test(raw.slice(lineStart, m.index))) continue;
    const name = m[1]!;
    const value = given.get(name) ?? defaults.get(name);
    if (value === undefined) throw new UsageError(`build var ${name} is not defined through either --build-arg (--build-arg-file) or 'arguments' section`);
    out += raw.slice(copied, m.index) + expandNested(value, given, defaults);
    consumed.add(name);
    copied = m.index + m[0].length;
  }
  return out + raw.slice(copied);
}

/** A value's own `{{ NAME }}`s, replaced once from the same sources; unknown ones stay as written. */
function expandNested(value: string, given: BuildArgs, defaults: BuildArgs): string {
  let out = value;
  for (const m of value.matchAll(REFERENCE)) {
    const v = given.get(m[1]!) ?? defaults.get(m[1]!);
    if (v !== undefined) out = out.replaceAll(m[0], () => v); // a function: "$&" in a value is literal
  }
  return out;
}

/** The given arguments no stage used, sorted (Apptainer's order is a map's). */
function unusedBuildArgs(given: BuildArgs, consumed: ReadonlySet<string>): string[] {
  return [...given.keys()].filter((k) => !consumed.has(k)).sort();
}

/** What `MakeAllDefs` needs besides the definition text. */
export interface BuildArgOptions {
  /** The merged --build-arg-file and --build-arg values (readBuildArgs). */
  readonly given: BuildArgs;
  /** --warn-unused-build-args: an argument no stage used only warns. */
  readonly warnUnused?: boolean;
  readonly warn: (message: string) => void;
}

/**
 * `MakeAllDefs`: parse the stages as written, apply the build arguments to
 * each (with its own `%arguments` defaults) and parse it again.
 */
export function definitionWithBuildArgs(text: string, options: BuildArgOptions): DefinitionStage[] {
  const consumed = new Set<string>();
  const stages = parseDefinition(text).map((stage) => {
    const substituted = applyBuildArgs(stage.raw, options.given, readDefaults(stage.arguments, options.warn), consumed);
    const reparsed = parseStage(substituted);
    if (reparsed === undefined) throw new UsageError('empty definition file');
    return reparsed;
  });
  const unused = unusedBuildArgs(options.given, consumed);
  if (unused.length > 0 && options.warnUnused) options.warn(`Unused build args: ${unused.join(' ')}`);
  else if (unused.length > 0) {
    throw new UsageError(`unused build args: ${unused.join(' ')}. Use option --warn-unused-build-args to show a warning instead of a fatal message`);
  }
  return stages;
}
