/**
 * What `verifyImage` returns (verify-image.ts), built from the collected
 * report (report.ts) and the policy's decision (decide.ts). Pure: the web
 * page builds the same result from an image it opened itself.
 */
import type { SifError } from '../errors.js';
import type { Decision, ExecGroup, MissingSigner, Require, SignatureOutcome } from './decide.js';
import type { CollectedReport } from './report.js';

export interface SignatureResult {
  /** Signature object ID. */
  readonly id: number;
  /** Object group it signs. */
  readonly group: number;
  /** Fingerprint the descriptor claims (upper case); proven only when verdict is `verified`. */
  readonly fingerprint: string | undefined;
  /** Signing entity: PGP User ID (else fingerprint), DSSE key ID or certificate subject, when its key was found. */
  readonly signer: string | undefined;
  /** DSSE: the `SHA256:` IDs of the given keys that verified the envelope; empty for PGP. */
  readonly keyIds: readonly string[];
  readonly verdict: SignatureOutcome;
  /** Objects whose digests this signature verified. */
  readonly objects: readonly number[];
  /** True when the policy tolerated this failed signature (unknown signer, ECL unvalidated). */
  readonly skipped: boolean;
  /** Why it failed, when it did. */
  readonly error: string | undefined;
}

export interface VerifyImageResult {
  readonly path: string;
  /** True when the image passes the policy. */
  readonly ok: boolean;
  /** Which policy decided. */
  readonly policy: 'default' | 'fingerprints' | 'ecl';
  /** Object groups verified, ascending. */
  readonly groups: readonly number[];
  readonly signatures: readonly SignatureResult[];
  /** Required fingerprints (upper case) and how many must sign. */
  readonly required: readonly string[];
  readonly require: Require;
  /** Required fingerprints without a verified signature in some groups (also when verification failed). */
  readonly missing: readonly MissingSigner[];
  /** The ECL's state and the execgroup that applied, with `ecl`. */
  readonly ecl?: { readonly activated: boolean; readonly execgroup?: ExecGroup };
  /** Set when !ok; its `code` maps to the CLI exit code (docs/errors.md). */
  readonly error?: SifError;
}

/** What a policy asked of an image: the required signers, or the ECL execgroup that applied. */
export interface PolicyRequest {
  readonly path: string;
  readonly fingerprints: readonly string[];
  readonly require: Require;
  readonly ecl?: ExecGroup;
}

/** The result of a decision on a collected report (verify-image.ts; the web page). */
export function toResult(o: PolicyRequest, c: CollectedReport, d: Decision): VerifyImageResult {
  const execgroup = o.ecl;
  const signatures = c.report.signatures.map((s) => ({
    id: s.id,
    group: s.group,
    fingerprint: s.fingerprint,
    signer: c.signers.get(s.id),
    keyIds: s.keyIds ?? [],
    verdict: s.verdict,
    objects: c.objects.get(s.id) ?? [],
    skipped: d.skipped.includes(s),
    error: s.error?.message,
  }));
  return {
    path: o.path,
    ok: d.ok,
    policy: execgroup ? 'ecl' : o.fingerprints.length > 0 ? 'fingerprints' : 'default',
    groups: c.report.groups,
    signatures,
    required: execgroup ? execgroup.keyfp.map((k) => k.toUpperCase()) : o.fingerprints,
    require: execgroup?.mode === 'whitelist' ? 'any' : o.require,
    missing: d.missing,
    ...(execgroup ? { ecl: { activated: true, execgroup } } : {}),
    ...(d.error ? { error: d.error } : {}),
  };
}
