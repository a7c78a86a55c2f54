#!/usr/bin/env node
// Bundles the CLI into dist/bundle/ (issue 17, docs/performance.md: start-up):
// one ES module per entry point, and a lazy chunk for every `await import()`
// (each command's work, openpgp, the digest engine), so a command loads only
// what it runs and Node resolves a handful of files instead of ~100. New
// commands need nothing here: whatever the entry points reach is bundled.
// Run by `npm run build` after tsc (dist/ keeps the library for `import('sif')`).
import { build } from 'esbuild';
import { cpSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// One level below dist/, as dist/cli/ is, so `new URL('../../package.json', import.meta.url)` still names the package's file.
const OUT = join(ROOT, 'dist/bundle');

/**
 * yargs finds its translations and the package.json it reads settings from
 * relative to its own file in node_modules/; bundled, it is in dist/bundle/.
 * Point both where they were: the translations are copied beside the bundle,
 * the package root is two levels up (as the unbundled node_modules/ was).
 */
const LOCALES = 'yargs-locales';
const yargsPaths = {
  name: 'yargs-paths',
  setup(build) {
    build.onLoad({ filter: /yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/ }, ({ path }) => {
      const source = readFileSync(path, 'utf8');
      const rewritten = source
        .replace("__dirname.substring(0, __dirname.lastIndexOf('node_modules'))", "fileURLToPath(new URL('../../', import.meta.url))")
        .replace("resolve(__dirname, '../../../locales')", `fileURLToPath(new URL('./${LOCALES}', import.meta.url))`);
      if (rewritten.split('import.meta.url').length !== source.split('import.meta.url').length + 2) throw new Error(`${path}: yargs changed; update the yargs-paths plugin`);
      return { contents: rewritten, loader: 'js' };
    });
  },
};

const { metafile } = await build({
  entryPoints: {
    launch: join(ROOT, 'src/cli/launch.ts'),
    // Started from a file path (digest-pool.ts: ./digest-worker.js beside the module that starts it).
    'digest-worker': join(ROOT, 'src/integrity/digest-worker.ts'),
  },
  absWorkingDir: ROOT, // metafile paths relative to the repository
  outdir: OUT,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Identifiers stay: minifying them too measured no faster (docs/performance.md) and error classes name themselves.
  minifyWhitespace: true,
  minifySyntax: true,
  // For coverage of the CLI tests (they run bin/sif) and debugging; npm pack leaves maps out.
  sourcemap: true,
  metafile: true,
  plugins: [yargsPaths],
  // CommonJS packages that `require('crypto')`, loaded only by keyless verify-attestation: Node loads
  // them from node_modules (they are dependencies); bundled into an ES module, their require() fails.
  external: ['@sigstore/*'],
  logLevel: 'warning',
});

cpSync(join(ROOT, 'node_modules/yargs/locales'), join(OUT, LOCALES), { recursive: true });

// Which sources went into which file: the lazy-loading tests (src/cli/lazy*.test.ts) read it. Not shipped.
writeFileSync(join(ROOT, 'dist/bundle.meta.json'), JSON.stringify(metafile));

// esbuild leaves an unchanged file alone; the stale-build check (src/test-support/fresh-build.ts) compares times.
const now = new Date();
for (const file of readdirSync(OUT)) utimesSync(join(OUT, file), now, now);
