/** Text output of the build-gating commands: each signature and the policy verdict. */
import type { SifError } from '../../errors.js';
import type { SignatureVerdict as Checked } from '../../integrity/verify.js';
import { describeMissing } from '../../policy/decide.js';
import type { BootstrapCheckResult, StageCheck } from '../../policy/bootstrap.js';
import type { ExecGroup } from '../../policy/decide.js';
import type { SignatureResult, VerifyImageResult } from '../../policy/verify-image.js';
import { renderSignature } from './verify.js';

/**
 * A skipped signature's block: what it verified (usually nothing: its key is
 * unknown) and why it was skipped, instead of Apptainer's error line.
 */
function renderSkipped(s: Checked, r: SignatureResult): string {
  const why = `Skipped signature object ${r.id} (group ${r.group}${r.fingerprint ? `, fingerprint ${r.fingerprint}` : ''}): ${r.error ?? r.verdict}\n`;
  return renderSignature({ ...s, error: undefined }) + why;
}

/** Apptainer's block for every signature checked, in verification order; skipped ones say so. */
export function renderSignatures(checked: readonly Checked[], r: VerifyImageResult): string {
  const results = new Map(r.signatures.map((s) => [s.id, s]));
  return checked.map((s) => {
    const result = results.get(s.signature.id);
    return result?.skipped ? renderSkipped(s, result) : renderSignature(s);
  }).join('');
}

const execgroupText = (g: ExecGroup) => `ECL execgroup ${JSON.stringify(g.tagname)} (${g.mode}${g.dirpath ? `, ${g.dirpath}` : ''})`;

/** Required fingerprints (or DSSE key IDs) with a verified signature in every group. */
const signedEveryGroup = (r: VerifyImageResult) =>
  r.required.filter((fp) =>
    r.groups.every((g) => r.signatures.some((s) => s.group === g && s.verdict === 'verified' && (s.fingerprint === fp || s.keyIds.includes(fp)))),
  );

function accepted(r: VerifyImageResult): string {
  if (r.ecl && !r.ecl.activated) return 'accepted: ECL not activated, every image is allowed';
  if (r.ecl?.execgroup) return `accepted by ${execgroupText(r.ecl.execgroup)}`;
  if (r.policy === 'default') return 'accepted: every object group has a verified signature';
  if (r.require === 'all') return `accepted: every object group signed by all of the required fingerprints: ${r.required.join(', ')}`;
  return `accepted: every object group signed by ${signedEveryGroup(r).join(', ')} (one of the required fingerprints: ${r.required.join(', ')})`;
}

function refused(r: VerifyImageResult, error: SifError): string {
  const by = r.ecl?.execgroup ? ` by ${execgroupText(r.ecl.execgroup)}` : '';
  const stated = error.code === 'SIF_NOT_SIGNED_BY_REQUIRED';
  const missing = r.missing.length > 0 && !stated ? `; required signers missing: ${describeMissing(r.missing)}` : '';
  return `refused${by}: ${error.message}${missing}`;
}

/**
 * The last line of `sif verify` with a policy: accepted or refused and why,
 * which required fingerprints are missing from which groups, and which
 * signatures were skipped.
 */
export function renderVerdict(r: VerifyImageResult): string {
  const skipped = r.signatures.filter((s) => s.skipped).map((s) => s.id);
  const parts = [r.error ? refused(r, r.error) : accepted(r)]; // error is set exactly when !ok
  if (skipped.length > 0) parts.push(`skipped signature${skipped.length > 1 ? 's' : ''} ${skipped.join(', ')}`);
  return `Verdict: ${parts.join('; ')}\n`;
}

/**
 * A path as the log should show it: a name with invisible characters (a
 * trailing U+FEFF, U+00A0, a control character) is quoted with them
 * escaped, so a look-alike of base.sif cannot pass for it.
 */
export function visiblePath(path: string): string {
  const escaped = path.replace(/[\p{C}\p{Z}]/gu, (c) => (c === ' ' ? c : `\\u{${c.codePointAt(0)!.toString(16)}}`));
  return escaped === path ? path : `"${escaped}"`;
}

/** One stdout line per stage, naming the file checked; warnings on stderr. An enforced failure's reason is main's to print. */
function stageLines(c: StageCheck): { out: string[]; err: string[] } {
  switch (c.kind) {
    case 'not-sif':
      return { out: [`Bootstrap ${c.bootstrap}${c.source ? ` ${visiblePath(c.source)}` : ''}: not a SIF image, nothing to check`], err: [] };
    case 'enforced': {
      const image = visiblePath(c.image);
      return { out: [c.result.ok ? `Bootstrap image ${image} verified and signed by: ${c.result.required.join(', ')}` : `Bootstrap image ${image} refused`], err: [] };
    }
    case 'verified':
      if (c.warning) {
        return {
          out: [`Bootstrap image ${visiblePath(c.image)} could not be verified`],
          err: [`sif: warning: ${c.warning.message}`, 'sif: warning: Bootstrap image could not be verified, but build will continue.'],
        };
      }
      return { out: [`Bootstrap image ${visiblePath(c.image)} ${c.result.ok ? 'verified' : 'is not signed'}`], err: [] };
  }
}

/** stdout and stderr text for `sif bootstrap-check`. */
export function renderBootstrapCheck(r: BootstrapCheckResult): { stdout: string; stderr: string } {
  const out: string[] = [];
  const err = r.warnings.map((w) => `sif: warning: ${w}`);
  for (const c of r.stages) {
    const lines = stageLines(c);
    out.push(...lines.out);
    err.push(...lines.err);
  }
  const text = (l: string[]) => l.map((x) => `${x}\n`).join('');
  return { stdout: text(out), stderr: text(err) };
}
