/**
 * The reference's AnySignedBy and AllSignedBy, in one place for the integrity
 * report and the signer policies: fingerprints read from signature
 * descriptors (no crypto), found on any group's signatures, and on every
 * group's. A signature without a fingerprint (DSSE stores none) names no signer.
 */
export interface SignerSets {
  /** Upper-case fingerprints on the signatures of any group, sorted. */
  readonly anySignedBy: string[];
  /** Upper-case fingerprints on the signatures of every group, sorted. */
  readonly allSignedBy: string[];
}

/** `groups` holds, for each group (or task), the fingerprints its signatures carry. */
export function signerSets(groups: readonly (readonly (string | undefined)[])[]): SignerSets {
  const perGroup = groups.map((fps) => new Set(fps.flatMap((fp) => (fp ? [fp.toUpperCase()] : []))));
  const anySignedBy = [...new Set(perGroup.flatMap((fps) => [...fps]))].sort();
  return { anySignedBy, allSignedBy: anySignedBy.filter((fp) => perGroup.every((fps) => fps.has(fp))) };
}
