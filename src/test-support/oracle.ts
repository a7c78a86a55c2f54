/**
 * Builds and runs scripts/oracle, our Go program against the Debian sylabs/sif
 * 2.8.3 sources, in GOPATH mode. The binary is cached per source hash.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GO_SIF, REPO_ROOT } from './reference.js';

const ORACLE_SRC = join(REPO_ROOT, 'scripts/oracle');

function sourceHash(): string {
  const h = createHash('sha256');
  for (const f of readdirSync(ORACLE_SRC).sort()) h.update(f).update(readFileSync(join(ORACLE_SRC, f)));
  return h.digest('hex').slice(0, 16);
}

let built: string | undefined;

/** Path of the oracle binary, building it on first use. */
export function oracleBinary(): string {
  if (built) return built;
  const root = join(tmpdir(), `sif-oracle-${sourceHash()}`);
  const bin = join(root, 'oracle');
  if (!existsSync(bin)) {
    // GOPATH maps github.com/sylabs/sif/v2 to the Debian sources; the other deps sit in /usr/share/gocode.
    const gopath = join(root, 'gopath');
    const sylabs = join(gopath, 'src/github.com/sylabs/sif');
    mkdirSync(sylabs, { recursive: true });
    if (!existsSync(join(sylabs, 'v2'))) symlinkSync(GO_SIF, join(sylabs, 'v2'));
    execFileSync('go', ['build', '-o', bin, '.'], {
      cwd: ORACLE_SRC,
      env: { ...process.env, GO111MODULE: 'off', GOPATH: `${gopath}:/usr/share/gocode`, GOFLAGS: '', GOCACHE: join(root, 'cache') },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  built = bin;
  return bin;
}

/** Runs one oracle subcommand and parses its JSON answer. */
export function oracle<T = Record<string, unknown>>(...args: string[]): T {
  return oracleWithInput<T>('', ...args);
}

/** Like `oracle`, with `input` on stdin: how passphrases reach it (`--passphrase-stdin`), never argv. */
export function oracleWithInput<T = Record<string, unknown>>(input: string, ...args: string[]): T {
  const r = spawnSync(oracleBinary(), args, { input, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`oracle ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return JSON.parse(r.stdout.toString()) as T;
}
