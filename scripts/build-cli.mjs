#!/usr/bin/env node
// Bundles the CLI into dist/bundle/ (issue 17, docs/performance.md: start-up):
// launch.js, bin/sif's entry, as one file with the plain reading commands;
// plain-verify.js, one file with a plain `sif verify`; run.js, everything else,
// with a lazy chunk for every `await import()` (each command's work, the digest
// engine), so a command loads only what it runs and Node resolves a handful of
// files instead of ~100; openpgp/, openpgp on its own, which the last two share.
// New commands need nothing here: whatever the entry points reach is bundled.
// Run by `npm run build` after tsc (dist/ keeps the library for `import('sif')`).
import { build } from 'esbuild';
import { cpSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
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

// esbuild leaves the chunks of earlier builds (hashed names) in place, and npm pack would ship them.
rmSync(OUT, { recursive: true, force: true });

const common = {
  absWorkingDir: ROOT, // metafile paths relative to the repository
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Identifiers stay: minifying them too measured no faster (docs/performance.md) and error classes name themselves.
  minifyWhitespace: true,
  minifySyntax: true,
  // For coverage of the CLI tests (they run bin/sif) and debugging; npm pack leaves maps out.
  sourcemap: true,
  metafile: true,
  // CommonJS packages that `require('crypto')`, loaded only by keyless verify-attestation: Node loads
  // them from node_modules (they are dependencies); bundled into an ES module, their require() fails.
  external: ['@sigstore/*'],
  logLevel: 'warning',
};

/**
 * openpgp is built once, on its own (below), and every other file imports it
 * from there: plain-verify.js and the shared chunks both reach it, and one
 * process must not load two copies (their key objects would not pass each
 * other's instanceof checks).
 */
const OPENPGP = './openpgp/openpgp.js';
const openpgpOutside = {
  name: 'openpgp-outside',
  setup(build) {
    build.onResolve({ filter: /^openpgp$/ }, () => ({ path: OPENPGP, external: true }));
  },
};

// Every command: split into lazy chunks.
const shared = await build({
  ...common,
  entryPoints: {
    run: join(ROOT, 'src/cli/run.ts'),
    // Started from a file path (digest-pool.ts: ./digest-worker.js beside the module that starts it).
    'digest-worker': join(ROOT, 'src/integrity/digest-worker.ts'),
  },
  outdir: OUT,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  splitting: true,
  plugins: [yargsPaths, openpgpOutside],
});

/** launch.ts's `import('./run.js')` and `import('./plain-verify.js')` stay imports of the other builds' entries, beside it. */
const entriesOutside = {
  name: 'entries-outside',
  setup(build) {
    build.onResolve({ filter: /^\.\/(run|plain-verify)\.js$/ }, ({ path }) => ({ path, external: true }));
  },
};

// bin/sif's entry: one file with everything the plain reading commands reach
// (launch.ts), because loading ~20 chunks cost more than parsing ~50 kB.
const launch = await build({
  ...common,
  entryPoints: { launch: join(ROOT, 'src/cli/launch.ts') },
  outdir: OUT,
  splitting: false,
  plugins: [entriesOutside],
});

/**
 * plain-verify.ts sends every line that verifies with a certificate to run.js,
 * so its file leaves the X.509 code out: pkijs alone is ~600 kB that every
 * `sif verify` would parse (~17 ms) for nothing. Its one way in, keyset.ts's
 * `import('./x509/load.js')`, gets a module that says so should it ever run.
 */
const certificatesOutside = {
  name: 'certificates-outside',
  setup(build) {
    build.onResolve({ filter: /^\.\/x509\/load\.js$/ }, () => ({ path: 'x509/load.js', namespace: 'left-out' }));
    build.onLoad({ filter: /.*/, namespace: 'left-out' }, () => ({
      contents: "throw new Error('certificates are verified by run.js; plain-verify.ts must not take this line')",
      loader: 'js',
    }));
  },
};

// A plain `sif verify`: likewise one file, openpgp aside, instead of ~48 chunks of the shared build.
const plainVerify = await build({
  ...common,
  entryPoints: { 'plain-verify': join(ROOT, 'src/cli/plain-verify.ts') },
  outdir: OUT,
  splitting: false,
  plugins: [yargsPaths, openpgpOutside, certificatesOutside],
});

// openpgp's lightweight build (the one its package offers browsers) instead of its Node build: the
// same code, but it loads no Node modules and defers its curve and cipher tables to chunks of their
// own; and its minified file, 229 kB to compile instead of 311 kB. Together ~40 ms off every
// `sif verify` (docs/performance.md). It runs on WebCrypto, which Node 20 has; the library (dist/,
// for `import('sif')`) keeps the Node build.
const openpgp = await build({
  ...common,
  entryPoints: { [OPENPGP.slice(2, -3)]: join(ROOT, 'node_modules/openpgp/dist/lightweight/openpgp.min.mjs') },
  outdir: OUT,
  splitting: true,
  chunkNames: 'openpgp/chunk-[hash]',
});

const builds = [shared, launch, plainVerify, openpgp].map((b) => b.metafile);
const metafile = { inputs: Object.assign({}, ...builds.map((m) => m.inputs)), outputs: Object.assign({}, ...builds.map((m) => m.outputs)) };

cpSync(join(ROOT, 'node_modules/yargs/locales'), join(OUT, LOCALES), { recursive: true });

// Which sources went into which file: the lazy-loading tests (src/cli/lazy*.test.ts) read it. Not shipped.
writeFileSync(join(ROOT, 'dist/bundle.meta.json'), JSON.stringify(metafile));

// esbuild leaves an unchanged file alone; the stale-build check (src/test-support/fresh-build.ts) compares times.
const now = new Date();
for (const file of readdirSync(OUT, { recursive: true })) utimesSync(join(OUT, file), now, now);
