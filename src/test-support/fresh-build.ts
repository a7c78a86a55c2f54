/**
 * tap's `before` script (.taprc): refuses to run the suite against a dist/
 * older than src/. CLI tests run the built code, so a forgotten build would
 * test yesterday's behaviour and could pass where today's fails. `npm test`
 * builds first; running a single file after editing src/ needs
 * `npm run build` first, and this says so.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './reference.js';

const SRC = join(REPO_ROOT, 'src');

/** Source files that tsconfig.build.json compiles into dist/. */
function* builtSources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (path !== join(SRC, 'test-support')) yield* builtSources(path);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) {
      yield path;
    }
  }
}

const mtime = (path: string) => statSync(path, { throwIfNoEntry: false })?.mtimeMs;

/** Sources whose compiled file is missing or older than they are. */
function staleOutputs(): string[] {
  const stale: string[] = [];
  for (const source of builtSources(SRC)) {
    const rel = relative(SRC, source);
    const built = mtime(join(REPO_ROOT, 'dist', rel.replace(/\.ts$/, '.js')));
    if (built === undefined || built < mtime(source)!) stale.push(`src/${rel}`);
  }
  return stale;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const stale = staleOutputs();
  if (stale.length > 0) {
    const more = stale.length > 3 ? ` and ${stale.length - 3} more` : '';
    console.error(`dist/ is older than ${stale.slice(0, 3).join(', ')}${more}: run \`npm run build\` (or \`npm test\`, which builds first)`);
    process.exit(1);
  }
}
