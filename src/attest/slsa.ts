/**
 * SLSA Provenance v1 for a build that produced a SIF image, with the
 * buildType docs/attestations.md defines. The SLSA validator of the in-toto
 * Go library requires buildType, non-empty externalParameters and builder.id,
 * and RFC 3339 timestamps when present.
 */
import { UsageError } from '../errors.js';
import { statement, type Statement } from './statement.js';

export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
/** Defined in docs/attestations.md ("SLSA buildType"). */
export const SIF_BUILD_TYPE = 'https://sif.invalid/attestations/sif-build/v1';

export interface SlsaInputs {
  /** The image's subject name and its file digest. */
  readonly image: { readonly name: string; readonly sha256: string };
  /** The definition file the build read: its name and digest. */
  readonly definition: { readonly name: string; readonly sha256: string };
  readonly builderId: string;
  readonly invocationId?: string;
  readonly startedOn?: string;
  readonly finishedOn?: string;
}

/** RFC 3339 date-time, as Go's time.Parse(time.RFC3339) reads it. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function checkTimestamp(option: string, value: string | undefined): void {
  if (value !== undefined && (!RFC3339.test(value) || Number.isNaN(Date.parse(value)))) {
    throw new UsageError(`${option} ${JSON.stringify(value)} is not an RFC 3339 time (e.g. 2026-01-01T00:00:00Z)`);
  }
}

export function slsaProvenance(inputs: SlsaInputs): Statement {
  if (inputs.builderId === '') throw new UsageError('--builder-id must not be empty');
  checkTimestamp('--started-on', inputs.startedOn);
  checkTimestamp('--finished-on', inputs.finishedOn);
  const metadata = {
    ...(inputs.invocationId === undefined ? {} : { invocationId: inputs.invocationId }),
    ...(inputs.startedOn === undefined ? {} : { startedOn: inputs.startedOn }),
    ...(inputs.finishedOn === undefined ? {} : { finishedOn: inputs.finishedOn }),
  };
  return statement([{ name: inputs.image.name, digest: { sha256: inputs.image.sha256 } }], SLSA_PROVENANCE_V1, {
    buildDefinition: {
      buildType: SIF_BUILD_TYPE,
      externalParameters: { definitionFile: inputs.definition.name, output: inputs.image.name },
      resolvedDependencies: [{ name: inputs.definition.name, digest: { sha256: inputs.definition.sha256 } }],
    },
    runDetails: {
      builder: { id: inputs.builderId },
      ...(Object.keys(metadata).length === 0 ? {} : { metadata }),
    },
  });
}
