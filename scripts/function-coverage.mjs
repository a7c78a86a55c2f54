#!/usr/bin/env node
/**
 * The function coverage floor, each function counted once. tap counts a
 * function of src/ once per build that ran it: the tsc build (in-process
 * tests) and the esbuild bundle (bin/sif in child processes). Their source
 * maps place many functions at different columns (esbuild maps a bundled
 * `export async function f` to the `export`, tsc to the `async`), so istanbul
 * keeps both copies and counts only the one whose build ran as covered: the
 * figure moved by a point when a change only re-split the bundle's chunks.
 * Here the copies of a function (same file, name and line) count once, and
 * covered when either ran. `npm test` runs this after tap, which writes the
 * report (.taprc: coverage-report json).
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import process from 'node:process';

const say = (line) => process.stdout.write(`${line}\n`);

const FLOOR = 98;
const REPORT = '.tap/report/coverage-final.json';

let report;
try {
  report = JSON.parse(readFileSync(REPORT, 'utf8'));
} catch (e) {
  say(`function coverage: cannot read ${REPORT} (${e.code ?? e.message}): run the tests with coverage`);
  process.exit(1);
}

let total = 0;
const missed = [];
for (const [file, coverage] of Object.entries(report)) {
  const copies = new Map();
  for (const [id, fn] of Object.entries(coverage.fnMap)) {
    const key = `${fn.name} (line ${fn.decl.start.line})`;
    copies.set(key, copies.get(key) === true || coverage.f[id] > 0);
  }
  total += copies.size;
  for (const [key, covered] of copies) if (!covered) missed.push(`${relative(process.cwd(), file)}: ${key}`);
}
const percent = (100 * (total - missed.length)) / total;
say(`functions, each counted once: ${total - missed.length} of ${total} covered, ${percent.toFixed(2)} % (floor ${FLOOR} %)`);
if (percent < FLOOR) {
  for (const m of missed) say(`  not run: ${m}`);
  process.exitCode = 1;
}
