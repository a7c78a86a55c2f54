/**
 * The fuzz invariant as a test: scripts/fuzz runs every target for the CI
 * budget (60 s in total; locally a short one, or SIF_FUZZ_SECONDS: see
 * test-support/soak.ts) and must end without a finding: most of it with a
 * fixed seed, the rest on the signature-packet differential with a random one
 * ($SIF_FUZZ_RANDOM_SEED to repeat it); every saved regression input replays
 * cleanly, both under the fuzzer's deadline and in-process.
 */
import t, { type Test } from 'tap';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { oracleBinary } from '../test-support/oracle.js';
import { missingReference, REPO_ROOT, withReference } from '../test-support/reference.js';
import { soakSeconds } from '../test-support/soak.js';
import { Finding } from './outcome.js';
import { replayInput, TARGETS } from './targets.js';

const FUZZ = join(REPO_ROOT, 'scripts/fuzz');
const REGRESSIONS = join(REPO_ROOT, 'testdata/fuzz-regressions');
const CI_BUDGET_SECONDS = 60;
const budget = soakSeconds(CI_BUDGET_SECONDS, 'SIF_FUZZ_SECONDS');
const seed = process.env.SIF_FUZZ_SEED ?? 'ci';

interface Report {
  target: string;
  seeds: number;
  iterations: number;
  findings: { type: string; detail: string; seedName: string; steps: string[]; savedAs?: string }[];
}

/** Mutated inputs every target runs however short the budget: a developer's short run still mutates each target. */
const MIN_MUTATIONS = 50;

const runFuzz = (args: string[], env: NodeJS.ProcessEnv = {}) => spawnSync(FUZZ, args, { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, ...env } });

/** The fixed-seed run gets most of the budget; the signature-packet differential runs again with a fresh seed. */
const RANDOM_SHARE = 0.2;
const randomSeed = process.env.SIF_FUZZ_RANDOM_SEED ?? randomBytes(6).toString('hex');

/** Runs scripts/fuzz with the Go oracle: every verdict the reference judges must agree. */
function fuzzWithoutFindings(t: Test, args: string[], targets: number): void {
  const save = t.testdir();
  const r = runFuzz([...args, '--min-mutations', String(MIN_MUTATIONS), '--save', save, '--json'], { SIF_FUZZ_ORACLE: oracleBinary() });
  t.comment(r.stdout.split('\n').filter((l) => !l.startsWith('{')).join('\n'));
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  const { reports } = JSON.parse(last.startsWith('{') ? last : '{"reports":[]}') as { reports: Report[] };
  t.equal(reports.length, targets, `a report per target\n${r.stderr}`);
  for (const report of reports) {
    t.ok(report.seeds > 0, `${report.target}: seeds found`);
    t.ok(report.iterations >= report.seeds + MIN_MUTATIONS, `${report.target}: ${MIN_MUTATIONS} mutated inputs at least (${report.iterations} inputs from ${report.seeds} seeds)`);
    for (const f of report.findings) t.fail(`${report.target} ${f.type}: ${f.detail} (seed ${f.seedName}; ${f.steps.join(', ')}; saved ${f.savedAs})`);
  }
  t.equal(r.status, 0, 'scripts/fuzz exit code');
}

const fixedSeconds = budget * (1 - RANDOM_SHARE);
withReference(t, `fuzzing every target for ${fixedSeconds} s (seed ${seed}) finds nothing`, ['go', 'go-sif', 'shared'], async (t: Test) => {
  fuzzWithoutFindings(t, ['--target', 'all', '--seconds', String(fixedSeconds), '--seed', seed], Object.keys(TARGETS).length);
});

// A fresh seed each run finds what the fixed one cannot; the seed in the name reproduces a failure.
withReference(t, `fuzzing signature packets for ${budget * RANDOM_SHARE} s (random seed ${randomSeed}) finds nothing`, ['go', 'go-sif', 'shared'], async (t: Test) => {
  fuzzWithoutFindings(t, ['--target', 'signatures', '--seconds', String(budget * RANDOM_SHARE), '--seed', randomSeed], 1);
});

const regressionTargets = existsSync(REGRESSIONS) ? readdirSync(REGRESSIONS).filter((d) => TARGETS[d]) : [];

t.test('every saved regression input keeps the invariant', async (t) => {
  // With the Go oracle when it is here: some inputs were findings only because the reference disagreed.
  const env = missingReference('go', 'go-sif') ? {} : { SIF_FUZZ_ORACLE: oracleBinary() };
  for (const target of regressionTargets) {
    const files = readdirSync(join(REGRESSIONS, target)).sort().map((f) => join(REGRESSIONS, target, f));
    const r = runFuzz(['--target', target, '--replay', ...files], env);
    t.equal(r.status, 0, `${target}: replayed under the deadline`, { output: `${r.stdout}${r.stderr}` });
    if (r.status !== 0) continue; // a hang would stall the in-process run below
    const scratchDir = t.testdir();
    for (const file of files) {
      const input = replayInput(file);
      const run = TARGETS[target]!.run(input.bytes, { scratchDir, scratchFile: join(scratchDir, `input${TARGETS[target]!.extension}`) }, input.rng);
      await t.resolves(run.catch((e: unknown) => Promise.reject(e instanceof Finding ? e.message : e)), file);
    }
  }
});

t.test('the harness catches each kind of failure: hangs, untyped errors, huge allocations', async (t) => {
  // Bounded by --iterations; the time budget is only a backstop (worker start-ups are slow on a loaded machine).
  const r = runFuzz(['--target', 'selftest', '--timeout-ms', '1000', '--iterations', '6', '--seconds', '300', '--seed', 'x', '--json'], { SIF_FUZZ_SELFTEST: '1' });
  t.equal(r.status, 1, 'findings make exit 1');
  const { reports } = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { reports: Report[] };
  const findings = reports[0]!.findings.map((f) => `${f.type} ${f.seedName}: ${f.detail.replace(/\d+/g, 'N')}`).sort();
  t.same(findings, [
    'crash huge allocation: huge allocation: RangeError: huge allocation: Buffer.alloc(N) over the N-byte bound',
    'crash type error: type error: TypeError: an untyped error is a finding',
    'hang async hang: the input never finished (a promise that never settles)',
    'hang sync hang: no result after N ms',
  ]);
  t.equal(reports[0]!.iterations, 6, 'every input ran, the hung ones in fresh workers');
});

t.test('--min-mutations outlasts a spent time budget', async (t) => {
  const r = runFuzz(['--target', 'dsse', '--seconds', '0', '--min-mutations', '5', '--seed', 'x', '--json']);
  t.equal(r.status, 0, r.stderr);
  const { reports } = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { reports: Report[] };
  t.ok(reports[0]!.iterations >= reports[0]!.seeds + 5, `${reports[0]!.iterations} inputs from ${reports[0]!.seeds} seeds`);
  const none = runFuzz(['--target', 'dsse', '--seconds', '0', '--seed', 'x', '--json']);
  t.equal((JSON.parse(none.stdout.trim().split('\n').at(-1)!) as { reports: Report[] }).reports[0]!.iterations, 0, 'without it, no time means no inputs');
});
