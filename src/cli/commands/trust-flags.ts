/**
 * The trust flags (--keyring, --keysdir, --global-keyring) of every command
 * that verifies, and `sif verify`'s --key (PEM public keys for DSSE):
 * declared once, and turned into the key-set options of the one key-loading
 * module (integrity/keyset.ts).
 */
import type { Argv } from 'yargs';
import type { KeySetOptions } from '../../integrity/keyset.js';
import { repeatable } from '../repeated-flags.js';

export interface TrustArgs {
  keyring?: string[];
  keysdir?: string;
  'global-keyring'?: string;
  /** Only where publicKeyOption declared it. */
  key?: string[];
}

/** Adds the trust flags; `keyringHelp` describes --keyring for this command. */
export function trustOptions<T>(y: Argv<T>, keyringHelp = 'public key file to trust (repeatable; armored or binary)') {
  return y
    .option('keyring', { ...repeatable, describe: keyringHelp })
    .option('keysdir', { type: 'string', describe: 'key directory whose pgp-public is trusted (default $SIF_KEYSDIR, $APPTAINER_KEYSDIR, ~/.apptainer/keys)' })
    .option('global-keyring', { type: 'string', describe: "global keyring (default $SIF_GLOBAL_KEYRING, else Apptainer's)" });
}

/** Adds --key: PEM public keys that verify DSSE signatures. */
export function publicKeyOption<T>(y: Argv<T>) {
  return y.option('key', {
    ...repeatable,
    describe: 'PEM public key that verifies DSSE signatures (repeatable; default $SIF_VERIFY_KEY, $APPTAINER_VERIFY_KEY)',
  });
}

/** The key-set options the PGP trust flags and environment name. */
export const keySetOptionsFromArgs = (a: TrustArgs, env: NodeJS.ProcessEnv): KeySetOptions => ({
  keyrings: a.keyring ?? [],
  keysDir: a.keysdir,
  globalKeyring: a['global-keyring'],
  env,
});

/**
 * The key-set options of a command that declares --key: the PGP ones plus the
 * public keys, from --key or else the environment. (`bootstrap-check` keeps
 * PGP's semantics and gains nothing from the environment.)
 */
export const verifyKeySetOptionsFromArgs = (a: TrustArgs, env: NodeJS.ProcessEnv): KeySetOptions => ({
  ...keySetOptionsFromArgs(a, env),
  publicKeys: a.key?.length ? a.key : envPublicKeys(env),
});

/** Apptainer's APPTAINER_VERIFY_KEY (one path), after ours; empty values are unset. */
function envPublicKeys(env: NodeJS.ProcessEnv): string[] {
  const path = env.SIF_VERIFY_KEY || env.APPTAINER_VERIFY_KEY;
  return path ? [path] : [];
}
