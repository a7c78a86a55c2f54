/**
 * Pure verdicts over what verification found for each signature: the default
 * "every signature must verify" rule, `--fingerprints` (Apptainer's
 * VerifyFingerprints, plus `--require any`), `--ignore-unknown-signers`, and
 * the ECL modes. No I/O and no crypto here, so every policy is a table test.
 *
 * The Go reference stops at the first failing signature; we verify them all
 * and then pick the failure Go would have reported first (groups ascending,
 * signatures in descriptor order), so verdicts and messages stay the same.
 */
import { SignatureError, type SifError } from '../errors.js';
import { signerSets } from '../signer-sets.js';
import { sameFingerprint } from '../keys/fingerprint.js';

/**
 * What became of one signature:
 * - `verified`: signature valid, descriptor fingerprint bound to the key, every digest matches;
 * - `unknown-signer`: no key in the keyrings for it (Go: SignatureNotValidError, unknown entity);
 * - `not-valid`: other SignatureNotValidError (bad signature, expired or revoked key, not a
 *   clear-signed message, bad JSON); ECL tolerates these like unknown signers;
 * - `integrity`: anything else (forged descriptor fingerprint, objects not signed, digests):
 *   never tolerated.
 */
export type SignatureOutcome = 'verified' | 'unknown-signer' | 'not-valid' | 'integrity';

export interface SignatureReport {
  /** Signature object ID. */
  readonly id: number;
  /** The object group it is linked to. */
  readonly group: number;
  /** Fingerprint in the descriptor's Extra (upper-case 40 hex); undefined when zero (DSSE). Unproven unless verified. */
  readonly fingerprint: string | undefined;
  readonly verdict: SignatureOutcome;
  /** DSSE: the `SHA256:` IDs of the trusted keys that verified the envelope (proven, unlike `fingerprint`). */
  readonly keyIds?: readonly string[];
  /** Why it did not verify (the error Go's Verify returns for it); undefined when verified. */
  readonly error?: SifError;
}

/** Input of every decision: the groups verified (ascending) and their signatures, in verification order. */
export interface VerificationReport {
  readonly groups: readonly number[];
  readonly signatures: readonly SignatureReport[];
}

/** A required fingerprint that did not sign every group, and the groups it is missing from. */
export interface MissingSigner {
  readonly fingerprint: string;
  readonly groups: readonly number[];
}

export interface Decision {
  readonly ok: boolean;
  /** Set when !ok: the error to report (its code selects the exit code). */
  readonly error?: SifError;
  /** Signatures that did not verify but were tolerated (unknown signers, ECL's unvalidated signers). */
  readonly skipped: readonly SignatureReport[];
  /** Required fingerprints missing from some groups (`--fingerprints`, ECL white modes). */
  readonly missing: readonly MissingSigner[];
}

export type Require = 'all' | 'any';

export type EclMode = 'whitelist' | 'whitestrict' | 'blacklist';

/** One `[[execgroup]]`. */
export interface ExecGroup {
  /** Descriptive name; '' when absent. */
  readonly tagname: string;
  readonly mode: EclMode;
  /** Directory the group applies to, fully resolved; '' = every directory not claimed by another group. */
  readonly dirpath: string;
  /** Fingerprints as written (compared case-insensitively). */
  readonly keyfp: readonly string[];
}

export interface FingerprintPolicy {
  /** Required signers (upper-case 40 hex); empty = default verification only. */
  readonly fingerprints: readonly string[];
  /** `all` (default, Apptainer): every listed key signed every group; `any`: at least one did. */
  readonly require?: Require;
  /** Tolerate signatures whose key we do not have, if every group has a verified signature. Default false. */
  readonly ignoreUnknownSigners?: boolean;
}

const pass = (skipped: readonly SignatureReport[] = []): Decision => ({ ok: true, skipped, missing: [] });
const fail = (error: SifError, skipped: readonly SignatureReport[] = [], missing: readonly MissingSigner[] = []): Decision => ({
  ok: false,
  error,
  skipped,
  missing,
});

const signaturesOf = (report: VerificationReport, group: number) => report.signatures.filter((s) => s.group === group);

const notFound = (group: number) =>
  new SignatureError('SIF_SIGNATURE_NOT_FOUND', `signature not found for object group ${group}`, { id: group, reason: 'not-found' });

