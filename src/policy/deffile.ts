/**
 * An Apptainer definition file, parsed as Apptainer's
 * `pkg/build/types/parser/deffile.go` does (`All` → `ParseDefinitionFile` →
 * `doSections`/`doHeader`), with Go's white space and case rules
 * (go-text.ts), so `sif bootstrap-check` sees exactly the stages, header
 * values and `%arguments` that `apptainer build` would act on, and refuses
 * what it refuses. Section bodies other than `%arguments` are not kept.
 */
import { UsageError } from '../errors.js';
import { parseFingerprintList } from '../keys/fingerprint.js';
import { fitsScanBuffer, goIsSpace, goLines, goToLower, goTrimSpace } from './go-text.js';

/** One build stage. */
export interface DefinitionStage {
  /** The stage's text, from its `Bootstrap:` line to the next stage's (what build args apply to). */
  readonly raw: string;
  /** Every header key (lower case) and its value; undefined when the stage has no header (Apptainer's nil map). */
  readonly header: Readonly<Record<string, string>> | undefined;
  /** The `%arguments` sections' bodies, joined: the build arguments' defaults. */
  readonly arguments: string;
}

/** Header keywords Apptainer accepts (`validHeaders`); `otherurl&n` stands for otherurl1, otherurl2, … */
const VALID_HEADERS = new Set([
  'bootstrap', 'from', 'includecmd', 'mirrorurl', 'updateurl', 'osversion', 'include', 'library', 'registry',
  'namespace', 'stage', 'product', 'user', 'regcode', 'productpgp', 'registerurl', 'modules', 'otherurl&n',
  'fingerprints', 'confurl', 'setopt', 'target', 'frontend', 'filename', 'buildargs',
]);
const VALID_SECTIONS = new Set(['help', 'setup', 'files', 'labels', 'environment', 'pre', 'post', 'runscript', 'test', 'startscript', 'arguments']);
const APP_SECTIONS = new Set(['appinstall', 'applabels', 'appfiles', 'appenv', 'apptest', 'apphelp', 'apprun', 'appstart']);

/** `All`: every stage of a definition file, stages with nothing in them skipped. */
export function parseDefinition(text: string): DefinitionStage[] {
  const stages = splitStages(text).map(parseStage).filter((s): s is DefinitionStage => s !== undefined);
  if (stages.length === 0) throw new UsageError('no stages found in definition file');
  return stages;
}

/**
 * `All`'s `(?mi)^bootstrap:`: Go's `^` follows only "\n" (JavaScript's `m`
 * flag also follows "\r", U+2028, U+2029) and its `(?i)` folds case as the
 * `u` flag does (ſ matches s).
 */
export const STAGE_START = /(?<=^|\n)bootstrap:/giu;

/** `All`'s split before each stage start. */
function splitStages(text: string): string[] {
  const starts = [...text.matchAll(STAGE_START)].map((m) => m.index);
  const bounds = [0, ...starts.filter((i) => i > 0), text.length];
  return bounds.slice(1).map((end, i) => text.slice(bounds[i], end)).filter((s) => s.length > 0);
}

/** `ParseDefinitionFile` on one stage; undefined for an empty one (errEmptyDefinition, which `All` skips). */
export function parseStage(raw: string): DefinitionStage | undefined {
  const [first, ...sections] = scanTokens(raw);
  if (first === undefined) return undefined;
  const sectionsSeen: Section[] = [];
  let header: Record<string, string> | undefined;
  const leading = goTrimSpace(first);
  if (leading !== '') {
    if (leading.startsWith('%')) sectionsSeen.push(parseSection(leading));
    else header = parseHeader(leading);
  }
  sectionsSeen.push(...sections.map(parseSection));
  assertValidSections(sectionsSeen);
  if (header === undefined && sectionsSeen.every(isEmptySection)) return undefined;
  const args = sectionsSeen.filter((s) => s.key === 'arguments').map((s) => s.body).join('');
  return { raw, header, arguments: args };
}

/** bufio.ScanWords' first word starts with "%": the first non-space code point is "%". */
function opensSection(line: string): boolean {
  const first = [...line].find((c) => !goIsSpace(c.codePointAt(0)!));
  return first === '%';
}

/**
 * `scanDefinitionFile` under bufio.Scanner: the header is every line before
 * the first that opens a section; each section runs to the next. Lines are
 * rejoined with "\n". A token Scanner's 64 KiB buffer cannot decide (a huge
 * section) fails the whole definition, as it does in Apptainer.
 */
function scanTokens(raw: string): string[] {
  const lines = goLines(raw);
  const starts = lines.flatMap((l, i) => (i === 0 || opensSection(l.text) ? [i] : []));
  return starts.map((first, k) => {
    const next = starts[k + 1] ?? lines.length;
    if (!fitsScanBuffer(lines, first, next)) throw new UsageError('bufio.Scanner: token too long');
    return lines.slice(first, next).map((l) => `${l.text}\n`).join('');
  });
}

