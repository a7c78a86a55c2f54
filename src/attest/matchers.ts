/**
 * Which matcher checks a statement's subjects, by predicate type: a SIF image
 * unless a predicate names another kind of artifact (model_signing's, whose
 * subject is a model's root digest, gets its entry with the model hasher).
 */
import type { SubjectMatcher } from './subjects.js';

const image = async () => (await import('./image-subjects.js')).matchImageSubjects;

/** Matchers of artifacts other than an image, by predicate type. */
const BY_PREDICATE_TYPE: Readonly<Record<string, () => Promise<SubjectMatcher>>> = {};

export const subjectMatcherFor = (predicateType: string): Promise<SubjectMatcher> => (BY_PREDICATE_TYPE[predicateType] ?? image)();
