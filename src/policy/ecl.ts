/**
 * Apptainer's Execution Control List (`ecl.toml`, internal/pkg/syecl): loading,
 * `ValidateConfig` with its messages, and the choice of execgroup for an image
 * by the image's directory. Deciding whether the image passes is in decide.ts.
 */
import { realpath } from 'node:fs/promises';
import { readWholeFile } from '../bounded-read.js';
import { isRemoteImage } from '../image/image.js';
import { dirname, resolve } from 'node:path';
import { fromSystemError, PolicyError, UsageError } from '../errors.js';
import { isFullFingerprint } from '../keys/fingerprint.js';
import { ECL_PREFIX, type EclMode, type ExecGroup } from './decide.js';

export interface EclConfig {
  /** Whether the rules apply at all; default false (Apptainer ships the file deactivated). */
  readonly activated: boolean;
  /** Verify legacy (pre-3.6) signatures of the primary partition instead; default false. */
  readonly legacyinsecure: boolean;
  readonly execgroup: readonly ExecGroup[];
}

const TOP_KEYS = new Set(['activated', 'legacyinsecure', 'execgroup']);
const GROUP_KEYS = new Set(['tagname', 'mode', 'dirpath', 'keyfp']);

/** Reads and validates an ecl.toml (LoadConfig + ValidateConfig). */
export async function loadEcl(path: string): Promise<EclConfig> {
  let text: string;
  try {
    text = (await readWholeFile(path, 'an ECL file')).toString('utf8');
  } catch (e) {
    throw fromSystemError(e, path);
  }
  const config = await parseEcl(text, path);
  await validateEcl(config);
  return config;
}

/**
 * Parses ecl.toml text. Unlike go-toml we reject unknown keys: a misspelt
 * `keyfps` would otherwise silently empty a whitestrict list, which passes.
 */
export async function parseEcl(text: string, source = 'ecl.toml'): Promise<EclConfig> {
  const { parse } = await import('smol-toml');
  let doc: Record<string, unknown>;
  try {
    doc = parse(text);
  } catch (e) {
    throw new UsageError(`while loading ECL configuration ${source}: ${oneLine((e as Error).message)}`, { cause: e });
  }
  const bad = (msg: string) => new UsageError(`while loading ECL configuration ${source}: ${msg}`);
  rejectUnknown(doc, TOP_KEYS, '', bad);
  const groups = doc.execgroup ?? [];
  if (!Array.isArray(groups)) throw bad('execgroup must be an array of tables ([[execgroup]])');
  return {
    activated: bool(doc.activated, 'activated', bad),
    legacyinsecure: bool(doc.legacyinsecure, 'legacyinsecure', bad),
    execgroup: groups.map((g, i) => execGroup(g, `execgroup[${i}]`, bad)),
  };
}

type Bad = (msg: string) => UsageError;

function execGroup(g: unknown, where: string, bad: Bad): ExecGroup {
  if (typeof g !== 'object' || g === null || Array.isArray(g)) throw bad(`${where} must be a table`);
  const table = g as Record<string, unknown>;
  rejectUnknown(table, GROUP_KEYS, `${where}.`, bad);
  const keyfp = table.keyfp ?? [];
  if (!Array.isArray(keyfp) || keyfp.some((k) => typeof k !== 'string')) throw bad(`${where}.keyfp must be an array of strings`);
  return {
    tagname: str(table.tagname, `${where}.tagname`, bad),
    mode: str(table.mode, `${where}.mode`, bad) as EclMode,
    dirpath: str(table.dirpath, `${where}.dirpath`, bad),
    keyfp: keyfp as string[],
  };
}

function rejectUnknown(table: Record<string, unknown>, known: Set<string>, prefix: string, bad: Bad): void {
  const unknown = Object.keys(table).find((k) => !known.has(k));
  if (unknown !== undefined) throw bad(`unknown key ${prefix}${unknown} (known: ${[...known].join(', ')})`);
}

function bool(v: unknown, name: string, bad: Bad): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw bad(`${name} must be true or false`);
  return v;
}

function str(v: unknown, name: string, bad: Bad): string {
  if (v === undefined) return '';
  if (typeof v !== 'string') throw bad(`${name} must be a string`);
  return v;
}

/** `ValidateConfig`, with Apptainer's messages, checked group by group in file order. */
export async function validateEcl(config: EclConfig): Promise<void> {
  const bad = (msg: string) => new UsageError(`while validating ECL configuration: ${msg}`);
  const seen = new Set<string>();
  for (const g of config.execgroup) {
    if (seen.has(g.dirpath)) throw bad(`a specific dirpath can only appear in one execgroup: ${g.dirpath}`);
    seen.add(g.dirpath);
    if (g.dirpath !== '' && (await resolvedDir(g.dirpath, bad)) !== g.dirpath) {
      throw bad('all execgroup dirpath`s should be fully cleaned with symlinks resolved');
    }
    if (g.mode !== 'whitelist' && g.mode !== 'whitestrict' && g.mode !== 'blacklist') {
      throw bad('the mode field can only be either: whitelist, whitestrict, blacklist');
    }
    if (g.keyfp.some((k) => !isFullFingerprint(k))) throw bad('expecting a 40 chars hex fingerprint string');
  }
}

async function resolvedDir(path: string, bad: Bad): Promise<string> {
  try {
    return resolve(await realpath(path));
  } catch (e) {
    throw bad(`lstat ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
  }
}

/**
 * The execgroup governing `imagePath`: the group whose dirpath equals the
 * image's directory (symlinks resolved), else the first group without a
 * dirpath, else PolicyError SIF_NOT_IN_EXECGROUP.
 */
export async function selectExecGroup(config: EclConfig, imagePath: string): Promise<ExecGroup> {
  // A remote image is in no directory: only an execgroup without a dirpath covers it.
  let dir: string | undefined;
  try {
    dir = isRemoteImage(imagePath) ? undefined : dirname(await realpath(imagePath));
  } catch (e) {
    throw fromSystemError(e, imagePath);
  }
  const group = config.execgroup.find((g) => g.dirpath === dir) ?? config.execgroup.find((g) => g.dirpath === '');
  if (!group) throw new PolicyError('SIF_NOT_IN_EXECGROUP', `${ECL_PREFIX}${imagePath} not part of any execgroup`);
  return group;
}

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();
