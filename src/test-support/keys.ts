/**
 * Helpers for key-management tests: gpg in a throwaway home, the Go keyring
 * oracle, and byte snapshots of a keys directory. Passphrases reach child
 * processes on stdin only, never in their argv.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oracleBinary } from './oracle.js';

export interface Gpg {
  readonly home: string;
  /** Runs gpg; `passphrase` goes through --passphrase-fd 0. Throws on failure. */
  run(args: string[], options?: { passphrase?: string }): Buffer;
  /** A new key pair; returns its fingerprint. */
  generate(uid: string, algorithm: 'rsa3072' | 'ed25519', passphrase?: string): string;
}

/** gpg with a short-lived home (short path: gpg-agent's socket path is limited). */
export function tempGpg(t: { teardown(fn: () => void): void }): Gpg {
  const home = mkdtempSync(join(tmpdir(), 'sifgpg-'));
  t.teardown(() => {
    spawnSync('gpgconf', ['--homedir', home, '--kill', 'all']);
    rmSync(home, { recursive: true, force: true });
  });
  const run = (args: string[], options: { passphrase?: string } = {}) => {
    const pass = options.passphrase === undefined ? [] : ['--pinentry-mode', 'loopback', '--passphrase-fd', '0'];
    const r = spawnSync('gpg', ['--homedir', home, '--batch', '--no-tty', ...pass, ...args], {
      input: options.passphrase === undefined ? '' : `${options.passphrase}\n`,
      maxBuffer: 1 << 26,
    });
    if (r.status !== 0) throw new Error(`gpg ${args.join(' ')} failed: ${r.stderr.toString()}`);
    return r.stdout;
  };
  const generate = (uid: string, algorithm: 'rsa3072' | 'ed25519', passphrase = '') => {
    run(['--quick-gen-key', uid, algorithm, 'sign', 'never'], { passphrase });
    const colons = run(['--with-colons', '--list-secret-keys', uid]).toString();
    return /^fpr:+([0-9A-F]{40}):/m.exec(colons)![1]!;
  };
  return { home, run, generate };
}

export interface OracleKey {
  fingerprint: string;
  identities: { id: string; name: string; comment: string; email: string }[];
  created: number;
  bitLength: number;
  hasPrivate: boolean;
  encrypted: boolean;
  decrypts: boolean;
  decryptError?: string;
  listing: string;
}

function runOracle<T>(args: string[], passphrase: string | undefined, env: NodeJS.ProcessEnv = {}): T & { error?: string } {
  const flags = passphrase === undefined ? [] : ['-passphrase-stdin'];
  const [command, ...rest] = args;
  const r = spawnSync(oracleBinary(), [command!, ...flags, ...rest], {
    input: passphrase === undefined ? '' : `${passphrase}\n`,
    env: { ...process.env, ...env },
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`oracle ${command} failed: ${r.stderr.toString()}`);
  return JSON.parse(r.stdout.toString()) as T & { error?: string };
}

/** The keyring as go-crypto's openpgp.ReadKeyRing (Apptainer) reads it. */
export function goKeyring(file: string, options: { passphrase?: string; env?: NodeJS.ProcessEnv } = {}) {
  return runOracle<{ keys: OracleKey[] }>(['keyring-list', file], options.passphrase, options.env);
}

/** go-crypto clear-signs with the secret key and verifies against the public keyring. */
export function goClearSign(secret: string, pub: string, fingerprint: string, passphrase?: string) {
  return runOracle<{ signedBy: string; message: string }>(['keyring-sign', secret, pub, fingerprint], passphrase);
}

/** sif 2.8.3 signs IMG (in place) with the secret key and verifies it against the public keyring. */
export function goSignImage(secret: string, pub: string, fingerprint: string, image: string, passphrase?: string) {
  return runOracle<{ signedBy: string; verifiedBy: string }>(['keyring-sign-image', secret, pub, fingerprint, image], passphrase);
}

/** Every file of a directory with its bytes and mode, to prove nothing changed. */
export function snapshot(dir: string): Record<string, { bytes: string; mode: number }> {
  const out: Record<string, { bytes: string; mode: number }> = {};
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const info = statSync(path);
    if (info.isFile()) out[name] = { bytes: readFileSync(path).toString('base64'), mode: info.mode & 0o777 };
  }
  return out;
}
