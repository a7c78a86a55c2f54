/**
 * SAP AI Core's `AICORE_ARTIFACT_SIGNATURES` file: a flat JSON object from an
 * output artifact's globalName to its signature string, here the bare
 * lowercase hex sha256 of the file (docs/attestations.md).
 */
import { UsageError } from '../errors.js';

/** SAP AI SDK's `RTAArtifactSignature`: "Max Length: 256". */
export const SAP_SIGNATURE_MAX_LENGTH = 256;

export type SapSignatures = Record<string, string>;

/**
 * Parses an existing signatures file (`what` names it in errors): a JSON
 * object whose values are strings within SAP's limit; anything else would
 * make AI Core reject the step's parameter, so it is refused, not merged.
 */
export function parseSapSignatures(text: string, what: string): SapSignatures {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${what}: not JSON: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${what}: not a JSON object`);
  const out: SapSignatures = {};
  for (const [name, signature] of Object.entries(value)) {
    if (typeof signature !== 'string') throw new UsageError(`${what}: the value of ${JSON.stringify(name)} is not a string`);
    if (signature.length > SAP_SIGNATURE_MAX_LENGTH) {
      throw new UsageError(`${what}: the value of ${JSON.stringify(name)} is over SAP's ${SAP_SIGNATURE_MAX_LENGTH}-character limit`);
    }
    out[name] = signature;
  }
  return out;
}

/** `existing` with the image's entry added (or replaced: a rerun of the step). */
export const withImageSignature = (existing: SapSignatures, globalName: string, fileSha256: string): SapSignatures => ({
  ...existing,
  [globalName]: fileSha256,
});