/** The failure Go's Verify reports first, treating `tolerated` signatures as passing. */
function firstFailure(report: VerificationReport, tolerated: (s: SignatureReport) => boolean): SifError | undefined {
  for (const group of report.groups) {
    const sigs = signaturesOf(report, group);
    if (sigs.length === 0) return notFound(group);
    const bad = sigs.find((s) => s.verdict !== 'verified' && !tolerated(s));
    if (bad) return bad.error ?? new SignatureError('SIF_SIGNATURE_INVALID', `integrity: signature object ${bad.id} not valid`, { id: bad.id, reason: 'bad-signature' });
  }
  return undefined;
}

/** Whether `s` names `signer`: a PGP fingerprint in its descriptor, or a DSSE key ID that verified it. */
const names = (s: SignatureReport, signer: string) =>
  (s.fingerprint !== undefined && sameFingerprint(s.fingerprint, signer)) || (s.keyIds ?? []).includes(signer);

/** Groups `fp` (a fingerprint or key ID) signed, per `counts` (which signatures count as signing). */
function groupsSignedBy(report: VerificationReport, fp: string, counts: (s: SignatureReport) => boolean): Set<number> {
  const signed = report.signatures.filter((s) => counts(s) && names(s, fp));
  return new Set(signed.map((s) => s.group));
}

/** For each fingerprint, the groups it did not sign (only fingerprints missing somewhere are listed). */
export function missingSigners(report: VerificationReport, fingerprints: readonly string[], counts: (s: SignatureReport) => boolean): MissingSigner[] {
  return fingerprints
    .map((fp) => {
      const signed = groupsSignedBy(report, fp, counts);
      return { fingerprint: fp.startsWith('SHA256:') ? fp : fp.toUpperCase(), groups: report.groups.filter((g) => !signed.has(g)) };
    })
    .filter((m) => m.groups.length > 0);
}

/**
 * Fingerprints (from descriptors, no crypto) present on signatures of every
 * group: the reference's AllSignedBy, sorted.
 */
export function allSignedBy(report: VerificationReport, counts: (s: SignatureReport) => boolean = () => true): string[] {
  const perGroup = report.groups.map((g) => report.signatures.filter((s) => s.group === g && counts(s)).map((s) => s.fingerprint));
  return signerSets(perGroup).allSignedBy;
}

/** Fingerprints on signatures of any group: the reference's AnySignedBy, sorted. */
export function anySignedBy(report: VerificationReport): string[] {
  return signerSets([report.signatures.map((s) => s.fingerprint)]).anySignedBy;
}

/** "A did not sign object group 1; B did not sign object groups 1, 2" */
export function describeMissing(missing: readonly MissingSigner[]): string {
  return missing
    .map((m) => `${m.fingerprint} did not sign object group${m.groups.length > 1 ? 's' : ''} ${m.groups.join(', ')}`)
    .join('; ');
}

const notSignedByRequired = (detail: string) =>
  new SignatureError('SIF_NOT_SIGNED_BY_REQUIRED', `image not signed by required entities${detail ? `: ${detail}` : ''}`, { reason: 'not-signed-by-required' });

/**
 * `sif verify [--fingerprints …] [--require …] [--ignore-unknown-signers]`:
 * 1. verification must pass: every signature verifies (or, with
 *    ignoreUnknownSigners, is from an unknown key while the group still has a
 *    verified signature); every group has a signature;
 * 2. the required fingerprints, counted on VERIFIED signatures only, must have
 *    signed every group (all of them, or with require 'any' at least one).
 * `missing` lists the required fingerprints without a verified signature in
 * some group, also when step 1 failed (an unsigned image misses them all).
 */
export function decideFingerprints(report: VerificationReport, policy: FingerprintPolicy): Decision {
  const tolerated = (s: SignatureReport) => policy.ignoreUnknownSigners === true && s.verdict === 'unknown-signer';
  const skipped = report.signatures.filter(tolerated);
  const verified = (s: SignatureReport) => s.verdict === 'verified';
  const missing = missingSigners(report, policy.fingerprints, verified);
  const error = firstFailure(report, tolerated) ?? unverifiedGroup(report);
  if (error) return fail(error, skipped, missing);
  if (policy.fingerprints.length === 0) return pass(skipped);

  if ((policy.require ?? 'all') === 'all') {
    return missing.length === 0 ? pass(skipped) : fail(notSignedByRequired(describeMissing(missing)), skipped, missing);
  }
  if (missing.length < policy.fingerprints.length) return pass(skipped);
  return fail(notSignedByRequired(`none of the required signers signed every object group (${describeMissing(missing)})`), skipped, missing);
}

