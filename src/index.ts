/** Public API of the `sif` library. */
export * from './errors.js';
export {
  DataType,
  FsType,
  PartType,
  HashType,
  FormatType,
  MessageType,
  SbomFormat,
  ARCHES,
  type Arch,
} from './format/constants.js';
export {
  partitionInfo,
  signatureInfo,
  cryptoMessageInfo,
  sbomFormat,
  ociDigest,
  descriptorIntegrityBytes,
  type Descriptor,
  type PartitionInfo,
  type SignatureInfo,
  type CryptoMessageInfo,
} from './format/descriptor.js';
export { headerIntegrityBytes, type Header } from './format/header.js';
export { SifImage, type OpenOptions } from './image/image.js';
export {
  selectAll,
  selectOne,
  groupIds,
  withId,
  withGroup,
  withNoGroup,
  withDataType,
  withLinkedId,
  withLinkedGroup,
  withPartitionType,
  type Selector,
} from './image/select.js';
export { createImage } from './image/write/create.js';
export { editImage } from './image/write/editor.js';
export {
  partitionExtra,
  signatureExtra,
  cryptoMessageExtra,
  sbomExtra,
  type PartitionExtraInput,
} from './image/write/extra.js';
export type { ObjectInput, ImageEditor, EditOptions, DeleteOptions, CreateOptions } from './image/write/types.js';
export { ObjectDigests, DIGEST_SIZES, type DigestAlg, type ObjectDigestsOptions, type DigestStats } from './integrity/digest.js';
export { shutdownDigestPool } from './integrity/digest-pool.js';
export { buildMetadata, encodeMetadata, parseMetadata, MetadataError, type ImageMetadata, type ObjectMetadata, type Digest } from './integrity/metadata.js';
export { loadVerificationKeys, type VerificationKey, type KeySource, type KeySetOptions } from './integrity/keyset.js';
export {
  verifyIntegrity,
  planTasks,
  primaryPartitionId,
  type VerifyOptions,
  type VerifyReport,
  type TaskVerdict,
  type SignatureVerdict,
  type Signer,
  type Task,
} from './integrity/verify.js';
export { signImage, planSignatures, type SignOptions, type SignSelection, type SignaturePlan } from './integrity/sign.js';
export { readSecretKeyring, selectSecretKey, type SecretKeySource } from './integrity/pgp/signing-key.js';
export { unlockKey, isLocked } from './keys/protect.js';
// Key management: Apptainer-compatible keyrings (docs/keys.md).
export { resolveKeysDir, resolveGlobalKeyring, publicKeyringPath, secretKeyringPath } from './keys/paths.js';
export { localKeyrings, globalKeyring, type KeyringLocation } from './keys/location.js';
export { loadKeyrings, updateKeyrings, type KeyringSet, type KeyringChanges, type Loaded } from './keys/keyrings.js';
export {
  parseKeyring,
  normalizeFingerprint,
  withAdded,
  withoutKey,
  withReplaced,
  type Keyring,
  type KeyringEntry,
  type KeyringItem,
  type KeyringKind,
  type SkippedSegment,
} from './keys/keyring.js';
export { describeEntry, parseUserId, type KeyInfo, type UserIdentity } from './keys/describe.js';
export { listKeys, openKeyring, selectEntry, type KeySelector } from './keys/list.js';
export { KEY_ALGORITHMS, type KeyAlgorithm } from './keys/algorithms.js';
export { generateKeyPair, storeKeyPair, type NewKeyOptions } from './keys/generate.js';
export { readImportFile, importKeys, type ImportFile, type ImportOptions, type ImportOutcome } from './keys/import.js';
export { mergeKey, type Merged } from './keys/merge.js';
export { exportedKey, writeExportFile } from './keys/export.js';
export { removeKey, type RemoveFrom, type Removed } from './keys/remove.js';
export type { LockOptions } from './keys/lock.js';
export {
  verifyImage,
  type VerifyImageOptions,
  type VerifyImageResult,
  type SignatureResult,
} from './policy/verify-image.js';
export { checkBootstrap, type BootstrapCheckOptions, type BootstrapCheckResult, type StageCheck } from './policy/bootstrap.js';
export { parseDefinition, type DefinitionStage } from './policy/deffile.js';
export { loadEcl, type EclConfig, type ExecGroup, type EclMode } from './policy/ecl.js';
export type { MissingSigner, Require, SignatureVerdict as PolicySignatureVerdict } from './policy/decide.js';
