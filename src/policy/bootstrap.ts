/**
 * `sif bootstrap-check`: what `apptainer build` checks about a definition
 * file's bootstrap image before building (conveyorPacker_local.go
 * GetLocalPacker), without building:
 * - the definition is read as Apptainer reads it: build arguments applied
 *   (build-args.ts), Go's parsing rules (deffile.ts);
 * - a SIF bootstrap (`localimage` of a SIF file, or the image `library`,
 *   `oras` or `shub` downloaded) with `Fingerprints:` must verify and be
 *   signed by all of them, else the build fails;
 * - without (or with an empty) `Fingerprints:` it is verified anyway: an
 *   unsigned image passes quietly, any other failure only warns;
 * - other bootstraps (docker, debootstrap, …) and non-SIF images have
 *   nothing to check.
 * A relative `From:` is relative to where the build runs, as Apptainer opens
 * `filepath.Clean(from)`: not to the definition file.
 */
import { open, stat } from 'node:fs/promises';
import { readWholeFile } from '../bounded-read.js';
import { isRemoteImage } from '../image/image.js';
import type { RemoteOptions } from '../remote/registry.js';
import { resolve } from 'node:path';
import { fromSystemError, UsageError, type SifError } from '../errors.js';
import { MAGIC } from '../format/constants.js';
import { headerLayout } from '../format/layout.js';
import { definitionWithBuildArgs, readBuildArgs, type BuildArgFile } from './build-args.js';
import { headerFingerprints, type DefinitionStage } from './deffile.js';
import { goCleanPath } from './go-text.js';
import { keySetOptionsOf, type KeySetOptions } from '../integrity/keyset.js';
import { verifyImage, type VerifyImageResult } from './verify-image.js';

/** Bootstraps that download an image and check it as a local one (GetLocalPacker). */
const DOWNLOADED = new Set(['library', 'oras', 'shub']);
/** Every other bootstrap agent Apptainer knows (conveyorPacker.go): none yields a SIF to check. */
const NOT_SIF = new Set([
  'docker', 'docker-archive', 'docker-daemon', 'oci', 'oci-archive', 'oci-sif', 'http', 'https',
  'busybox', 'debootstrap', 'arch', 'yum', 'dnf', 'zypper', 'scratch', 'buildkit', 'dockerfile',
]);

/** The keys to trust are KeySetOptions (`keyrings`, `keysDir`, `globalKeyring`, `env`). */
export interface BootstrapCheckOptions extends Readonly<KeySetOptions> {
  /** Path of the definition file. */
  readonly definition: string;
  /** The downloaded image, for `library`/`oras`/`shub` bootstraps (required there, refused otherwise). */
  readonly image?: string;
  /** Where `apptainer build` will run: a relative `From:` resolves here (default: the current directory). */
  readonly cwd?: string;
  /** --build-arg KEY=VALUE values, in order. */
  readonly buildArgs?: readonly string[];
  /** --build-arg-file: a file of KEY=VALUE lines. */
  readonly buildArgFile?: string;
  /** --warn-unused-build-args. */
  readonly warnUnusedBuildArgs?: boolean;
  /** How to reach the registry of an `oras` bootstrap checked without IMG (read in place, not downloaded). */
  readonly remote?: RemoteOptions;
}

export type StageCheck =
  /** Nothing to check: not a SIF bootstrap, or an image that is not SIF. */
  | { readonly kind: 'not-sif'; readonly bootstrap: string; readonly source: string }
  /** `Fingerprints:` given: the result decides the build. */
  | { readonly kind: 'enforced'; readonly bootstrap: string; readonly image: string; readonly result: VerifyImageResult }
  /** No fingerprints: verified for information; `warning` is set when it failed for a reason other than being unsigned. */
  | { readonly kind: 'verified'; readonly bootstrap: string; readonly image: string; readonly result: VerifyImageResult; readonly warning?: SifError };

export interface BootstrapCheckResult {
  /** False when a stage with fingerprints failed: the build must not proceed. */
  readonly ok: boolean;
  readonly stages: readonly StageCheck[];
  /** What Apptainer warns about on the way: skipped build-argument lines, unused build arguments. */
  readonly warnings: readonly string[];
  /** The first enforced failure, when !ok. */
  readonly error?: SifError;
}

/** A stage as Apptainer would start building it: its agent, and the image it would check or the source it names. */
interface PlannedStage {
  readonly bootstrap: string;
  /** The image (absolute for localimage, as given for a download), or `From:` of an agent that yields no SIF. */
  readonly source: string;
  /** True when `source` is an image: a SIF one is checked. */
  readonly image: boolean;
  /** The `Fingerprints:` header, which Apptainer reads only for a SIF image. */
  readonly fingerprints: string | undefined;
}

