import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../test-support/reference.js';
import { EXIT_CODES } from './exit-codes.js';

/** The ErrorCode union is types only, so read its members from the source. */
const codesInSource = () => [...new Set(readFileSync(join(REPO_ROOT, 'src/errors.ts'), 'utf8').match(/'SIF_[A-Z_]+'/g)!.map((q) => q.slice(1, -1)))].sort();

/** `code` → exit code, from the rows of the "Every code" table in docs/errors.md. */
function documentedExitCodes(): Map<string, number> {
  const doc = readFileSync(join(REPO_ROOT, 'docs/errors.md'), 'utf8');
  const rows = [...doc.matchAll(/^\| `(SIF_[A-Z_]+)` \| [^|]+ \| (\d+) \|/gm)];
  return new Map(rows.map((m) => [m[1]!, Number(m[2])]));
}

t.test('every error code has an exit code and a row in docs/errors.md', async (t) => {
  const codes = codesInSource();
  t.ok(codes.length >= 20, `${codes.length} codes in src/errors.ts`);
  const documented = documentedExitCodes();
  for (const code of codes) {
    t.ok(code in EXIT_CODES, `${code} is in EXIT_CODES`);
    t.equal(documented.get(code), EXIT_CODES[code as keyof typeof EXIT_CODES], `${code}: docs/errors.md gives its exit code`);
  }
  t.same([...documented.keys()].sort(), codes, 'docs/errors.md documents no code that does not exist');
  t.same(Object.keys(EXIT_CODES).sort(), codes, 'EXIT_CODES maps no code that does not exist');
});

t.test('exit codes stay out of the ranges shells and signals use', async (t) => {
  for (const [code, exit] of Object.entries(EXIT_CODES)) t.ok(exit >= 1 && exit < 126, `${code} → ${exit}`);
  t.equal(EXIT_CODES.SIF_USAGE, 2, 'usage errors are 2, as for most Unix tools');
});
