/**
 * tap's `before` script (.taprc): refuses to run the suite against a dist/
 * older than src/. CLI tests run the built code, so a forgotten build would
 * test yesterday's behaviour and could pass where today's fails. `npm test`
 * builds first; running a single file after editing src/ needs
 * `npm run build` first, and this says so. The CLI bundle (dist/bundle/,
 * what bin/sif runs) and the web page (dist/web/, from the same core plus
 * src/web/browser/) are built from the same sources, so they must be newer
 * than every one of them too.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './reference.js';

/** Source files under `src` that tsconfig.build.json compiles into dist/. */
function* builtSources(src: string, dir = src): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (path !== join(src, 'test-support')) yield* builtSources(src, path);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) {
      yield path;
    }
  }
}

const mtime = (path: string) => statSync(path, { throwIfNoEntry: false })?.mtimeMs;

/** Sources of the checkout at `root` whose compiled file, or the CLI bundle, is missing or older than they are. */
export function staleOutputs(root = REPO_ROOT): string[] {
  const src = join(root, 'src');
  const stale: string[] = [];
  // The bundle's entry module: scripts/build-cli.mjs writes every bundle file at once.
  const bundle = mtime(join(root, 'dist/bundle/launch.js'));
  // The page's entry: scripts/build-web.mjs writes every file of dist/web/ at once.
  const web = mtime(join(root, 'dist/web/assets/app.js'));
  const older = (built: number | undefined, changed: number) => built === undefined || built < changed;
  for (const source of builtSources(src)) {
    const rel = relative(src, source);
    const changed = mtime(source)!;
    // src/web/browser/ goes into the page only (tsc leaves it alone).
    const compiled = rel.startsWith(join('web', 'browser')) ? web : mtime(join(root, 'dist', rel.replace(/\.ts$/, '.js')));
    if (older(compiled, changed) || older(bundle, changed) || older(web, changed)) stale.push(`src/${rel}`);
  }
  return stale;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const stale = staleOutputs();
  if (stale.length > 0) {
    const more = stale.length > 3 ? ` and ${stale.length - 3} more` : '';
    console.error(`dist/ (or the CLI bundle, dist/bundle/) is older than ${stale.slice(0, 3).join(', ')}${more}: run \`npm run build\` (or \`npm test\`, which builds first)`);
    process.exit(1);
  }
}