/** Checks every stage of the definition file; throws only for bad input. */
export async function checkBootstrap(options: BootstrapCheckOptions): Promise<BootstrapCheckResult> {
  const warnings: string[] = [];
  const warn = (message: string) => void warnings.push(message);
  const given = readBuildArgs(options.buildArgs ?? [], await readBuildArgFile(options.buildArgFile), warn);
  const text = await readDefinition(options.definition);
  const stages = definitionWithBuildArgs(text, { given, warnUnused: options.warnUnusedBuildArgs, warn });
  const downloaded = stages.filter((s) => DOWNLOADED.has(s.header?.bootstrap ?? ''));
  if (options.image !== undefined && downloaded.length === 0) {
    throw new UsageError('IMG names the image a library, oras or shub bootstrap downloaded, but the definition has no such stage');
  }
  if (downloaded.length > 1) throw new UsageError(`the definition has ${downloaded.length} library/oras/shub stages; check them one at a time`);
  const planned = stages.map((stage) => planStage(stage, options));
  const checks: StageCheck[] = [];
  for (const stage of planned) checks.push(await checkStage(stage, options));
  const failed = checks.find((c) => c.kind === 'enforced' && !c.result.ok);
  const error = failed?.kind === 'enforced' ? failed.result.error : undefined;
  return { ok: failed === undefined, stages: checks, warnings, ...(error ? { error } : {}) };
}

async function readBuildArgFile(path: string | undefined): Promise<BuildArgFile | undefined> {
  return path === undefined ? undefined : { path, text: await readText(path, 'build arg file') };
}

const readDefinition = (path: string) => readText(path, 'definition file');

/** A file as UTF-8 text; Apptainer reads bytes, so text that is not UTF-8 could name a file we cannot. */
async function readText(path: string, what: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readWholeFile(path, `a ${what}`);
  } catch (e) {
    throw fromSystemError(e, path);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new UsageError(`${path}: the ${what} is not UTF-8 text`);
  }
}

/**
 * `newBuild`'s checks, for every stage before any is built (a header, an
 * agent Apptainer knows), and where each stage's image is: From: cleaned as
 * filepath.Clean and opened from the build's directory, or IMG for a download.
 */
function planStage(stage: DefinitionStage, options: BootstrapCheckOptions): PlannedStage {
  if (stage.header === undefined) throw new UsageError('multiple stages detected, all must have headers');
  const bootstrap = stage.header.bootstrap ?? '';
  if (bootstrap === '') throw new UsageError('no bootstrap specification found');
  const from = stage.header.from ?? '';
  const { fingerprints } = stage.header;
  if (bootstrap === 'localimage') return { bootstrap, source: resolve(options.cwd ?? process.cwd(), goCleanPath(from)), image: true, fingerprints };
  if (NOT_SIF.has(bootstrap)) return { bootstrap, source: from, image: false, fingerprints };
  if (!DOWNLOADED.has(bootstrap)) throw new UsageError(`invalid build source ${bootstrap}`);
  // An oras image is read where it is (From: names it without the scheme, as Apptainer's ORAS agent takes it).
  if (options.image === undefined && bootstrap === 'oras') return { bootstrap, source: `oras://${from.replace(/^(oras:)?\/\//, '')}`, image: true, fingerprints };
  if (options.image === undefined) throw new UsageError(`bootstrap ${bootstrap}: give the downloaded image as IMG`);
  return { bootstrap, source: options.image, image: true, fingerprints };
}

async function checkStage(stage: PlannedStage, options: BootstrapCheckOptions): Promise<StageCheck> {
  const { bootstrap, source: image } = stage;
  if (!stage.image || !(await isSif(image))) return { kind: 'not-sif', bootstrap, source: image };
  const fingerprints = headerFingerprints(stage.fingerprints);
  const common = { path: image, remote: options.remote, ...keySetOptionsOf(options) };
  if (fingerprints.length > 0) {
    return { kind: 'enforced', bootstrap, image, result: await verifyImage({ ...common, fingerprints }) };
  }
  const result = await verifyImage(common);
  const quiet = result.ok || result.error?.code === 'SIF_SIGNATURE_NOT_FOUND';
  return { kind: 'verified', bootstrap, image, result, ...(quiet || !result.error ? {} : { warning: result.error }) };
}

/** Apptainer's image.Init: a SIF is a regular file with the SIF magic; anything else (squashfs, ext3, sandbox) is not. */
async function isSif(path: string): Promise<boolean> {
  if (isRemoteImage(path)) return true; // Apptainer's ORAS pull refuses what is not a SIF; so does the reader
  let isFile: boolean;
  try {
    isFile = (await stat(path)).isFile();
  } catch (e) {
    throw fromSystemError(e, path);
  }
  if (!isFile) return false;
  const handle = await open(path);
  try {
    const magic = Buffer.alloc(MAGIC.length);
    await handle.read(magic, 0, magic.length, headerLayout.offsets.magic);
    return magic.equals(MAGIC);
  } finally {
    await handle.close();
  }
}
