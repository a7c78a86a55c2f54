/**
 * What a Tekton step writes about the image it built (docs/attestations.md):
 * the `*ARTIFACT_OUTPUTS` object result Tekton Chains reads today, and the
 * TEP-0147 `provenance.json` in the shape Tekton shipped.
 */
import { UsageError } from '../errors.js';

/**
 * A `pkg:generic/` package URL: Chains also OCI-signs a build artifact whose
 * `uri@digest` parses as an image reference, and `pkg:generic/…` never does.
 */
export const genericPurl = (name: string) => `pkg:generic/${encodeURIComponent(name)}`;

/** Tekton keeps all of a step's results in a 4 KiB termination message; leave room for the others. */
export const TEKTON_RESULT_MAX_BYTES = 1024;

export interface ArtifactOutputsResult {
  uri: string;
  /** `sha256:<hex>`: Chains parses it with go-digest and silently drops a result it cannot parse. */
  digest: string;
  /** The string "true" (Chains' type hint): a boolean makes the result a byproduct. */
  isBuildArtifact: 'true';
}

export function artifactOutputsResult(name: string, fileSha256: string): ArtifactOutputsResult {
  const result: ArtifactOutputsResult = { uri: genericPurl(name), digest: `sha256:${fileSha256}`, isBuildArtifact: 'true' };
  const bytes = Buffer.byteLength(JSON.stringify(result));
  if (bytes > TEKTON_RESULT_MAX_BYTES) throw new UsageError(`the result would be ${bytes} bytes, over ${TEKTON_RESULT_MAX_BYTES}: choose a shorter --name`);
  return result;
}

export interface ArtifactValue {
  uri: string;
  digest: Record<string, string>;
}

export interface Artifact {
  name: string;
  buildOutput?: boolean;
  values: ArtifactValue[];
}

export interface ProvenanceArtifacts {
  inputs?: Artifact[];
  outputs: Artifact[];
}

/** The step's provenance.json: the image as the build output `sif`, the definition file (if known) as the input `definition`. */
export function provenanceArtifacts(name: string, fileSha256: string, definition?: { name: string; sha256: string }): ProvenanceArtifacts {
  const output: Artifact = {
    name: 'sif',
    buildOutput: true,
    values: [{ uri: `${genericPurl(name)}?checksum=sha256:${fileSha256}`, digest: { sha256: fileSha256 } }],
  };
  if (definition === undefined) return { outputs: [output] };
  return {
    inputs: [{ name: 'definition', values: [{ uri: genericPurl(definition.name), digest: { sha256: definition.sha256 } }] }],
    outputs: [output],
  };
}
