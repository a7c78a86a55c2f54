/**
 * Public API of the `sif` library, by what a caller does with it. Nothing here
 * prints; every failure is a SifError with a stable `code` (docs/errors.md).
 * Engine parts (digest workers, planners, metadata encoding, keyring edits)
 * stay internal so they can change without breaking callers.
 */

// Errors: catch SifError, branch on `code` (isSifError(e, 'SIF_…')).
export {
  SifError,
  UsageError,
  IoError,
  FormatError,
  SelectionError,
  ConflictError,
  KeyError,
  IntegrityError,
  SignatureError,
  CertificateError,
  PolicyError,
  KeyserverError,
  RemoteError,
  isSifError,
  type ErrorCode,
  type UsageCode,
  type IoCode,
  type FormatCode,
  type SelectionCode,
  type KeyCode,
  type ConflictCode,
  type IntegrityCode,
  type SignatureCode,
  type CertificateCode,
  type PolicyCode,
  type KeyserverCode,
  type RemoteCode,
  type IntegrityKind,
  type SignatureFailure,
} from './errors.js';

// The format: codes and the typed views of descriptors and the header.
export { DataType, FsType, PartType, HashType, FormatType, MessageType, SbomFormat, ARCHES, type Arch } from './format/constants.js';
export {
  partitionInfo,
  signatureInfo,
  cryptoMessageInfo,
  sbomFormat,
  ociDigest,
  type Descriptor,
  type PartitionInfo,
  type SignatureInfo,
  type CryptoMessageInfo,
} from './format/descriptor.js';
export type { Header } from './format/header.js';

// Read: open an image, select objects, stream their data.
export { SifImage, isRemoteImage, type OpenOptions } from './image/image.js';
export type { ByteSource, PositionedReader, SourceIdentity, FileIdentity, BlobIdentity } from './source/byte-source.js';
export { FileSource, type FileSourceOptions } from './source/file.js';
export { MemorySource } from './source/memory.js';
export { BlobSource } from './source/blob.js';

// Remote images (docs/remote.md): oras:// registries and https:// URLs, read in place; push and pull.
export { HttpSource, type HttpSourceOptions } from './source/http.js';
export { HttpClient, type HttpOptions } from './remote/http-client.js';
export type { RemoteOptions } from './remote/registry.js';
export type { Credentials } from './remote/auth.js';
export { pushImage, sifManifest, type PushOptions, type PushResult } from './remote/push.js';
export { pullImage, type PullOptions, type PullResult } from './remote/pull.js';
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

// Write: create and edit images (crash-safe, locked).
export { createImage } from './image/write/create.js';
export { editImage } from './image/write/editor.js';
export { partitionExtra, signatureExtra, cryptoMessageExtra, sbomExtra, type PartitionExtraInput } from './image/write/extra.js';
export type { ObjectInput, ImageEditor, EditOptions, DeleteOptions, CreateOptions } from './image/write/types.js';

// Sign and verify.
export { signImage, type SignOptions, type SignSelection } from './integrity/sign.js';
export { readSecretKeyring, selectSecretKey, type SecretKeySource } from './integrity/pgp/signing-key.js';
export { unlockKey, isLocked } from './keys/protect.js';
export { readSigningKey, readPublicKey, type DsseSigningKey } from './integrity/dsse/keys.js';
export { loadVerificationKeys, loadTrustMaterial, type KeySetOptions } from './integrity/keyset.js';
export { remoteKeyFinder, type RemoteLookup } from './integrity/remote-keys.js';
export type { Keyserver } from './keyserver/url.js';
export { isPublicKeyMaterial, isPgpKey } from './integrity/trust.js';
export type { VerificationKey, PublicKeyMaterial, TrustKey, KeySource, KeyFinder, KeyRequest, TrustMaterial } from './integrity/trust.js';
// Certificates reach the verifier as `loadVerificationKeys({ certificate })`, which loads pkijs only then.
export type { CertificateKeyOptions } from './integrity/x509/load.js';
export type { OcspTransport } from './integrity/x509/ocsp-check.js';
export type { PgpSigner, KeySigner } from './integrity/signature.js';
export {
  verifyIntegrity,
  type VerifyOptions,
  type VerifyReport,
  type TaskVerdict,
  type SignatureVerdict,
  type Signer,
  type Task,
} from './integrity/verify.js';
export type { ImageMetadata, ObjectMetadata, Digest } from './integrity/metadata.js';

// Gate builds: signer policies, ECL, definition files.
export { verifyImage, type VerifyImageOptions, type VerifyImageResult, type SignatureResult } from './policy/verify-image.js';
export { checkBootstrap, type BootstrapCheckOptions, type BootstrapCheckResult, type StageCheck } from './policy/bootstrap.js';
export { parseDefinition, type DefinitionStage } from './policy/deffile.js';
export { loadEcl, type EclConfig } from './policy/ecl.js';
export type { ExecGroup, EclMode, MissingSigner, Require, SignatureOutcome } from './policy/decide.js';

// Keys: Apptainer-compatible keyrings (docs/keys.md).
export { normalizeFingerprint, parseFingerprintList } from './keys/fingerprint.js';
export { resolveKeysDir, resolveGlobalKeyring, publicKeyringPath, secretKeyringPath } from './keys/paths.js';
export { localKeyrings, globalKeyring, type KeyringLocation } from './keys/location.js';
export type { Keyring, KeyringEntry, KeyringItem, KeyringKind, SkippedSegment } from './keys/keyring.js';
export type { Loaded } from './keys/keyrings.js';
export { describeEntry, parseUserId, type KeyInfo, type UserIdentity } from './keys/describe.js';
export { listKeys, openKeyring, selectEntry, type KeySelector } from './keys/list.js';
export { KEY_ALGORITHMS, type KeyAlgorithm } from './keys/algorithms.js';
export { generateKeyPair, storeKeyPair, type NewKeyOptions } from './keys/generate.js';
export { readImportFile, importKeys, type ImportFile, type ImportOptions, type ImportOutcome } from './keys/import.js';
export { mergeKey, type Merged } from './keys/merge.js';
export { exportedKey, writeExportFile } from './keys/export.js';
export { removeKey, type RemoveFrom, type Removed } from './keys/remove.js';
export type { LockOptions } from './keys/lock.js';
