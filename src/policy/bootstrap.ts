/**
 * `sif bootstrap-check`: what `apptainer build` checks about a definition
 * file's bootstrap image before building (conveyorPacker_local.go
 * GetLocalPacker), without building:
 * - a SIF bootstrap (`localimage` of a SIF file, `library`, `oras`) with
 *   `Fingerprints:` must verify and be signed by all of them, else the build fails;
 * - without (or with an empty) `Fingerprints:` it is verified anyway: an
 *   unsigned image passes quietly, any other failure only warns;
 * - other bootstraps (docker, debootstrap, …) and non-SIF local images have
 *   nothing to check.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fromSystemError, UsageError, type SifError } from '../errors.js';
import { MAGIC } from '../format/constants.js';
import { headerLayout } from '../format/layout.js';
import { parseDefinition, type DefinitionStage } from './deffile.js';
import { verifyImage, type VerifyImageResult } from './verify-image.js';

/** Bootstraps that download a SIF and check it like a local one. */
const DOWNLOADED_SIF = new Set(['library', 'oras']);
/** Every other bootstrap agent Apptainer knows (conveyorPacker.go): none yields a SIF to check. */
const NOT_SIF = new Set([
  'shub', 'docker', 'docker-archive', 'docker-daemon', 'oci', 'oci-archive', 'oci-sif', 'http', 'https',
  'busybox', 'debootstrap', 'arch', 'yum', 'dnf', 'zypper', 'scratch', 'buildkit', 'dockerfile',
]);

export interface BootstrapCheckOptions {
  /** Path of the definition file. */
  readonly definition: string;
  /** The downloaded image, for `library`/`oras` bootstraps (required there, refused otherwise). */
  readonly image?: string;
  /** Extra public key files; the global keyring and the keysdir's pgp-public are read too. */
  readonly keyrings?: readonly string[];
  readonly keysDir?: string;
  readonly globalKeyring?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export type StageCheck =
  /** Nothing to check: not a SIF bootstrap, or a local image that is not SIF. */
  | { readonly kind: 'not-sif'; readonly bootstrap: string; readonly source: string }
  /** `Fingerprints:` given: the result decides the build. */
  | { readonly kind: 'enforced'; readonly bootstrap: string; readonly image: string; readonly result: VerifyImageResult }
  /** No fingerprints: verified for information; `warning` is set when it failed for a reason other than being unsigned. */
  | { readonly kind: 'verified'; readonly bootstrap: string; readonly image: string; readonly result: VerifyImageResult; readonly warning?: SifError };

export interface BootstrapCheckResult {
  /** False when a stage with fingerprints failed: the build must not proceed. */
  readonly ok: boolean;
  readonly stages: readonly StageCheck[];
  /** The first enforced failure, when !ok. */
  readonly error?: SifError;
}

/** Checks every stage of the definition file; throws only for bad input. */
export async function checkBootstrap(options: BootstrapCheckOptions): Promise<BootstrapCheckResult> {
  const stages = parseDefinition(await readDefinition(options.definition));
  const downloaded = stages.filter((s) => DOWNLOADED_SIF.has(s.bootstrap));
  if (options.image !== undefined && downloaded.length === 0) {
    throw new UsageError('IMG names the image a library or oras bootstrap downloaded, but the definition has no such stage');
  }
  if (downloaded.length > 1) throw new UsageError(`the definition has ${downloaded.length} library/oras stages; check them one at a time`);
  const checks: StageCheck[] = [];
  for (const stage of stages) checks.push(await checkStage(stage, options));
  const failed = checks.find((c) => c.kind === 'enforced' && !c.result.ok);
  const error = failed?.kind === 'enforced' ? failed.result.error : undefined;
  return { ok: failed === undefined, stages: checks, ...(error ? { error } : {}) };
}

async function readDefinition(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw fromSystemError(e, path);
  }
}

async function checkStage(stage: DefinitionStage, options: BootstrapCheckOptions): Promise<StageCheck> {
  const { bootstrap } = stage;
  if (bootstrap === '') throw new UsageError('no bootstrap specification found');
  let image: string;
  if (bootstrap === 'localimage') {
    if (stage.from === '') throw new UsageError('localimage bootstrap without From:');
    image = resolve(dirname(options.definition), stage.from);
    if (!(await isSif(image))) return { kind: 'not-sif', bootstrap, source: image };
  } else if (DOWNLOADED_SIF.has(bootstrap)) {
    if (options.image === undefined) throw new UsageError(`bootstrap ${bootstrap}: give the downloaded image as IMG`);
    image = options.image;
  } else if (NOT_SIF.has(bootstrap)) {
    return { kind: 'not-sif', bootstrap, source: stage.from };
  } else {
    throw new UsageError(`invalid build source ${bootstrap}`);
  }
  const common = { path: image, keyrings: options.keyrings, keysDir: options.keysDir, globalKeyring: options.globalKeyring, env: options.env };
  if (stage.fingerprints.length > 0) {
    return { kind: 'enforced', bootstrap, image, result: await verifyImage({ ...common, fingerprints: stage.fingerprints }) };
  }
  const result = await verifyImage(common);
  const quiet = result.ok || result.error?.code === 'SIF_SIGNATURE_NOT_FOUND';
  return { kind: 'verified', bootstrap, image, result, ...(quiet || !result.error ? {} : { warning: result.error }) };
}

/** Apptainer's image.Init: a SIF is a regular file with the SIF magic; anything else (squashfs, ext3, sandbox) is not. */
async function isSif(path: string): Promise<boolean> {
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
