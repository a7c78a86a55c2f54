/** The user's home directory, for the files found under it (keyrings, remote.yaml, Docker's config.json). */
import { userInfo } from 'node:os';

/**
 * $HOME, else the account's home in the password database, else undefined.
 * An empty HOME counts as unset: joined into a path it would mean the current
 * directory, and `sif key import` would create `.apptainer/keys` wherever it ran.
 */
export function homeDirectory(env: NodeJS.ProcessEnv): string | undefined {
  if (env.HOME) return env.HOME;
  try {
    return userInfo().homedir || undefined;
  } catch {
    return undefined; // a uid without an entry (containers)
  }
}
