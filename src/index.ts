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
export {
  verifyImage,
  type VerifyImageOptions,
  type VerifyImageResult,
  type SignatureResult,
} from './policy/verify-image.js';
export { checkBootstrap, type BootstrapCheckOptions, type BootstrapCheckResult, type StageCheck } from './policy/bootstrap.js';
export { parseDefinition, type DefinitionStage } from './policy/deffile.js';
export { loadEcl, type EclConfig, type ExecGroup, type EclMode } from './policy/ecl.js';
export type { MissingSigner, Require, SignatureVerdict } from './policy/decide.js';
