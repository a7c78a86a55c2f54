import type { CommandModule } from 'yargs';
import { UsageError } from '../../../errors.js';
import { KEY_ALGORITHMS, type KeyAlgorithm } from '../../../keys/algorithms.js';
import { askLine } from '../../prompt.js';
import { write, type Io } from '../../io.js';
import { keyringLocation, locationOptions, printWarnings, type LocationArgs } from './options.js';
import { newPassphrase } from './passphrase.js';

interface NewpairArgs extends LocationArgs {
  name?: string;
  email?: string;
  comment?: string;
  password?: string;
  'password-file'?: string;
  algorithm?: KeyAlgorithm;
  'bit-length'?: number;
}

/** Apptainer's --bit-length, for scripts written for it: RSA only, and only sizes we still generate. */
function algorithmOf(a: NewpairArgs): KeyAlgorithm {
  if (a['bit-length'] === undefined) return a.algorithm ?? 'rsa4096';
  if (a.algorithm !== undefined) throw new UsageError('pass either --algorithm or --bit-length, not both');
  if (a['bit-length'] === 4096 || a['bit-length'] === 3072) return `rsa${a['bit-length']}`;
  throw new UsageError(`--bit-length ${a['bit-length']} is not supported: use 3072 or 4096 (or --algorithm ed25519)`);
}

async function required(io: Io, given: string | undefined, question: string, what: string): Promise<string> {
  const value = (given ?? (await askLine(io, question, what))).trim();
  if (value === '') throw new UsageError(`${what} is required`);
  return value;
}

export function newpairCommand(io: Io): CommandModule<object, NewpairArgs> {
  return {
    command: 'newpair',
    describe: 'Create a new key pair and add it to both keyrings',
    builder: (y) =>
      locationOptions(y, false)
        .option('name', { alias: 'N', type: 'string', describe: 'your name (asked on a terminal when missing)' })
        .option('email', { alias: 'E', type: 'string', describe: 'your email address (asked on a terminal when missing)' })
        .option('comment', { alias: 'C', type: 'string', describe: 'optional comment, e.g. "development keys"' })
        .option('password', {
          alias: 'P',
          type: 'string',
         
          describe: "passphrase of the private key ('' for none); visible to other users in the process list, prefer --password-file or $SIF_PASSPHRASE",
        })
        .option('password-file', { alias: 'passphrase-file', type: 'string', describe: 'read the passphrase from the first line of this file' })
        .option('algorithm', { alias: 'a', choices: KEY_ALGORITHMS, describe: 'key type (default: rsa4096, as Apptainer)' })
        .option('bit-length', { alias: 'b', type: 'number', describe: "RSA size, as Apptainer's flag: 4096 or 3072" }),
    handler: async (a) => {
      const algorithm = algorithmOf(a);
      const location = keyringLocation(a, io);
      const name = await required(io, a.name, 'Enter your name (e.g., John Doe) : ', 'a name (--name)');
      const email = await required(io, a.email, 'Enter your email address (e.g., john.doe@example.com) : ', 'an email address (--email)');
      const comment = a.comment ?? (io.stdinIsTTY ? await askLine(io, 'Enter optional comment (e.g., development keys) : ', 'comment') : '');
      const passphrase = await newPassphrase(io, { value: a.password, file: a['password-file'], envVar: 'SIF_PASSPHRASE', question: 'Enter a passphrase : ' });
      if (passphrase === '') await printWarnings(io, ['no passphrase set: anyone who can read the private keyring can sign as you']);
      const { generateKeyPair, storeKeyPair } = await import('../../../keys/generate.js');
      await write(io.stdout, 'Generating Entity and OpenPGP Key Pair... ');
      try {
        const key = await generateKeyPair({ name, email, comment: comment.trim(), passphrase, algorithm });
        const { value, warnings } = await storeKeyPair(location, key);
        await printWarnings(io, warnings);
        await write(io.stdout, `done\nKey with fingerprint ${value.fingerprint} added to ${location.secretPath} and ${location.publicPath}\n`);
      } catch (e) {
        await write(io.stdout, '\n');
        throw e;
      }
    },
  };
}
