/**
 * scripts/fuzz: mutation fuzzing of the reader, the key parsers and the
 * verifier. Exit 0 when no input broke the invariant, 1 when one did, 2 on bad
 * arguments, 3 when the harness itself failed. See docs/security.md.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { fuzzTarget, type FuzzOptions, type FuzzReport } from './supervisor.js';
import { TARGETS } from './targets.js';

const USAGE = `usage: scripts/fuzz [--target reader|keys|verify|signatures|dsse|x509|attest|all] [--seconds N] [--seed S] [--iterations N] [--min-mutations N]
                    [--save DIR] [--timeout-ms N] [--max-alloc-mb N] [--json]
       scripts/fuzz --target T --replay FILE...

  --seconds N        time budget, split across targets for --target all (default 10)
  --seed S           run seed; the same seed gives the same inputs (default: random, printed)
  --iterations N     stop each target after N inputs
  --min-mutations N  run at least N mutated inputs per target, even past --seconds
  --save DIR         write each failing input and a .json description to DIR
  --timeout-ms N     deadline of one input before it counts as a hang (default 5000)
  --max-alloc-mb N   largest single Buffer allocation allowed (default 32)
  --replay FILE      run saved inputs (FILE.gz is gunzipped) under the same deadline and bounds`;

function summary(r: FuzzReport): string {
  const codes = Object.entries(r.codes).sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c}=${n}`).join(' ');
  const rate = r.elapsedMs > 0 ? Math.round((r.iterations * 1000) / r.elapsedMs) : 0;
  const lines = [`${r.target}: ${r.iterations} inputs from ${r.seeds} seeds in ${(r.elapsedMs / 1000).toFixed(1)} s (${rate}/s); ` +
    `steps ${r.accepted} accepted, ${r.rejected} rejected [${codes}]; ${r.slowInputs} slow input(s); ${r.findings.length} finding(s)`];
  for (const f of r.findings) {
    lines.push(`  ${f.type.toUpperCase()} at input ${f.iteration} (seed ${f.seedName}; ${f.steps.join(', ') || 'unmutated'}; ${f.duplicates} more like it)`);
    lines.push(`    ${f.detail}`);
    if (f.savedAs) lines.push(`    saved: ${f.savedAs}`);
  }
  return lines.join('\n');
}

const number = (v: string | undefined, fallback: number, name: string): number => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: not a number: ${v}`);
  return n;
};

interface Plan {
  help: boolean;
  json: boolean;
  names: string[];
  banner: string;
  options: Omit<FuzzOptions, 'target'>;
}

/** The run the arguments ask for; throws with a message for bad arguments. */
function plan(argv: string[]): Plan {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      target: { type: 'string', default: 'all' },
      seconds: { type: 'string' },
      seed: { type: 'string' },
      iterations: { type: 'string' },
      'min-mutations': { type: 'string' },
      save: { type: 'string' },
      'timeout-ms': { type: 'string' },
      'max-alloc-mb': { type: 'string' },
      replay: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const names = values.target === 'all' ? Object.keys(TARGETS) : [values.target!];
  for (const n of names) if (!TARGETS[n]) throw new Error(`unknown target ${n} (have ${Object.keys(TARGETS).join(', ')})`);
  if (values.replay && (names.length !== 1 || positionals.length === 0)) throw new Error('--replay needs one --target and at least one file');
  const seed = values.seed ?? randomBytes(6).toString('hex');
  const seconds = values.replay ? Infinity : number(values.seconds, 10, 'seconds');
  const options = {
    seed,
    seconds: seconds / names.length,
    maxIterations: number(values.iterations, Number.MAX_SAFE_INTEGER, 'iterations'),
    minMutations: number(values['min-mutations'], 0, 'min-mutations'),
    timeoutMs: number(values['timeout-ms'], 5000, 'timeout-ms'),
    maxAllocBytes: number(values['max-alloc-mb'], 32, 'max-alloc-mb') * 2 ** 20,
    maxHeapMb: 512,
    saveDir: values.save,
    files: values.replay ? positionals : undefined,
  };
  const banner = values.replay ? `replaying ${positionals.length} input(s) through ${names[0]}` : `fuzz seed ${seed}: ${names.join(', ')} for ${seconds} s`;
  return { help: values.help, json: values.json, names, banner, options };
}

/** Runs scripts/fuzz; resolves with the exit code (0 clean, 1 findings, 2 bad arguments, 3 harness failure). */
export async function main(argv: string[], log: (s: string) => void = (s) => process.stdout.write(`${s}\n`)): Promise<number> {
  let p: Plan;
  try {
    p = plan(argv);
  } catch (e) {
    log(`fuzz: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (p.help) return log(USAGE), 0;
  log(p.banner);
  const reports: FuzzReport[] = [];
  try {
    for (const target of p.names) {
      reports.push(await fuzzTarget({ ...p.options, target }));
      log(summary(reports.at(-1)!));
    }
  } catch (e) {
    log(`fuzz: ${(e as Error).message}`);
    return 3;
  }
  if (p.json) log(JSON.stringify({ seed: p.options.seed, reports }));
  return reports.some((r) => r.findings.length > 0) ? 1 : 0;
}
