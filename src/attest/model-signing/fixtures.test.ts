/**
 * Every model-transparency fixture (sigstore/model-transparency @ e3430730
 * scripts/tests, in ../shared/fixtures): the statement in its model.sig
 * (the DSSE payload, read without a signature check: that is the signature
 * layer's job) checked against the fixture's model files, as the fixture's
 * test-verify-*.sh runs `model_signing verify`: all match; a changed byte, an
 * added file and a removed file each give their verdict.
 */
import t, { type Test } from 'tap';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, withReference } from '../../test-support/reference.js';
import { checkModel, modelCheckError, readModelStatement, LEGACY_MODEL_SIGNING_PREDICATE_TYPE } from './index.js';

const DIR = join(FIXTURES, 'model-transparency');

/** The statement inside a model.sig: bundle → dsseEnvelope → base64 payload → JSON. */
function statementOf(sig: string): unknown {
  const bundle = JSON.parse(readFileSync(sig, 'utf8')) as { dsseEnvelope: { payload: string } };
  return JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
}

/**
 * The model each test-verify-*.sh verifies: the directory, or its one file
 * when the signature is of a single file (v0.3.1/v1.0.0 elliptic-key), and the
 * `--ignore-paths` it passes (the v1.0.1 signatures do not record ignore-me).
 */
function modelOf(dir: string, statement: unknown): { model: string; ignorePaths: string[] } {
  const single = readModelStatement(statement).items.some((i) => i.name === '.');
  return { model: single ? join(dir, 'signme-1') : dir, ignorePaths: ['model.sig', 'ignore-me'] };
}

/** A writable copy of a fixture (they are read-only). */
function copyOf(t: Test, dir: string): string {
  const copy = join(t.testdir(), 'model');
  cpSync(dir, copy, { recursive: true });
  chmodSync(copy, 0o755);
  for (const f of readdirSync(copy)) chmodSync(join(copy, f), 0o644);
  return copy;
}

withReference(t, 'every fixture: the model matches its statement; a change in it is reported', ['shared'], async (t) => {
  const fixtures = readdirSync(DIR).filter((d) => d.startsWith('v') && statSync(join(DIR, d)).isDirectory());
  t.ok(fixtures.length >= 13, `${fixtures.length} fixtures`);
  for (const name of fixtures) {
    await t.test(name, async (t) => {
      const statement = statementOf(join(DIR, name, 'model.sig'));
      const { model, ignorePaths } = modelOf(join(DIR, name), statement);
      const check = await checkModel(statement, model, { ignorePaths });
      t.ok(check.ok, 'matches');
      t.equal(modelCheckError(check), undefined);
      t.ok(check.resources.length > 0 && check.resources.every((r) => r.verdict === 'matched'));
      if (check.predicateType === LEGACY_MODEL_SIGNING_PREDICATE_TYPE) t.equal(check.rootDigest.signed, undefined, 'v0.2.0 has no root digest');
      else t.equal(check.rootDigest.model, check.rootDigest.signed, 'the root digest of the model is the subject digest');

      const copy = copyOf(t, join(DIR, name));
      const target = model === join(DIR, name) ? copy : join(copy, 'signme-1');
      const first = check.resources[0]!.name === '.' ? target : join(copy, check.resources[0]!.name);
      const bytes = readFileSync(first);
      bytes[0]! ^= 1;
      writeFileSync(first, bytes);
      const changed = await checkModel(statement, target, { ignorePaths });
      t.notOk(changed.ok, 'a changed byte fails');
      t.same(changed.resources.filter((r) => r.verdict !== 'matched').map((r) => [r.name, r.verdict]), [[check.resources[0]!.name, 'mismatched']]);
      t.match(modelCheckError(changed), { code: 'SIF_INTEGRITY', kind: 'artifact', message: /1 mismatched/ });
      if (target !== copy) return; // a single-file model has no room for another file
      writeFileSync(join(copy, 'added'), 'new');
      rmSync(join(copy, 'signme-2'));
      const moved = await checkModel(statement, target, { ignorePaths });
      t.same(
        moved.resources.filter((r) => r.verdict !== 'matched').map((r) => [r.name, r.verdict]).sort(),
        [['added', 'extra'], ['signme-1', 'mismatched'], ['signme-2', 'missing']],
      );
      t.match(modelCheckError(moved)?.message, /1 mismatched, 1 missing, 1 extra/);
    });
  }
});

withReference(t, 'v1.1.0 records its ignore paths: ignore-me is left out with no option', ['shared'], async (t) => {
  const statement = statementOf(join(DIR, 'v1.1.0-elliptic-key', 'model.sig'));
  const check = await checkModel(statement, join(DIR, 'v1.1.0-elliptic-key'));
  t.ok(check.ok);
  t.same(check.resources.map((r) => r.name), ['signme-1', 'signme-2']);
  const older = await checkModel(statementOf(join(DIR, 'v1.0.1-elliptic-key', 'model.sig')), join(DIR, 'v1.0.1-elliptic-key'), { ignorePaths: ['model.sig'] });
  t.same(older.resources.filter((r) => r.verdict !== 'matched').map((r) => [r.name, r.verdict]), [['ignore-me', 'extra']], 'v1.0.1: only --ignore-paths leaves it out');
});
