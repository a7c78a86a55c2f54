import t from 'tap';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { staleOutputs } from './fresh-build.js';

/** A checkout with one source, its compiled file, the bundle and the web page, each written at the given time (seconds; the page by default with the bundle). */
function checkout(dir: string, times: { source: number; compiled?: number; bundle?: number; web?: number; browserSource?: number }): string {
  const write = (path: string, at: number | undefined) => {
    if (at === undefined) return;
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), '');
    utimesSync(join(dir, path), at, at);
  };
  write('src/cli/list.ts', times.source);
  write('src/test-support/helper.ts', times.source + 10); // never built: never stale
  write('dist/cli/list.js', times.compiled);
  write('dist/bundle/launch.js', times.bundle);
  write('dist/web/assets/app.js', 'web' in times ? times.web : times.bundle);
  write('src/web/browser/page/app.ts', times.browserSource);
  return dir;
}

t.test('a build newer than its sources is fresh', async (t) => {
  t.same(staleOutputs(checkout(t.testdir(), { source: 1000, compiled: 2000, bundle: 2000 })), []);
});

t.test('a compiled file older than its source is stale', async (t) => {
  t.same(staleOutputs(checkout(t.testdir(), { source: 3000, compiled: 2000, bundle: 4000 })), ['src/cli/list.ts']);
});

t.test('a CLI bundle older than a source, or missing, is stale (bin/sif runs the bundle)', async (t) => {
  t.same(staleOutputs(checkout(t.testdir(), { source: 3000, compiled: 4000, bundle: 2000 })), ['src/cli/list.ts']);
  t.same(staleOutputs(checkout(t.testdir(), { source: 3000, compiled: 4000 })), ['src/cli/list.ts']);
});

t.test('the web page older than a core or browser source, or missing, is stale', async (t) => {
  t.same(staleOutputs(checkout(t.testdir(), { source: 3000, compiled: 4000, bundle: 4000, web: 2000 })), ['src/cli/list.ts']);
  t.same(staleOutputs(checkout(t.testdir(), { source: 3000, compiled: 4000, bundle: 4000, web: undefined })), ['src/cli/list.ts']);
  t.same(staleOutputs(checkout(t.testdir(), { source: 1000, compiled: 4000, bundle: 4000, web: 4000, browserSource: 5000 })), ['src/web/browser/page/app.ts']);
  t.same(staleOutputs(checkout(t.testdir(), { source: 1000, compiled: 4000, bundle: 6000, web: 6000, browserSource: 5000 })), [], 'tsc builds no browser source');
});
