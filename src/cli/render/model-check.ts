/**
 * A model_signing check as text (for `sif verify-attestation` on a model):
 * one line per resource that is not matched, in model_signing's words
 * (extra, missing, hash mismatch), then the root digests; `--json` prints the
 * ModelCheck itself.
 */
import type { ModelCheck, ResourceCheck } from '../../attest/model-signing/index.js';

const digestOf = (d: NonNullable<ResourceCheck['expected']>) => `${d.algorithm}:${d.digest}`;

function resourceLine(r: ResourceCheck): string {
  switch (r.verdict) {
    case 'mismatched':
      return `hash mismatch for '${r.name}': expected ${digestOf(r.expected!)}, actual ${digestOf(r.actual!)}\n`;
    case 'missing':
      return `missing from the model: '${r.name}' (${digestOf(r.expected!)})\n`;
    case 'extra':
      return `extra file in the model: '${r.name}' (${digestOf(r.actual!)})\n`;
    default:
      return '';
  }
}

/** The check's text: failed resources first, then a summary line and the root digests. */
export function renderModelCheck(check: ModelCheck): string {
  const matched = check.resources.filter((r) => r.verdict === 'matched').length;
  const s = check.serialization;
  const how = s.method === 'files' ? 'files' : `shards of ${s.shardSize} bytes`;
  const root = check.rootDigest;
  return [
    ...check.resources.map(resourceLine),
    `model ${check.modelName === undefined ? '(legacy statement)' : `'${check.modelName}'`}: ${matched} of ${check.resources.length} resources matched (${how}, sha256)\n`,
    root.signed === undefined ? '' : `root digest signed   sha256:${root.signed}${root.signed === root.ofResources ? '' : ` (its resources hash to sha256:${root.ofResources})`}\n`,
    `root digest of model sha256:${root.model}\n`,
  ].join('');
}
