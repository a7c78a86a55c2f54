/**
 * What `npm pack` would publish: the library, the CLI bundle that bin/sif
 * loads, the launcher and the licence,
 * never the fuzz harness, test support or docs-test helpers, and no source
 * maps (they would point at a src/ that is not shipped). Every relative import
 * of a shipped module must itself be shipped, so a published `sif` can never
 * reach for a file left out.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import t from 'tap';
import { REPO_ROOT } from './test-support/reference.js';

interface PackEntry {
  path: string;
}

const [pack] = JSON.parse(
  execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
) as [{ files: PackEntry[] }];
const shipped = new Set(pack.files.map((f) => f.path));

t.test('the package ships the library, the launcher, the web page, the licence and the readme', async (t) => {
  for (const path of ['LICENSE', 'README.md', 'package.json', 'bin/sif', 'dist/index.js', 'dist/index.d.ts', 'dist/bundle/launch.js', 'dist/bundle/digest-worker.js', 'dist/web/index.html', 'dist/web/assets/app.js', 'dist/web/assets/sif-web.js', 'dist/web/assets/digest-worker.js']) {
    t.ok(shipped.has(path), `${path} is shipped`);
  }
});

t.test('the package ships no fuzz harness, test support, docs-test helpers, tests or source maps', async (t) => {
  const unwanted = [...shipped].filter((p) =>
    /^dist\/(fuzz|test-support|docs)\/|\.test\.|\.map$|\.meta\.json$|^src\//.test(p),
  );
  t.same(unwanted, []);
});

t.test('every relative import of a shipped module is shipped', async (t) => {
  const missing: string[] = [];
  for (const path of shipped) {
    if (!path.endsWith('.js') && path !== 'bin/sif') continue;
    const text = readFileSync(join(REPO_ROOT, path), 'utf8');
    for (const [, spec] of text.matchAll(/(?:from\s*|import\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = normalize(join(dirname(path), spec!));
      if (!shipped.has(target)) missing.push(`${path} imports ${target}`);
    }
  }
  t.same(missing, []);
});
