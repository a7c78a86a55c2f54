/**
 * Subjects against a model: a model_signing signature's statement checked as
 * `model_signing verify` checks it (model-signing/check.ts), the model's
 * resources reported as subjects and its whole check kept for the verdict.
 */
import { checkModel, ignorePathsFromCwd, type ResourceCheck } from './model-signing/index.js';
import type { SubjectCheck, SubjectMatcher } from './subjects.js';

const digestOf = (d: NonNullable<ResourceCheck['expected']>) => `${d.algorithm}:${d.digest}`;

export const matchModelSubjects: SubjectMatcher = async (statement, path, options) => {
  const model = await checkModel(statement, path, {
    ignorePaths: ignorePathsFromCwd(path, options.ignorePaths ?? []),
    ignoreGitPaths: options.ignoreGitPaths,
    allowSymlinks: options.allowSymlinks,
    onProgress: options.onProgress,
  });
  const subjects = model.resources.flatMap((r): SubjectCheck[] =>
    r.verdict === 'extra' ? [] : [{ name: r.name, status: r.verdict, expected: digestOf(r.expected!), ...(r.actual ? { actual: digestOf(r.actual) } : {}) }],
  );
  return { subjects, extra: model.resources.filter((r) => r.verdict === 'extra').map((r) => r.name), model };
};
