/** Passphrases for key commands: never echoed, never required on argv. */
import { UsageError } from '../../../errors.js';
import { askSecret, readPassphrase } from '../../prompt.js';
import { write, type Io } from '../../io.js';

export interface NewPassphraseSource {
  /** A value given on the command line (Apptainer's --password), used as is. */
  value?: string;
  /** A file whose first line is the passphrase. */
  file?: string;
  /** Environment variable consulted after the file. */
  envVar: string;
  question: string;
}

const MAX_TRIES = 3;

/**
 * A passphrase for a key being created or re-encrypted, from: the flag, the
 * file, the environment, a terminal (asked twice, as Apptainer does), or one
 * line of stdin. '' is allowed: the key is then stored unprotected.
 */
export async function newPassphrase(io: Io, source: NewPassphraseSource): Promise<string> {
  if (source.value !== undefined) return source.value;
  if (source.file !== undefined) return readPassphrase(io, { file: source.file, question: source.question });
  const fromEnv = io.env[source.envVar];
  if (fromEnv !== undefined) return fromEnv;
  if (!io.stdinIsTTY) return askSecret(io, source.question);
  for (let i = 0; i < MAX_TRIES; i++) {
    const first = await askSecret(io, source.question);
    if ((await askSecret(io, 'Retype your passphrase : ')) === first) return first;
    await write(io.stderr, 'sif: warning: passphrases do not match\n');
  }
  throw new UsageError('too many retries while getting a passphrase');
}
