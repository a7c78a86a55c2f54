/**
 * The trust flags (--keyring, --keysdir, --global-keyring) of every command
 * that verifies: declared once, and turned into the key-set options of the
 * one key-loading module (integrity/keyset.ts).
 */
import type { Argv } from 'yargs';
import type { KeySetOptions } from '../../integrity/keyset.js';
import { repeatable } from '../repeated-flags.js';

export interface TrustArgs {
  keyring?: string[];
  keysdir?: string;
  'global-keyring'?: string;
}

/** Adds the trust flags; `keyringHelp` describes --keyring for this command. */
export function trustOptions<T>(y: Argv<T>, keyringHelp = 'public key file to trust (repeatable; armored or binary)') {
  return y
    .option('keyring', { ...repeatable, describe: keyringHelp })
    .option('keysdir', { type: 'string', describe: 'key directory whose pgp-public is trusted (default $SIF_KEYSDIR, $APPTAINER_KEYSDIR, ~/.apptainer/keys)' })
    .option('global-keyring', { type: 'string', describe: "global keyring (default $SIF_GLOBAL_KEYRING, else Apptainer's)" });
}

/** The key-set options the flags and environment name. */
export const keySetOptionsFromArgs = (a: TrustArgs, env: NodeJS.ProcessEnv): KeySetOptions => ({
  keyrings: a.keyring ?? [],
  keysDir: a.keysdir,
  globalKeyring: a['global-keyring'],
  env,
});