/** With unknown signers tolerated, a group whose only signatures were skipped has no trusted signer. */
function unverifiedGroup(report: VerificationReport): SifError | undefined {
  for (const group of report.groups) {
    const sigs = signaturesOf(report, group);
    if (!sigs.some((s) => s.verdict === 'verified')) return sigs[0]?.error ?? notFound(group);
  }
  return undefined;
}

/** Apptainer's start of every ECL refusal. */
export const ECL_PREFIX = 'while checking container image with ECL: ';

/**
 * Apptainer's ECL verdict (syecl.shouldRun) for the selected execgroup.
 * Signatures that fail as SignatureNotValid (unknown signer, bad signature)
 * are "unvalidated" and tolerated; integrity failures and unsigned groups fail.
 * - whitelist: some keyfp signed every group and none of its signatures was unvalidated;
 * - whitestrict: every keyfp did (an empty list passes, as in Apptainer);
 * - blacklist: no keyfp appears on any signature, validated or not.
 */
export function decideEcl(report: VerificationReport, group: ExecGroup): Decision {
  const unvalidated = report.signatures.filter((s) => s.verdict === 'unknown-signer' || s.verdict === 'not-valid');
  const error = firstFailure(report, (s) => unvalidated.includes(s));
  if (error) return fail(withPrefix(error, `${ECL_PREFIX}image signature not valid: `), unvalidated);

  if (group.mode === 'blacklist') {
    const forbidden = anySignedBy(report).filter((fp) => group.keyfp.some((k) => sameFingerprint(k, fp)));
    if (forbidden.length === 0) return pass(unvalidated);
    const detail = `${forbidden.join(', ')} (execgroup ${JSON.stringify(group.tagname)})`;
    return fail(new SignatureError('SIF_SIGNED_BY_FORBIDDEN', `${ECL_PREFIX}image signed by a forbidden entity: ${detail}`, { reason: 'signed-by-forbidden' }), unvalidated);
  }

  const all = allSignedBy(report);
  const isValidated = (fp: string) => !unvalidated.some((s) => s.fingerprint !== undefined && sameFingerprint(s.fingerprint, fp));
  const accepted = (fp: string) => all.some((a) => sameFingerprint(a, fp)) && isValidated(fp);
  const keys = group.keyfp.map((k) => k.toUpperCase());
  const ok = group.mode === 'whitelist' ? keys.some(accepted) : keys.every(accepted);
  if (ok) return pass(unvalidated);
  const rejected = keys.filter((k) => !accepted(k));
  const missing = rejected.map((fingerprint) => ({ fingerprint, groups: groupsNotValidatedBy(report, fingerprint) }));
  const detail = keys.length === 0 ? 'execgroup lists no keys' : rejected.map((fp) => whyNotAccepted(report, unvalidated, fp)).join('; ');
  return fail(new SignatureError('SIF_NOT_SIGNED_BY_REQUIRED', `${ECL_PREFIX}image not signed by required entities: ${detail}`, { reason: 'not-signed-by-required' }), unvalidated, missing);
}

/** Groups without a verified signature by `fp`. */
function groupsNotValidatedBy(report: VerificationReport, fp: string): number[] {
  const signed = groupsSignedBy(report, fp, (s) => s.verdict === 'verified');
  return report.groups.filter((g) => !signed.has(g));
}

/** Why an ECL key does not count: one of its signatures was not validated, or it is missing from some groups. */
function whyNotAccepted(report: VerificationReport, unvalidated: readonly SignatureReport[], fp: string): string {
  const bad = unvalidated.find((s) => s.fingerprint !== undefined && sameFingerprint(s.fingerprint, fp));
  if (bad) return `${fp} signature object ${bad.id} not validated${bad.error ? ` (${bad.error.message})` : ''}`;
  return describeMissing([{ fingerprint: fp, groups: groupsNotValidatedBy(report, fp) }]);
}

/**
 * The refusal with the ECL's words before its message. Everything else is
 * kept, so callers still classify it: the class, the code (so the exit code),
 * SignatureError.reason, IntegrityError.kind and the object id.
 */
function withPrefix<E extends SifError>(error: E, prefix: string): E {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(error) as object) as E, error);
  Object.defineProperty(copy, 'message', { value: `${prefix}${error.message}`, writable: true, configurable: true });
  Object.defineProperty(copy, 'cause', { value: error, writable: true, configurable: true });
  Error.captureStackTrace(copy, withPrefix);
  return copy;
}
