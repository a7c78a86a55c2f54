import type { CommandModule } from 'yargs';
import { readWholeStream } from '../../../bounded-read.js';
import type { ImportOutcome } from '../../../keys/import.js';
import { readPassphrase } from '../../prompt.js';
import { write, type Io } from '../../io.js';
import { keyringLocation, locationOptions, printWarnings, type LocationArgs } from './options.js';
import { newPassphrase } from './passphrase.js';

interface ImportArgs extends LocationArgs {
  file: string;
  'password-file'?: string;
  'new-password': boolean;
  'new-password-file'?: string;
}

export function importCommand(io: Io): CommandModule<object, ImportArgs> {
  return {
    command: 'import <file>',
    describe: 'Add the keys of a key file (binary or armored, one or many) to the keyrings',
    builder: (y) =>
      locationOptions(y)
        .positional('file', { type: 'string', demandOption: true, describe: 'key file, or - for stdin' })
        .option('password-file', { alias: 'passphrase-file', type: 'string', describe: 'passphrase of encrypted private keys, first line of this file' })
        .option('new-password', { type: 'boolean', default: false, describe: 'store private keys under a new passphrase (asked on a terminal)' })
        .option('new-password-file', { type: 'string', describe: 'like --new-password, the new passphrase from this file' }),
    handler: async (a) => {
      const location = keyringLocation(a, io);
      const { readImportFile, parseImportBytes, importKeys } = await import('../../../keys/import.js');
      const file = a.file === '-' ? await parseImportBytes(await readWholeStream(io.stdin, 'stdin', 'a key file'), 'stdin') : await readImportFile(a.file);
      await printWarnings(io, file.skipped.map((s) => `skipped ${s.reason} at byte ${s.offset} of ${a.file === '-' ? 'stdin' : a.file}, as Apptainer does`));
      const renew = a['new-password'] || a['new-password-file'] !== undefined;
      const { value, warnings } = await importKeys(location, file.entries, {
        passphraseFor: (fingerprint) => readPassphrase(io, { file: a['password-file'], question: `Enter the password of key ${fingerprint} : ` }),
        newPassphrase: renew
          ? () => newPassphrase(io, { file: a['new-password-file'], envVar: 'SIF_NEW_PASSPHRASE', question: 'Enter a new password for this key : ' })
          : undefined,
      });
      await printWarnings(io, warnings);
      for (const key of value) {
        if (key.secretAdded) await write(io.stdout, `Key with fingerprint ${key.fingerprint} successfully added to the private keyring\n`);
        if (key.secretAdded && key.unprotected) await printWarnings(io, [`the private key ${key.fingerprint} is stored without a passphrase`]);
        if (key.secretMerged.length) await write(io.stdout, mergedLine(key.fingerprint, 'private', key.secretMerged));
        await write(io.stdout, publicLine(key));
      }
    },
  };
}

const mergedLine = (fingerprint: string, keyring: string, added: readonly string[]) =>
  `Key with fingerprint ${fingerprint} updated in the ${keyring} keyring: ${added.join(', ')}\n`;

function publicLine(key: ImportOutcome): string {
  if (key.publicAdded) return `Key with fingerprint ${key.fingerprint} successfully added to the public keyring\n`;
  if (key.publicMerged.length) return mergedLine(key.fingerprint, 'public', key.publicMerged);
  return `Key with fingerprint ${key.fingerprint} is already in the public keyring\n`;
}
