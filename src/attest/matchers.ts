/**
 * Which matcher checks a statement's subjects, by predicate type: a SIF image
 * unless a predicate names another kind of artifact (model_signing's: a model,
 * hashed as model_signing does).
 */
import { LEGACY_MODEL_SIGNING_PREDICATE_TYPE, MODEL_SIGNING_PREDICATE_TYPE } from './model-signing/statement.js';
import type { SubjectMatcher } from './subjects.js';

const image = async () => (await import('./image-subjects.js')).matchImageSubjects;
const model = async () => (await import('./model-subjects.js')).matchModelSubjects;

/** Matchers of artifacts other than an image, by predicate type. */
const BY_PREDICATE_TYPE: Readonly<Record<string, () => Promise<SubjectMatcher>>> = {
  [MODEL_SIGNING_PREDICATE_TYPE]: model,
  [LEGACY_MODEL_SIGNING_PREDICATE_TYPE]: model,
};

export const subjectMatcherFor = (predicateType: string): Promise<SubjectMatcher> => (BY_PREDICATE_TYPE[predicateType] ?? image)();
