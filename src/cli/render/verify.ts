/**
 * `sif verify` output, as Apptainer's `verify` prints it: per signature the
 * signer lines and the table of verified objects (text), or the keyList
 * document (`--json`).
 */
import { IntegrityError, SignatureError } from '../../errors.js';
import { dataTypeName } from '../../format/constants.js';
import type { Descriptor } from '../../format/descriptor.js';
import type { SignatureVerdict, VerifyReport } from '../../integrity/verify.js';

/**
 * Whether Apptainer's verifier hands the signature to its per-signature
 * callback, which prints and counts it. It first sniffs the format: junk, and
 * a signature with no key material of its kind, end the verification before
 * that, with `signature format not recognized` / `key material not provided …`.
 */
export const reachesCallback = (s: SignatureVerdict): boolean =>
  s.format !== 'unknown' && !(s.error instanceof SignatureError && s.error.reason === 'no-key-material');

/** The signatures the reference processes: in task order, up to and including the first failure. */
export function processedSignatures(report: VerifyReport): SignatureVerdict[] {
  const out: SignatureVerdict[] = [];
  for (const task of report.tasks) {
    if (task.error) break;
    for (const s of task.signatures) {
      if (!reachesCallback(s)) return out;
      out.push(s);
      if (s.error) return out;
    }
  }
  return out;
}

const groupText = (d: Descriptor) => (d.groupId === 0 ? 'NONE' : String(d.groupId));
const linkText = (d: Descriptor) => (d.linkedId === 0 ? 'NONE' : d.linkIsGroup ? `${d.linkedId} (G)` : String(d.linkedId));

/** Apptainer pads the prefix with %-18v; without colour that is the bare label padded to 18. */
const prefixed = (label: string, text: string) => `${label.padEnd(18)} ${text}\n`;

/** One signature's lines: signer, the objects it verified, and its error. */
export function renderSignature(s: SignatureVerdict): string {
  let out = '';
  if (s.signer?.kind === 'pgp') {
    // Apptainer prints no signer lines for DSSE: its result has no PGP entity.
    const label = `[${s.signer.source.toUpperCase()}]`;
    if (s.signer.name !== undefined) out += prefixed(label, `Signing entity: ${s.signer.name}`);
    out += prefixed(label, `Fingerprint: ${s.signer.fingerprint}`);
  }
  if (s.verified.length > 0) {
    out += 'Objects verified:\n';
    out += `${'ID'.padEnd(4)}|${'GROUP'.padEnd(8)}|${'LINK'.padEnd(8)}|TYPE\n`;
    out += `${'-'.repeat(48)}\n`;
    for (const d of s.verified) {
      out += `${String(d.id).padEnd(4)}|${groupText(d).padEnd(8)}|${linkText(d).padEnd(8)}|${dataTypeName(d.dataType)}\n`;
    }
  }
  if (s.error) out += `\nError encountered during signature verification: ${s.error.message}\n`;
  return out;
}

/** The text Apptainer prints on stdout. */
export function renderVerifyText(report: VerifyReport): string {
  return processedSignatures(report).map(renderSignature).join('');
}

interface KeyEntity {
  Partition: string;
  Name: string;
  Fingerprint: string;
  KeyLocal: boolean;
  KeyCheck: boolean;
  DataCheck: boolean;
}

/** Apptainer's keyList entries: one per verified object per signature, plus the object a signature failed on. */
export function signerKeys(signatures: readonly SignatureVerdict[], objects: readonly Descriptor[]): { Signer: KeyEntity }[] {
  const entries: { Signer: KeyEntity }[] = [];
  for (const s of signatures) {
    // A DSSE signer is no PGP entity: Apptainer reports it as unknown and unchecked.
    const pgp = s.signer?.kind === 'pgp' ? s.signer : undefined;
    const base = {
      Name: pgp?.name ?? 'unknown',
      Fingerprint: pgp?.fingerprint.toLowerCase() ?? '',
      KeyLocal: pgp?.local ?? false,
      KeyCheck: pgp !== undefined,
    };
    for (const d of s.verified) entries.push({ Signer: { Partition: dataTypeName(d.dataType), ...base, DataCheck: true } });
    const failed = s.error instanceof IntegrityError && s.error.kind === 'object' ? s.error.id : undefined;
    const d = failed === undefined ? undefined : objects.find((o) => o.id === failed);
    if (d) entries.push({ Signer: { Partition: dataTypeName(d.dataType), ...base, DataCheck: false } });
  }
  return entries;
}

/** The objects the report's tasks cover (a failed object is always one of them). */
export const taskObjects = (report: VerifyReport | undefined): Descriptor[] => report?.tasks.flatMap((t) => t.objects) ?? [];

/** Apptainer's `verify --json` document for the signatures the reference processes. */
export function verifyJson(report: VerifyReport | undefined): string {
  const processed = report ? processedSignatures(report) : [];
  const entries = signerKeys(processed, taskObjects(report));
  return goJson({ Signatures: processed.length, SignerKeys: entries.length > 0 ? entries : null });
}

/** Go's json.Encoder with two-space indent: HTML-significant characters escaped, trailing newline. */
export function goJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `${text}\n`;
}
