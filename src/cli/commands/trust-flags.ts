/**
 * The trust flags (--keyring, --keysdir, --global-keyring) of every command
 * that verifies, and `sif verify`'s --key (PEM public keys for DSSE):
 * declared once, and turned into the key-set options of the one key-loading
 * module (integrity/keyset.ts).
 */
import type { Argv } from 'yargs';
import type { KeySetOptions } from '../../integrity/keyset.js';
import type { CertificateKeyOptions } from '../../integrity/x509/load.js';
import { repeatable } from '../repeated-flags.js';

export interface TrustArgs {
  keyring?: string[];
  keysdir?: string;
  'global-keyring'?: string;
  /** Only where publicKeyOption declared them. */
  key?: string[];
  certificate?: string;
  'certificate-intermediates'?: string;
  'certificate-roots'?: string;
  'ocsp-verify'?: boolean;
}

/** Adds the trust flags; `keyringHelp` describes --keyring for this command. */
export function trustOptions<T>(y: Argv<T>, keyringHelp = 'public key file to trust (repeatable; armored or binary)') {
  return y
    .option('keyring', { ...repeatable, describe: keyringHelp })
    .option('keysdir', { type: 'string', describe: 'key directory whose pgp-public is trusted (default $SIF_KEYSDIR, $APPTAINER_KEYSDIR, ~/.apptainer/keys)' })
    .option('global-keyring', { type: 'string', describe: "global keyring (default $SIF_GLOBAL_KEYRING, else Apptainer's)" });
}

/** Adds --key (PEM public keys that verify DSSE signatures) and --certificate with its chain and OCSP flags. */
export function publicKeyOption<T>(y: Argv<T>) {
  return y
    .option('key', {
      ...repeatable,
      describe: 'PEM public key that verifies DSSE signatures (repeatable; default $SIF_VERIFY_KEY, $APPTAINER_VERIFY_KEY)',
    })
    .option('certificate', {
      type: 'string',
      describe: 'PEM certificate whose key verifies DSSE signatures once its chain verifies (default $SIF_VERIFY_CERTIFICATE, $APPTAINER_VERIFY_CERTIFICATE)',
    })
    .option('certificate-intermediates', {
      type: 'string',
      describe: 'PEM intermediate certificates for --certificate (default $SIF_VERIFY_INTERMEDIATES, $APPTAINER_VERIFY_INTERMEDIATES)',
    })
    .option('certificate-roots', {
      type: 'string',
      describe: 'PEM root certificates for --certificate (default $SIF_VERIFY_ROOTS, $APPTAINER_VERIFY_ROOTS, else the system roots)',
    })
    .option('ocsp-verify', {
      type: 'boolean',
      describe: "with --certificate: check each chain certificate's revocation with its OCSP responder (default $SIF_VERIFY_OCSP, $APPTAINER_VERIFY_OCSP)",
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
  certificate: certificateOptions(a, env),
});

/**
 * --certificate and its companions, each from its flag or else the
 * environment (ours, then Apptainer's); the companions count only with a
 * certificate, as in Apptainer.
 */
function certificateOptions(a: TrustArgs, env: NodeJS.ProcessEnv): CertificateKeyOptions | undefined {
  const certificate = a.certificate || env.SIF_VERIFY_CERTIFICATE || env.APPTAINER_VERIFY_CERTIFICATE;
  if (!certificate) return undefined;
  return {
    certificate,
    intermediates: a['certificate-intermediates'] || env.SIF_VERIFY_INTERMEDIATES || env.APPTAINER_VERIFY_INTERMEDIATES || undefined,
    roots: a['certificate-roots'] || env.SIF_VERIFY_ROOTS || env.APPTAINER_VERIFY_ROOTS || undefined,
    ocsp: a['ocsp-verify'] ?? goBool(env.SIF_VERIFY_OCSP ?? env.APPTAINER_VERIFY_OCSP),
  };
}

/** Go's strconv.ParseBool truths, as Apptainer reads a boolean variable; anything else is false. */
const goBool = (value: string | undefined) => ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value ?? '');

/** Apptainer's APPTAINER_VERIFY_KEY (one path), after ours; empty values are unset. */
function envPublicKeys(env: NodeJS.ProcessEnv): string[] {
  const path = env.SIF_VERIFY_KEY || env.APPTAINER_VERIFY_KEY;
  return path ? [path] : [];
}
