/**
 * `verifyImage`: the typed API build systems call. It verifies every
 * signature of an image, applies one signer policy (default, required
 * fingerprints, or an ECL), and returns what happened to each signature. It
 * never prints; bad input (missing files, bad fingerprints, bad ECL) throws,
 * verdicts are returned.
 */
import { isSifError, UsageError, type SifError } from '../errors.js';
import { decideEcl, decideFingerprints, type ExecGroup, type Require } from './decide.js';
import { loadEcl, selectExecGroup, validateEcl, type EclConfig } from './ecl.js';
import { normalizeSigner } from '../keys/fingerprint.js';
import { keySetOptionsOf, type KeySetOptions } from '../integrity/keyset.js';
import type { VerifyReport } from '../integrity/verify.js';
import type { RemoteOptions } from '../remote/registry.js';
import { collectReport } from './report.js';
import { toResult, type VerifyImageResult } from './result.js';

export type { SignatureResult, VerifyImageResult } from './result.js';

/** Which keys to trust (`keyrings`, `keysDir`, `globalKeyring`, `env`, `publicKeys`, `certificate`: see KeySetOptions), and what to require of the image. */
export interface VerifyImageOptions extends Readonly<KeySetOptions> {
  /** The SIF image. */
  readonly path: string;
  /** Required signers: PGP fingerprints (40 hex, any case) or DSSE key IDs (`SHA256:…`). Default none: default verification only. */
  readonly fingerprints?: readonly string[];
  /** With fingerprints: `all` (default, Apptainer) or `any`. */
  readonly require?: Require;
  /** Tolerate signatures from keys we do not have when a trusted signer verified every group. Default false. */
  readonly ignoreUnknownSigners?: boolean;
  /** An ecl.toml path or a loaded config: Apptainer's Execution Control List decides instead. */
  readonly ecl?: string | EclConfig;
  /** How to reach a remote image (`oras://`, `https://`), read without a download. */
  readonly remote?: RemoteOptions;
}

interface Resolved {
  path: string;
  remote?: RemoteOptions;
  keys: KeySetOptions;
  fingerprints: string[];
  require: Require;
  ignoreUnknownSigners: boolean;
  ecl?: EclConfig;
}

async function resolve(o: VerifyImageOptions): Promise<Resolved> {
  const fingerprints = [...new Set((o.fingerprints ?? []).map((f) => normalizeSigner(f.trim(), 'fingerprints')))];
  if (o.require !== undefined && o.require !== 'all' && o.require !== 'any') {
    throw new UsageError(`require: must be "all" or "any", not ${JSON.stringify(o.require)}`);
  }
  if (o.ecl !== undefined && (fingerprints.length > 0 || o.require !== undefined || o.ignoreUnknownSigners)) {
    throw new UsageError('an ECL brings its own signer rules: do not combine it with fingerprints, require or ignoreUnknownSigners');
  }
  if (o.require !== undefined && fingerprints.length === 0) throw new UsageError('require needs fingerprints');
  const ecl = typeof o.ecl === 'string' ? await loadEcl(o.ecl) : o.ecl;
  if (typeof o.ecl === 'object') await validateEcl(o.ecl);
  return {
    path: o.path,
    remote: o.remote,
    keys: { ...keySetOptionsOf(o), publicKeys: o.publicKeys ?? [], certificate: o.certificate },
    fingerprints,
    require: o.require ?? 'all',
    ignoreUnknownSigners: o.ignoreUnknownSigners ?? false,
    ecl,
  };
}

/**
 * Verifies `path` and applies the policy. Throws only for bad input or an
 * unreadable image; every verdict, pass or fail, is in the result.
 */
export async function verifyImage(options: VerifyImageOptions): Promise<VerifyImageResult> {
  return (await evaluateImage(options)).result;
}

/** verifyImage, plus the integrity verifier's own report for the CLI to print (undefined when nothing was verified). */
export async function evaluateImage(options: VerifyImageOptions): Promise<{ result: VerifyImageResult; integrity?: VerifyReport }> {
  const o = await resolve(options);
  if (o.ecl && !o.ecl.activated) return { result: eclResult(o, { activated: false }) };
  let execgroup: ExecGroup | undefined;
  if (o.ecl) {
    try {
      execgroup = await selectExecGroup(o.ecl, o.path);
    } catch (e) {
      if (isSifError(e, 'SIF_NOT_IN_EXECGROUP')) return { result: eclResult(o, { activated: true }, e) };
      throw e;
    }
  }
  const collected = await collectReport(o.path, { keys: o.keys, legacy: o.ecl?.legacyinsecure ?? false, remote: o.remote });
  const decision = execgroup
    ? decideEcl(collected.report, execgroup)
    : decideFingerprints(collected.report, { fingerprints: o.fingerprints, require: o.require, ignoreUnknownSigners: o.ignoreUnknownSigners });
  return { result: toResult({ ...o, ecl: execgroup }, collected, decision), integrity: collected.integrity };
}

/**
 * An ECL verdict reached without verifying: Apptainer's ShouldRun allows every
 * image when the ECL is deactivated, and refuses one outside every execgroup.
 */
function eclResult(o: Resolved, ecl: { activated: boolean }, error?: SifError): VerifyImageResult {
  const base = { path: o.path, policy: 'ecl', groups: [], signatures: [], required: [], require: 'all', missing: [], ecl } as const;
  return error ? { ...base, ok: false, error } : { ...base, ok: true };
}
