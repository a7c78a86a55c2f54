#!/usr/bin/env node
// Builds the web page into dist/web/ (issue 18, docs/web.md): index.html and
// assets/ — the page (app.js), the library for other pages (sif-web.js), the
// digest Web Worker, and lazy chunks (openpgp loads only to read keys or check
// a signature; pkijs and the PEM key reader only for a PEM key or certificate). The library's core is bundled unchanged; two platform modules
// are swapped for their browser versions (PLATFORM), the few Node-only modules
// reached by dynamic imports on paths a page never takes become a module that
// fails with a message (NODE_ONLY), and any other Node built-in fails the build.
// Prints the page's size budget: what a first load fetches, and the lazy chunks apart.
// Run by `npm run build` after build-cli.mjs.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { exit, stdout } from 'node:process';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist/web');
const ASSETS = join(OUT, 'assets');
const BROWSER = 'src/web/browser';

/** Each platform module of the core, and the browser module the web build uses instead. */
const PLATFORM = {
  'src/integrity/hash-engine.ts': `${BROWSER}/platform/hash-engine.ts`,
  'src/integrity/digest-pool.ts': `${BROWSER}/platform/digest-pool.ts`,
  'src/integrity/dsse/algorithms.ts': `${BROWSER}/platform/dsse-algorithms.ts`,
};
/** Node-only modules behind dynamic imports the page never follows (a path, a registry, key files). */
const NODE_ONLY = new Set(['src/source/file.ts', 'src/remote/open.ts', 'src/integrity/keyset.ts']);
const NODE_ONLY_STUB = `${BROWSER}/platform/node-only.ts`;

/** Gzipped bytes a first load may fetch (HTML, CSS, the page's JavaScript without openpgp). */
const FIRST_LOAD_BUDGET = 64 << 10;

const NODE_BUILTIN = new RegExp(`^(node:.*|${builtinModules.map((m) => m.replace(/[/]/g, '\\/')).join('|')})$`);

const platform = {
  name: 'sif-web-platform',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const rel = relative(ROOT, resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts')));
      if (PLATFORM[rel]) return { path: join(ROOT, PLATFORM[rel]) };
      if (NODE_ONLY.has(rel)) return { path: join(ROOT, NODE_ONLY_STUB) };
      return undefined;
    });
    b.onResolve({ filter: NODE_BUILTIN }, (args) => ({
      errors: [{ text: `Node-only module "${args.path}" reached the web bundle from ${relative(ROOT, args.importer)}: keep it out of the modules a page loads (docs/web.md: the web build)` }],
    }));
  },
};

rmSync(OUT, { recursive: true, force: true });
mkdirSync(ASSETS, { recursive: true });

const { metafile } = await build({
  entryPoints: {
    app: join(ROOT, `${BROWSER}/page/app.ts`),
    'sif-web': join(ROOT, `${BROWSER}/sif-web.ts`),
    'digest-worker': join(ROOT, `${BROWSER}/digest-worker.ts`),
  },
  absWorkingDir: ROOT,
  outdir: ASSETS,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome111', 'firefox115', 'safari16.4'],
  inject: [join(ROOT, `${BROWSER}/platform/buffer.ts`)],
  define: { global: 'globalThis' },
  minify: true,
  sourcemap: true,
  metafile: true,
  plugins: [platform],
  logLevel: 'warning',
}).catch(() => exit(1)); // esbuild has printed the errors

for (const file of ['index.html', 'app.css']) cpSync(join(ROOT, BROWSER, 'page', file), join(file === 'index.html' ? OUT : ASSETS, file));
writeFileSync(join(ROOT, 'dist/web.meta.json'), JSON.stringify(metafile));

/** An output and every chunk it imports statically: what loading it fetches. */
function closure(output) {
  const seen = new Set();
  const walk = (o) => {
    if (seen.has(o)) return;
    seen.add(o);
    for (const i of metafile.outputs[o].imports) if (i.kind === 'import-statement' && !i.external) walk(i.path);
  };
  walk(output);
  return seen;
}
const sizes = (files) => {
  let raw = 0;
  let gz = 0;
  for (const f of files) {
    const bytes = readFileSync(join(ROOT, f));
    raw += bytes.length;
    gz += gzipSync(bytes).length;
  }
  return { raw, gz };
};
const outputOf = (entry) => relative(ROOT, join(ASSETS, `${entry}.js`));
const firstLoad = new Set([...closure(outputOf('app')), relative(ROOT, join(OUT, 'index.html')), relative(ROOT, join(ASSETS, 'app.css'))]);
/** The chunks holding any input `matches` picks. */
const chunksWith = (matches) =>
  Object.entries(metafile.outputs)
    .filter(([o, meta]) => o.endsWith('.js') && Object.keys(meta.inputs).some(matches))
    .map(([o]) => o);
const openpgpChunks = chunksWith((i) => i.includes('node_modules/openpgp/'));
/** PEM keys and certificate chains for DSSE (pkijs, asn1js, the page's pem-keys.ts): loaded only when such a key is given. */
const pemChunks = chunksWith((i) => /node_modules\/(pkijs|asn1js)\/|browser\/pem-keys\.ts$/.test(i));
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const first = sizes(firstLoad);
const pgp = sizes(openpgpChunks);
const pem = sizes(pemChunks);
stdout.write(
  `web page: first load ${kib(first.raw)} (${kib(first.gz)} gzipped, budget ${kib(FIRST_LOAD_BUDGET)}); openpgp on demand ${kib(pgp.raw)} (${kib(pgp.gz)} gzipped); PEM keys and certificates on demand ${kib(pem.raw)} (${kib(pem.gz)} gzipped); in dist/web/\n`,
);
if (openpgpChunks.some((o) => firstLoad.has(o))) throw new Error('openpgp is in the first load of the web page: it must load on demand');
if (pemChunks.some((o) => firstLoad.has(o))) throw new Error('the PEM key and certificate code is in the first load of the web page: it must load on demand');
if (first.gz > FIRST_LOAD_BUDGET) throw new Error(`the web page's first load is ${kib(first.gz)} gzipped, over its ${kib(FIRST_LOAD_BUDGET)} budget`);
