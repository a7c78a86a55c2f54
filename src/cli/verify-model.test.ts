/**
 * `sif verify-attestation` on model_signing's own signatures: every
 * model-transparency fixture (sigstore/model-transparency @ e3430730
 * scripts/tests) verifies through the built bin/sif as its test-verify-*.sh
 * runs `model_signing verify` (the same signature, model path, ignore paths
 * and working directory; key, certificate and keyless flows). In a copy, a
 * changed byte, an added file and a removed file each fail with
 * model_signing's report and exit 10.
 */
import t, { type Test } from 'tap';
import { chmodSync, cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnCli } from '../test-support/cli.js';
import { FIXTURES, withReference } from '../test-support/reference.js';

const MT = join(FIXTURES, 'model-transparency');

interface Run {
  /** The fixture directory the run checks. */
  readonly fixture: string;
  /** Relative to the fixtures' root, as the script's pushd leaves it. */
  readonly cwd: string;
  /** The model path as the script gives it, relative to `cwd`. */
  readonly model: string;
  /** `sif verify-attestation` arguments, the trusted root relative to `root`. */
  readonly args: (root: string) => string[];
}

/** Each `python -m model_signing verify FLOW …` of a script, as the sif arguments that check the same. */
function runsOf(script: string): Run[] {
  const fixture = script.replace(/^test-verify-(.*)\.sh$/, '$1');
  const runs: Run[] = [];
  let cwd = '.';
  for (const line of readFileSync(join(MT, script), 'utf8').replace(/\\\n/g, ' ').split('\n')) {
    cwd = /^pushd (\S+)/.exec(line)?.[1] ?? (line.startsWith('popd') ? '.' : cwd);
    const m = /python -m model_signing\s+verify\s+(\w+)\s+(.*?)\s*;\s*then/.exec(line);
    if (m === null) continue;
    const tokens = m[2]!.split(/\s+/);
    const model = tokens.pop()!;
    const flags = new Map<string, string[]>();
    for (let i = 0; i < tokens.length; i += 2) flags.set(tokens[i]!, [...(flags.get(tokens[i]!) ?? []), tokens[i + 1]!]);
    const flag = (name: string) => flags.get(name)![0]!;
    const ignored = (flags.get('--ignore-paths') ?? []).flatMap((p) => ['--ignore-paths', p]);
    const trust = (root: string): string[] => {
      if (m[1] === 'key') return ['--key', flag('--public_key')];
      if (m[1] === 'certificate') return ['--certificate-roots', flag('--certificate_chain')];
      return ['--trusted-root', join(root, 'sigstore-trusted-root.json'), '--identity', flag('--identity'), '--identity-provider', flag('--identity_provider')];
    };
    runs.push({ fixture, cwd, model, args: (root) => ['verify-attestation', '-q', ...trust(root), ...ignored, flag('--signature'), model] });
  }
  return runs;
}

const SCRIPTS = () => readdirSync(MT).filter((f) => /^test-verify-.*\.sh$/.test(f));

withReference(t, 'every model-transparency fixture verifies as its test-verify script runs it', ['shared'], async (t) => {
  const scripts = SCRIPTS();
  t.equal(scripts.length, 13, 'the 13 scripts (v0.2.0 to v1.1.0; key, certificate, keyless)');
  for (const script of scripts) {
    const runs = runsOf(script);
    t.ok(runs.length > 0, `${script}: a model_signing verify run`);
    for (const run of runs) {
      const r = spawnCli(run.args(MT), { cwd: join(MT, run.cwd) });
      t.equal(r.code, 0, `${script} in ${run.cwd}: ${r.stderr}`);
      const [, matched, all] = /: (\d+) of (\d+) resources matched/.exec(r.stdout.toString()) ?? [];
      t.ok(matched !== undefined && matched === all, `${script}: every resource matched`);
    }
  }
});

/** A writable copy of the fixtures' root; the fixture directory writable. */
function copyOf(t: Test, fixture: string): string {
  const root = join(t.testdir(), 'mt');
  cpSync(MT, root, { recursive: true });
  const dir = join(root, fixture);
  chmodSync(dir, 0o755);
  for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o644);
  return root;
}

withReference(t, 'a changed byte, an added file, a removed file: exit 10 and the file named', ['shared'], async (t) => {
  for (const script of SCRIPTS()) {
    const run = runsOf(script)[0]!;
    await t.test(run.fixture, async (t) => {
      const root = copyOf(t, run.fixture);
      const dir = join(root, run.fixture);
      const single = run.model.endsWith('signme-1');
      const verify = () => {
        const r = spawnCli(run.args(root), { cwd: join(root, run.cwd) });
        return { code: r.code, stdout: r.stdout.toString(), stderr: r.stderr };
      };
      const original = readFileSync(join(dir, 'signme-1'));
      const changed = Buffer.from(original);
      changed[0]! ^= 1;
      writeFileSync(join(dir, 'signme-1'), changed);
      const name = single ? '.' : 'signme-1';
      const bad = verify();
      t.same([bad.code, bad.stderr], [10, `sif: the model does not match the signature: 1 mismatched (first: mismatched "${name}")\n`], 'a changed byte');
      t.match(bad.stdout, new RegExp(`^hash mismatch for '${name.replace('.', '\\.')}': expected sha256:[0-9a-f]{64}, actual sha256:[0-9a-f]{64}$`, 'm'));
      writeFileSync(join(dir, 'signme-1'), original);
      t.equal(verify().code, 0, 'restored');
      if (single) {
        rmSync(join(dir, 'signme-1'));
        t.same(verify().code, 3, 'a single-file model removed: no such file');
        return;
      }
      writeFileSync(join(dir, 'added'), 'new');
      const added = verify();
      t.same([added.code, added.stderr], [10, 'sif: the model does not match the signature: 1 extra (first: extra "added")\n'], 'an added file');
      t.match(added.stdout, /^extra file in the model: 'added' \(sha256:[0-9a-f]{64}\)$/m);
      rmSync(join(dir, 'added'));
      rmSync(join(dir, 'signme-2'));
      const removed = verify();
      t.same([removed.code, removed.stderr], [10, 'sif: the model does not match the signature: 1 missing (first: missing "signme-2")\n'], 'a removed file');
      t.match(removed.stdout, /^missing from the model: 'signme-2' \(sha256:[0-9a-f]{64}\)$/m);
      const json = spawnCli([...run.args(root).filter((a) => a !== '-q'), '--json'], { cwd: join(root, run.cwd) });
      const result = JSON.parse(json.stdout.toString()) as { verified: boolean; subjects: { name: string; status: string }[]; model: { ok: boolean } };
      t.same([json.code, result.verified, result.model.ok], [10, false, false], '--json: the ModelCheck');
      t.same(result.subjects.map((s) => [s.name, s.status]), [['signme-1', 'matched'], ['signme-2', 'missing']]);
    });
  }
});
