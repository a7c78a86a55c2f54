/**
 * ESLint rule: a module must not import itself through other modules. The
 * import graph is read once per run with TypeScript's preProcessFile (static,
 * `import type` and dynamic `import()` imports alike: a type-only cycle still
 * ties two layers together), which took a tenth of the time of
 * eslint-plugin-import-x's no-cycle over this tree (docs/dependencies.md).
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';

/** Relative imports of each file, as absolute .ts paths; filled on demand and kept for the run. */
const graph = new Map();

function importsOf(file) {
  let targets = graph.get(file);
  if (targets) return targets;
  targets = [];
  graph.set(file, targets);
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return targets; // not a source file of ours (a .js script, a generated file)
  }
  for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
    if (fileName.startsWith('.')) targets.push(resolve(dirname(file), fileName.replace(/\.js$/, '.ts')));
  }
  return targets;
}

/** One import path from `start` back to itself, or undefined. */
function cycleFrom(start) {
  const seen = new Set();
  const walk = (file, path) => {
    for (const next of importsOf(file)) {
      if (next === start) return [...path, next];
      if (seen.has(next)) continue;
      seen.add(next);
      const found = walk(next, [...path, next]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(start, [start]);
}

export const noImportCycle = {
  meta: { type: 'problem', schema: [], messages: { cycle: 'import cycle: {{path}}' } },
  create(context) {
    return {
      Program(node) {
        const cycle = cycleFrom(context.filename);
        if (cycle) context.report({ node, messageId: 'cycle', data: { path: cycle.map((f) => relative(context.cwd, f)).join(' -> ') } });
      },
    };
  },
};
