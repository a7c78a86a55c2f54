/**
 * The one rule for fingerprints users write: `sif verify --fingerprints`,
 * `verifyImage`, a definition file's `Fingerprints:` header, an ECL `keyfp`
 * list and the `sif key` commands (`remove`, `export --fingerprint`).
 * Apptainer compares them with `strings.EqualFold` against the 40-hex
 * fingerprint, so only full fingerprints can ever match: we reject anything
 * else (short key IDs, a `0x` prefix, gpg's spaced groups) up front instead
 * of failing later with a puzzling "not signed by required entities" or "no
 * key with fingerprint".
 */
import { UsageError } from '../errors.js';

const FULL_FINGERPRINT = /^[0-9a-fA-F]{40}$/;

/** Whether `text` is a full fingerprint as written (40 hex digits, any case, nothing else). */
export const isFullFingerprint = (text: string): boolean => FULL_FINGERPRINT.test(text);

/**
 * Checks one fingerprint and returns it in upper case (the form descriptors
 * and Apptainer print). `where` names the source in the error message;
 * surrounding white space is the caller's to trim (Go and JS trim differently).
 */
export function normalizeFingerprint(text: string, where: string): string {
  if (text === '') throw new UsageError(`${where}: empty fingerprint in list`);
  if (/^0x/i.test(text)) throw new UsageError(`${where}: fingerprint ${JSON.stringify(text)} must not start with 0x`);
  if (/^[0-9a-fA-F]+$/.test(text) && text.length < 40) {
    throw new UsageError(
      `${where}: fingerprint ${JSON.stringify(text)} is ${text.length} hex digits; a full 40-hex-digit fingerprint is required (short key IDs are ambiguous)`,
    );
  }
  if (!isFullFingerprint(text)) {
    throw new UsageError(`${where}: fingerprint ${JSON.stringify(text)} is not 40 hex digits`);
  }
  return text.toUpperCase();
}

const SSH_KEY_ID = /^SHA256:[A-Za-z0-9+/]{43}$/;

/**
 * A required signer of `sif verify --fingerprints` and `verifyImage`: a full
 * PGP fingerprint (upper-cased), or the OpenSSH `SHA256:` key ID of a DSSE key
 * (kept as written: base64 is case-sensitive). Definition files, ECL and the
 * key commands stay with PGP fingerprints (normalizeFingerprint).
 */
export function normalizeSigner(text: string, where: string): string {
  if (!text.startsWith('SHA256:')) return normalizeFingerprint(text, where);
  if (!SSH_KEY_ID.test(text)) throw new UsageError(`${where}: key ID ${JSON.stringify(text)} is not "SHA256:" and 43 base64 characters`);
  return text;
}

/**
 * Parses a comma-separated fingerprint list (`FP1, fp2`): items are trimmed
 * (by `trim`: a definition file's header is trimmed as Go trims), checked by
 * `normalize` (default: PGP fingerprints, case-insensitive, upper-cased) and
 * de-duplicated in order. An empty list is an error: callers decide what "no
 * fingerprints" means before calling.
 */
export function parseFingerprintList(
  text: string,
  where = '--fingerprints',
  trim = (s: string) => s.trim(),
  normalize: (text: string, where: string) => string = normalizeFingerprint,
): string[] {
  if (trim(text) === '') throw new UsageError(`${where}: no fingerprints given`);
  const out: string[] = [];
  for (const item of text.split(',')) {
    const fp = normalize(trim(item), where);
    if (!out.includes(fp)) out.push(fp);
  }
  return out;
}

/** Case-insensitive fingerprint equality, as Apptainer's strings.EqualFold. */
export const sameFingerprint = (a: string, b: string): boolean => a.toUpperCase() === b.toUpperCase();
