/**
 * `sif verify --json` with the policy flags: Apptainer's keyList document
 * (`Signatures`, `SignerKeys`) for every signature checked, plus `Results`
 * (one entry per signature) and `Policy` (the verdict). docs/build-gating.md
 * documents the schema.
 */
import type { SifError } from '../../errors.js';
import type { SignatureVerdict as Checked, Signer, VerifyReport } from '../../integrity/verify.js';
import type { Require } from '../../policy/decide.js';
import type { SignatureResult, VerifyImageResult } from '../../policy/verify-image.js';
import { EXIT_CODES } from '../exit-codes.js';
import { goJson, reachesCallback, signerKeys, taskObjects } from './verify.js';

/** What was asked, for the document of a request that failed before a verdict. */
export interface PolicyRequest {
  readonly policy: VerifyImageResult['policy'];
  readonly required: readonly string[];
  readonly require: Require;
}

export interface PolicyOutcome {
  /** The verdict, when evaluation got that far. */
  readonly result?: VerifyImageResult;
  /** The verifier's own report, when signatures were checked. */
  readonly integrity?: VerifyReport;
  /** Why no verdict was reached (unreadable image, bad ECL), when none was. */
  readonly error?: SifError;
}

const errorJson = (e: SifError | undefined) => (e ? { code: e.code, message: e.message, exitCode: EXIT_CODES[e.code] } : null);

/** A PGP signer's fingerprint and name; a DSSE signer's key ID and identity (key ID or certificate subject). */
const signerJson = (s: Signer | undefined) =>
  s === undefined ? null : s.kind === 'pgp' ? { fingerprint: s.fingerprint, name: s.name ?? null } : { keyId: s.keyId, identity: s.identity, keyIds: s.keyIds };

function resultJson(r: SignatureResult, checked: Checked | undefined) {
  const signer = checked?.signer;
  return {
    id: r.id,
    group: r.group,
    fingerprint: r.fingerprint ?? null,
    signer: signerJson(signer),
    verdict: r.verdict,
    skipped: r.skipped,
    objects: r.objects,
    error: r.error ?? null,
  };
}

function policyJson(request: PolicyRequest, o: PolicyOutcome) {
  const r = o.result;
  const execgroup = r?.ecl?.execgroup;
  return {
    ok: r?.ok ?? false,
    policy: r?.policy ?? request.policy,
    require: r?.require ?? request.require,
    fingerprints: r?.required ?? request.required,
    groups: r?.groups ?? [],
    missing: r?.missing ?? [],
    skipped: (r?.signatures ?? []).filter((s) => s.skipped).map((s) => ({ id: s.id, group: s.group, fingerprint: s.fingerprint ?? null, error: s.error ?? null })),
    ecl: r?.ecl ? { activated: r.ecl.activated, execgroup: execgroup ? { ...execgroup } : null } : null,
    error: errorJson(r?.error ?? o.error),
  };
}

/** The whole document, Go json.Encoder style like plain `--json`. */
export function policyVerifyJson(request: PolicyRequest, o: PolicyOutcome): string {
  const checked = o.integrity?.tasks.flatMap((t) => t.signatures) ?? [];
  const byId = new Map(checked.map((c) => [c.signature.id, c]));
  // Apptainer's two keys count what its callback would see; an unreadable signature is only in Results.
  const counted = checked.filter(reachesCallback);
  const entries = signerKeys(counted, taskObjects(o.integrity));
  return goJson({
    Signatures: counted.length,
    SignerKeys: entries.length > 0 ? entries : null,
    Results: (o.result?.signatures ?? []).map((s) => resultJson(s, byId.get(s.id))),
    Policy: policyJson(request, o),
  });
}
