/** Text output of the build-gating commands: the policy verdict after the per-signature output. */
import type { BootstrapCheckResult, StageCheck } from '../../policy/bootstrap.js';
import type { VerifyImageResult } from '../../policy/verify-image.js';

/** Lines on the policy: skipped signatures, required signers, ECL group. Empty for plain default verification. */
export function renderPolicy(r: VerifyImageResult): string {
  const lines: string[] = [];
  for (const s of r.signatures.filter((s) => s.skipped)) {
    lines.push(`Skipped signature object ${s.id} (group ${s.group}${s.fingerprint ? `, fingerprint ${s.fingerprint}` : ''}): ${s.error ?? s.verdict}`);
  }
  if (r.ecl && !r.ecl.activated) lines.push('ECL not activated: every image is allowed');
  if (r.ecl?.execgroup) {
    const g = r.ecl.execgroup;
    lines.push(`ECL execgroup ${JSON.stringify(g.tagname)} (${g.mode}${g.dirpath ? `, ${g.dirpath}` : ''}): ${r.ok ? 'allowed' : 'refused'}`);
  } else if (r.policy === 'fingerprints' && r.ok) {
    lines.push(`Signed by ${r.require === 'all' ? 'all' : 'at least one'} of the required fingerprints: ${r.required.join(', ')}`);
  }
  return lines.map((l) => `${l}\n`).join('');
}

function stageLines(c: StageCheck): { out: string[]; err: string[] } {
  switch (c.kind) {
    case 'not-sif':
      return { out: [`Bootstrap ${c.bootstrap}${c.source ? ` ${c.source}` : ''}: not a SIF image, nothing to check`], err: [] };
    case 'enforced':
      return c.result.ok
        ? { out: [`Bootstrap image ${c.image} verified and signed by: ${c.result.required.join(', ')}`], err: [] }
        : { out: [], err: [] }; // the error itself is reported by main
    case 'verified':
      if (c.warning) {
        return { out: [], err: [`sif: warning: ${c.warning.message}`, 'sif: warning: Bootstrap image could not be verified, but build will continue.'] };
      }
      return { out: c.result.ok ? [`Bootstrap image ${c.image} verified`] : [], err: [] };
  }
}

/** stdout and stderr text for `sif bootstrap-check`. */
export function renderBootstrapCheck(r: BootstrapCheckResult): { stdout: string; stderr: string } {
  const out: string[] = [];
  const err: string[] = [];
  for (const c of r.stages) {
    const lines = stageLines(c);
    out.push(...lines.out);
    err.push(...lines.err);
  }
  const text = (l: string[]) => l.map((x) => `${x}\n`).join('');
  return { stdout: text(out), stderr: text(err) };
}
