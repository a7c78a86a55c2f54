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
export { readSecretKeyring, selectSecretKey, unlockKey, isLocked, type SecretKeySource } from './integrity/signing-key.js';
