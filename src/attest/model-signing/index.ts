/**
 * model_signing (sigstore/model-transparency) statements: hash a model as it
 * does, build the v1.0 statement it signs, and check a signed one against a
 * model. The signature layer (bundle, DSSE) is elsewhere: this takes and
 * gives statements.
 */
export { buildModelStatement, type BuildModelOptions } from './build.js';
export { checkModel, modelCheckError, type CheckModelOptions, type ModelCheck, type ResourceCheck, type ResourceVerdict } from './check.js';
export { hashModel, rootDigest, type Manifest, type ManifestItem } from './manifest.js';
export { ignorePathsFromCwd, modelName } from './paths.js';
export { DEFAULT_SHARD_SIZE, GIT_PATHS, type Serialization } from './serialization.js';
export {
  LEGACY_MODEL_SIGNING_PREDICATE_TYPE,
  MODEL_SIGNING_PREDICATE_TYPE,
  modelStatement,
  readModelStatement,
  type SignedManifest,
} from './statement.js';