interface Section {
  /** The section's key as Apptainer files it: lower-case name, or "name app" (as written) for app sections. */
  readonly key: string;
  readonly body: string;
  readonly args: string;
}

/** `parseTokenSection`, keeping what emptiness, validity and `%arguments` need. */
function parseSection(token: string): Section {
  const newline = token.indexOf('\n');
  const first = newline < 0 ? token : token.slice(0, newline);
  if (newline < 0) throw new UsageError(`section ${first}: could not be split into section name and body`);
  const body = token.slice(newline + 1);
  const unprefixed = first.replace(/^%+/, '');
  const name = goToLower(unprefixed).split(' ', 1)[0]!;
  if (APP_SECTIONS.has(name)) {
    const parts = unprefixed.split(' ');
    if (parts.length < 2) throw new UsageError(`app section ${parts[0]}: could not be split into section name and app name`);
    return { key: `${parts[0]} ${parts[1]}`, body, args: '' };
  }
  if (name === 'files') assertFilesParse(body);
  const space = unprefixed.indexOf(' ');
  return { key: name, body, args: space < 0 ? '' : unprefixed.slice(space + 1) };
}

/**
 * A `%files` line that is a lone `"` matches nothing of Apptainer's
 * source/destination pattern, and its parser then indexes the empty match
 * list: it panics, and the build never starts.
 */
function assertFilesParse(body: string): void {
  if (body.split('\n').some((line) => goTrimSpace(line) === '"')) {
    throw new UsageError("%files: a line that is a lone \" crashes Apptainer's parser (index out of range)");
  }
}

/** `populateDefinition`: a section neither standard nor (spelled in lower case) an app section is an error. */
function assertValidSections(sections: readonly Section[]): void {
  const invalid = [...new Set(sections.map((s) => s.key))].filter((k) => !VALID_SECTIONS.has(k) && !APP_SECTIONS.has(k.split(' ')[0]!));
  if (invalid.length > 0) throw new UsageError(`invalid section(s) specified: ${invalid.join(', ')}`);
}

/** `isEmpty`'s view of a section: a standard one with no body and no arguments (%labels: no labels). */
function isEmptySection(s: Section): boolean {
  if (s.key === 'files' || !VALID_SECTIONS.has(s.key) || s.args !== '') return false;
  const body = s.key === 'labels' ? s.body.split('\n').map(goTrimSpace).filter((l) => l !== '' && !l.startsWith('#')).join('') : s.body;
  return body === '';
}

/**
 * `doHeader`, line by line, with its comment trimming and continuation rules.
 * Undefined when no key was set (Apptainer leaves the header nil).
 */
export function parseHeader(text: string): Record<string, string> | undefined {
  const header: Record<string, string> = {};
  let keyCont = '';
  let valCont = '';
  for (const raw of goTrimSpace(text).split('\n')) {
    const line = goTrimSpace(raw);
    if (line === '' || line.startsWith('#')) {
      // Apptainer stores the pending value into a header map that does not exist yet: it panics.
      if (keyCont !== '') throw new UsageError(`failed to parse deffile header: the continued ${keyCont}: value ends at a blank or comment line, which crashes Apptainer's parser`);
      continue;
    }
    const trimmed = line.split('#')[0]!;
    let key: string;
    let val: string;
    if (valCont === '') {
      const colon = trimmed.indexOf(':');
      if (colon < 0) throw new UsageError(`failed to parse deffile header: header key ${trimmed} had no val`);
      key = goToLower(goTrimSpace(trimmed.slice(0, colon)));
      val = goTrimSpace(trimmed.slice(colon + 1));
    } else {
      key = keyCont;
      val = valCont + goTrimSpace(trimmed);
      keyCont = valCont = '';
    }
    if (val.endsWith('\\')) {
      keyCont = key;
      valCont = val.slice(0, -1);
      if (valCont.endsWith('\\n')) valCont = `${valCont.slice(0, -2)}\n`;
      continue;
    }
    assertValidKey(key);
    header[key] = val;
  }
  return Object.keys(header).length > 0 ? header : undefined;
}

function assertValidKey(key: string): void {
  if (VALID_HEADERS.has(key)) return;
  const numbered = key.replace(/\d+$/, '&n');
  if (numbered !== key && VALID_HEADERS.has(numbered)) return;
  throw new UsageError(`failed to parse deffile header: invalid header keyword found: ${key}`);
}

/**
 * `GetLocalPacker`'s reading of `Fingerprints:`: drop anything after "#",
 * trim, split on commas, trim each item (Go's trimming throughout). Empty
 * means none: verify, but only warn.
 */
export function headerFingerprints(value: string | undefined): string[] {
  const text = goTrimSpace((value ?? '').split('#')[0]!);
  return text === '' ? [] : parseFingerprintList(text, 'definition file header Fingerprints', goTrimSpace);
}
