/**
 * `sif list/info/header/dump` start fast because the CLI's static import graph
 * never reaches openpgp: sign and verify load it with `await import()`.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { REPO_ROOT } from '../test-support/reference.js';

/** Specifiers of static `import … from '…'` / `export … from '…'` statements (not `import()`). */
const staticImports = (source: string) => [...source.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+'([^']+)';/gms)].map((m) => m[1]!);

function staticGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of staticImports(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else seen.add(spec);
    }
  };
  visit(entry);
  return seen;
}

t.test('the CLI entry point does not statically import openpgp or the integrity modules', async (t) => {
  const graph = [...staticGraph(join(REPO_ROOT, 'dist/cli/main.js'))];
  t.ok(graph.some((f) => f.endsWith('cli/commands/verify.js')), 'the graph is followed');
  t.same(graph.filter((f) => f === 'openpgp' || f.includes('/dist/integrity/')), []);
});

t.test('the bundle entries (what bin/sif loads, then run.js) do not statically reach openpgp, yargs or the integrity modules', async (t) => {
  const { outputs } = JSON.parse(readFileSync(join(REPO_ROOT, 'dist/bundle.meta.json'), 'utf8')) as {
    outputs: Record<string, { inputs: object; imports: { path: string; kind: string }[] }>;
  };
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || !outputs[file]) return;
    seen.add(file);
    for (const i of outputs[file].imports) if (i.kind === 'import-statement') visit(i.path);
  };
  visit('dist/bundle/launch.js');
  visit('dist/bundle/run.js');
  const inputs = [...seen].flatMap((f) => Object.keys(outputs[f]!.inputs));
  t.ok(inputs.includes('src/cli/commands/inspect.ts') && inputs.includes('src/cli/early-verify.ts'), 'the graph is followed');
  t.same(inputs.filter((f) => /^node_modules\/(openpgp|yargs)\/|^src\/integrity\//.test(f)), []);
});
