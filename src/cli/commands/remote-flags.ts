/**
 * The flags of every command that reads a remote image (`oras://`,
 * `https://`): declared once, and turned into the library's RemoteOptions.
 * The password is only ever read from stdin, never from the command line.
 */
import type { Argv } from 'yargs';
import { readWholeStream } from '../../bounded-read.js';
import { UsageError } from '../../errors.js';
import type { RemoteOptions } from '../../remote/registry.js';
import type { Io } from '../io.js';

export interface RemoteArgs {
  https: boolean;
  username?: string;
  'password-stdin': boolean;
}

export function remoteOptions<T>(y: Argv<T>) {
  return y
    .option('https', { type: 'boolean', default: true, describe: 'use HTTPS for oras:// registries; --no-https talks plain HTTP (a local registry)' })
    .option('username', { type: 'string', describe: 'registry user name (default: Docker config.json credentials, else anonymous)' })
    .option('password-stdin', { type: 'boolean', default: false, describe: 'read the registry password (or token) from stdin' });
}

/** The remote options the flags and environment ($SIF_REMOTE_TIMEOUT seconds, $DOCKER_CONFIG) name. */
export async function remoteOptionsFromArgs(a: RemoteArgs, io: Io): Promise<RemoteOptions> {
  if (a['password-stdin'] && a.username === undefined) throw new UsageError('--password-stdin needs --username');
  if (a.username !== undefined && !a['password-stdin']) throw new UsageError('--username needs --password-stdin (the password is read from stdin)');
  const timeout = io.env.SIF_REMOTE_TIMEOUT === undefined ? undefined : Number(io.env.SIF_REMOTE_TIMEOUT);
  if (timeout !== undefined && !(timeout > 0)) throw new UsageError(`SIF_REMOTE_TIMEOUT: not a positive number of seconds: ${JSON.stringify(io.env.SIF_REMOTE_TIMEOUT)}`);
  const password = a['password-stdin'] ? await readPassword(io) : undefined;
  return {
    noHttps: !a.https,
    env: io.env,
    ...(a.username !== undefined ? { credentials: { username: a.username, password: password! } } : {}),
    ...(timeout !== undefined ? { http: { timeoutMs: timeout * 1000 } } : {}),
  };
}

/** stdin, less one trailing newline, as `docker login --password-stdin` reads it. */
async function readPassword(io: Io): Promise<string> {
  const bytes = await readWholeStream(io.stdin, 'stdin', 'a password');
  const password = bytes.toString('utf8').replace(/\r?\n$/, '');
  if (password === '') throw new UsageError('--password-stdin: stdin is empty');
  return password;
}
