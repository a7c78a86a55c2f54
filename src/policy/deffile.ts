/**
 * The header of an Apptainer definition file, parsed as Apptainer's
 * `pkg/build/types/parser/deffile.go` does (`All` → `ParseDefinitionFile` →
 * `doHeader`), so `sif bootstrap-check` sees exactly the Bootstrap, From and
 * Fingerprints values `apptainer build` would act on. Only the header matters
 * here; sections are skipped.
 */
import { UsageError } from '../errors.js';
import { parseFingerprintList } from './fingerprints.js';

/** One build stage's header: lower-cased keys → values. */
export interface DefinitionStage {
  /** Every header key (lower case) and its value, comments and continuations resolved. */
  readonly header: Readonly<Record<string, string>>;
  /** `Bootstrap:` value, as written (Apptainer matches it case-sensitively); '' when absent. */
  readonly bootstrap: string;
  /** `From:` value; '' when absent. */
  readonly from: string;
  /** Normalised `Fingerprints:` (upper case); empty when absent or empty, meaning "verify, but only warn". */
  readonly fingerprints: readonly string[];
}

/** Header keywords Apptainer accepts (`validHeaders`); `otherurl&n` stands for otherurl1, otherurl2, … */
const VALID_HEADERS = new Set([
  'bootstrap', 'from', 'includecmd', 'mirrorurl', 'updateurl', 'osversion', 'include', 'library', 'registry',
  'namespace', 'stage', 'product', 'user', 'regcode', 'productpgp', 'registerurl', 'modules', 'otherurl&n',
  'fingerprints', 'confurl', 'setopt', 'target', 'frontend', 'filename', 'buildargs',
]);

/** Parses every stage of a definition file (stages start at a line beginning `bootstrap:`, any case). */
export function parseDefinition(text: string): DefinitionStage[] {
  const stages: DefinitionStage[] = [];
  for (const chunk of splitStages(text)) {
    const header = headerText(chunk);
    if (header === undefined) continue; // Apptainer skips stages with nothing in them
    stages.push(toStage(parseHeader(header)));
  }
  if (stages.length === 0) throw new UsageError('no stages found in definition file');
  return stages;
}

/** `All`: split before every line that starts with `bootstrap:` (case-insensitive). */
function splitStages(text: string): string[] {
  const starts = [...text.matchAll(/^bootstrap:/gim)].map((m) => m.index);
  const bounds = [0, ...starts.filter((i) => i > 0), text.length];
  return bounds.slice(1).map((end, i) => text.slice(bounds[i], end)).filter((s) => s.length > 0);
}

/**
 * `scanDefinitionFile`: the header is everything before the first line whose
 * first word starts with `%`. Undefined when the chunk is empty (skipped).
 */
function headerText(stage: string): string | undefined {
  const lines = stage.split('\n').map((l) => l.replace(/\r$/, ''));
  const header: string[] = [];
  for (const line of lines) {
    if (line.trim().split(/\s+/)[0]?.startsWith('%')) break;
    header.push(line);
  }
  // A chunk of only blank and comment lines (e.g. before the first Bootstrap:) is no stage at all.
  if (lines.every((l) => l.trim() === '' || l.trim().startsWith('#'))) return undefined;
  return header.join('\n').trim();
}

/** `doHeader`, line by line, including its continuation rules. */
export function parseHeader(text: string): Record<string, string> {
  const header: Record<string, string> = {};
  let keyCont = '';
  let valCont = '';
  for (const raw of text.trim().split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) {
      // A blank or comment line ends a pending continuation with what it has so far.
      if (keyCont !== '') header[keyCont] = valCont;
      keyCont = valCont = '';
      continue;
    }
    const trimmed = line.split('#')[0] ?? '';
    let key: string;
    let val: string;
    if (valCont === '') {
      const colon = trimmed.indexOf(':');
      if (colon < 0) throw new UsageError(`failed to parse deffile header: header key ${trimmed} had no val`);
      key = trimmed.slice(0, colon).trim().toLowerCase();
      val = trimmed.slice(colon + 1).trim();
    } else {
      key = keyCont;
      val = valCont + trimmed.trim();
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
  return header;
}

function assertValidKey(key: string): void {
  if (VALID_HEADERS.has(key)) return;
  const numbered = key.replace(/\d+$/, '&n');
  if (numbered !== key && VALID_HEADERS.has(numbered)) return;
  throw new UsageError(`failed to parse deffile header: invalid header keyword found: ${key}`);
}

function toStage(header: Record<string, string>): DefinitionStage {
  return {
    header,
    bootstrap: header.bootstrap ?? '',
    from: header.from ?? '',
    fingerprints: headerFingerprints(header.fingerprints),
  };
}

/**
 * `GetLocalPacker`'s normalisation: drop anything after `#`, trim, and split
 * on commas, trimming each item. Empty means none.
 */
export function headerFingerprints(value: string | undefined): string[] {
  const text = (value ?? '').split('#')[0]?.trim() ?? '';
  return text === '' ? [] : parseFingerprintList(text, 'definition file header Fingerprints');
}
