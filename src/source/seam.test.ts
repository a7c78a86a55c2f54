/**
 * Everything above the byte-source seam could run in a browser: walking the
 * static imports of the reader, the format code and the integrity checks
 * finds no Node built-in except the ones listed here, each with its reason.
 * Dynamic imports are not followed: they load only on a path that needs them
 * (SifImage.open of a path loads the file source).
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from '../test-support/reference.js';

const SRC = join(REPO_ROOT, 'src');

/** The modules above the seam: what opens, reads and verifies an image. */
const ABOVE = [
  'errors.ts',
  'format/constants.ts',
  'format/descriptor.ts',
  'format/header.ts',
  'format/layout.ts',
  'image/image.ts',
  'image/select.ts',
  'source/byte-source.ts',
  'source/memory.ts',
  'source/blob.ts',
  'integrity/check.ts',
  'integrity/pgp/cleartext.ts',
  'integrity/pgp/format.ts',
  'integrity/dsse/format.ts',
  'integrity/dsse/envelope.ts',
  'integrity/signature-format.ts',
  'integrity/signature.ts',
  'integrity/digest.ts',
  'integrity/errors.ts',
  'integrity/metadata.ts',
  'integrity/select.ts',
  'integrity/verify.ts',
];

/** Node built-ins allowed above the seam, as "importer → built-in", and why. */
const ALLOWED: Record<string, string> = {
  // The hash engine and the worker pool are Node's here; the web build substitutes its own (scripts/build-web.mjs).
  'integrity/hash-engine.ts → node:crypto': 'SHA-2 with SHA-NI',
  'integrity/digest-pool.ts → node:os': 'default pool size and thread count',
};

/** Static imports that load a module at run time (`import type` and `export type` load nothing). */
function staticImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022);
  const out: string[] = [];
  for (const s of source.statements) {
    if (ts.isImportDeclaration(s) && !s.importClause?.isTypeOnly) out.push((s.moduleSpecifier as ts.StringLiteral).text);
    if (ts.isExportDeclaration(s) && !s.isTypeOnly && s.moduleSpecifier) out.push((s.moduleSpecifier as ts.StringLiteral).text);
  }
  return out;
}

/** "importer → built-in" for every Node built-in reached from `roots`, and how many modules were walked. */
function builtinsReached(roots: readonly string[]): { found: string[]; walked: number } {
  const seen = new Set<string>();
  const found = new Set<string>();
  const queue = roots.map((r) => join(SRC, r));
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of staticImports(file)) {
      if (spec.startsWith('node:')) found.add(`${relative(SRC, file)} → ${spec}`);
      else if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec).replace(/\.js$/, '.ts'));
    }
  }
  return { found: [...found].sort(), walked: seen.size };
}

t.test('the modules above the byte-source seam import no Node built-in but the documented ones', async (t) => {
  const { found, walked } = builtinsReached(ABOVE);
  t.ok(walked >= ABOVE.length, `walked ${walked} modules`);
  t.same(found, Object.keys(ALLOWED).sort());
});

t.test('the walk sees what it should', async (t) => {
  t.same(builtinsReached(['source/file.ts']).found, ['source/file.ts → node:fs', 'source/file.ts → node:fs/promises'], 'the file source is below the seam');
  t.same(staticImports(join(SRC, 'integrity/digest-read.ts')), ['../errors.js'], 'type-only imports load nothing');
});
