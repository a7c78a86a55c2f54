/**
 * The model matcher: a model_signing statement's resources as subjects
 * (matched, mismatched, missing; extra files apart), the check kept for the
 * verdict, and command-line ignore paths taken relative to the working
 * directory, as model_signing takes them.
 */
import t from 'tap';
import { rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildModelStatement } from './model-signing/index.js';
import { matchModelSubjects } from './model-subjects.js';
import { subjectsHold } from './subjects.js';
import { subjectMatcherFor } from './matchers.js';

t.test('resources as subjects; extra files apart; the check decides', async (t) => {
  const model = t.testdir({ a: 'a', b: 'b', 'model.sig': '{}' });
  const statement = await buildModelStatement(model, { ignorePaths: ['model.sig'] });
  t.equal(await subjectMatcherFor(statement.predicateType), matchModelSubjects, 'chosen by predicate type');
  const sig = relative(process.cwd(), join(model, 'model.sig'));
  const same = await matchModelSubjects(statement, model, { ignorePaths: [sig] });
  t.same([same.subjects.map((s) => [s.name, s.status]), same.extra, subjectsHold(same)], [[['a', 'matched'], ['b', 'matched']], [], true]);
  t.ok(subjectsHold(await matchModelSubjects(statement, model, {})), 'no ignore paths given: the recorded ones hold');

  writeFileSync(join(model, 'a'), 'A');
  rmSync(join(model, 'b'));
  writeFileSync(join(model, 'c'), 'c');
  const changed = await matchModelSubjects(statement, model, { ignorePaths: [sig] });
  t.match(changed.subjects, [
    { name: 'a', status: 'mismatched', expected: /^sha256:[0-9a-f]{64}$/, actual: /^sha256:[0-9a-f]{64}$/ },
    { name: 'b', status: 'missing', actual: undefined },
  ]);
  t.same([changed.extra, changed.model?.ok, subjectsHold(changed)], [['c'], false, false]);
  const ignored = await matchModelSubjects(statement, model, { ignorePaths: [sig, join(model, 'c')] });
  t.same(ignored.extra, [], '--ignore-paths, absolute or relative to the working directory');
});
