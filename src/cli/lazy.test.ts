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

const { outputs } = JSON.parse(readFileSync(join(REPO_ROOT, 'dist/bundle.meta.json'), 'utf8')) as {
  outputs: Record<string, { inputs: object; imports: { path: string; kind: string; external?: boolean }[] }>;
};

t.test('the bundle entries (what bin/sif loads, then run.js) do not statically reach openpgp, yargs or the integrity modules', async (t) => {
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

t.test('plain-verify.js is one file without yargs or the X.509 code, and imports the one openpgp the shared bundle imports too', async (t) => {
  const file = outputs['dist/bundle/plain-verify.js']!;
  const inputs = Object.keys(file.inputs);
  t.ok(inputs.includes('src/integrity/check.ts'), 'the checks are in it');
  t.same(inputs.filter((f) => /^node_modules\/(openpgp|yargs|pkijs|asn1js)\/|^src\/integrity\/x509\//.test(f)), []);
  t.same([...new Set(file.imports.filter((i) => !i.path.startsWith('node:')).map((i) => i.path))], ['./openpgp/openpgp.js']);
  // Built-ins it loads up front: node:http(s) would be ~10 ms of every verify (hkp.ts and insecure-fetch.ts load them when used).
  t.same([...new Set(file.imports.filter((i) => i.kind === 'import-statement' && i.path.startsWith('node:')).map((i) => i.path))].sort(), [
    'node:crypto', 'node:fs', 'node:fs/promises', 'node:os', 'node:path', 'node:stream',
  ]);
  const bundlesOfOpenpgp = Object.entries(outputs).filter(([, o]) => Object.keys(o.inputs).some((f) => f.startsWith('node_modules/openpgp/dist/lightweight/openpgp')));
  t.same(bundlesOfOpenpgp.map(([name]) => name), ['dist/bundle/openpgp/openpgp.js']);
});
