/** Flags every `sif key` subcommand shares, and where they point. */
import type { Argv } from 'yargs';
import { UsageError } from '../../../errors.js';
import { globalKeyring, localKeyrings, type KeyringLocation } from '../../../keys/location.js';
import { APPTAINER_GLOBAL_KEYRINGS, resolveGlobalKeyring, resolveKeysDir } from '../../../keys/paths.js';
import { write, type Io } from '../../io.js';

export interface LocationArgs {
  keysdir?: string;
  global?: boolean;
  'global-keyring'?: string;
}

/** --keysdir, plus --global and --global-keyring unless the command cannot use the global keyring. */
export function locationOptions<T>(y: Argv<T>, withGlobal = true): Argv<T & LocationArgs> {
  const local = y.option('keysdir', {
    alias: 'd',
    type: 'string',
   
    describe: 'keys directory (default: $SIF_KEYSDIR, else $APPTAINER_KEYSDIR, else ~/.apptainer/keys)',
  });
  if (!withGlobal) return local as Argv<T & LocationArgs>;
  return local
    .option('global', { alias: 'g', type: 'boolean', default: false, describe: 'use the global public keyring' })
    .option('global-keyring', {
      type: 'string',
     
      describe: `global public keyring (default: $SIF_GLOBAL_KEYRING, else ${APPTAINER_GLOBAL_KEYRINGS.join(' or ')})`,
    }) as Argv<T & LocationArgs>;
}

/** The keyrings the flags and environment name. */
export function keyringLocation(args: LocationArgs, io: Io): KeyringLocation {
  const env = io.env;
  if (args.global) {
    if (args.keysdir !== undefined) throw new UsageError('--keysdir and --global name different keyrings; pass one of them');
    const path = resolveGlobalKeyring({ globalKeyring: args['global-keyring'], env }) ?? APPTAINER_GLOBAL_KEYRINGS[0]!;
    return globalKeyring(path);
  }
  return localKeyrings(resolveKeysDir({ keysDir: args.keysdir, env }));
}

/** Library warnings (mode fixes, unprotected keys) on stderr. */
export async function printWarnings(io: Io, warnings: readonly string[]): Promise<void> {
  for (const w of warnings) await write(io.stderr, `sif: warning: ${w}\n`);
}

/** Parses a key index flag or answer: a non-negative integer. */
export function parseKeyIndex(value: string | number): number {
  const text = String(value).trim();
  if (!/^[0-9]+$/.test(text)) throw new UsageError(`invalid key index ${JSON.stringify(String(value))}: expected a number as sif key list prints it`);
  return Number(text);
}
