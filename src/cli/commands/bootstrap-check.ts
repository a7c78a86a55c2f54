import type { CommandModule } from 'yargs';
import { write, type Io } from '../io.js';
import { renderBootstrapCheck } from '../render/gating.js';

interface Args {
  definition: string;
  image?: string;
  keyring?: string[];
}

/** `sif bootstrap-check [--keyring FILE]… DEF [IMG]`: Apptainer's build-time check of the bootstrap image. */
export function bootstrapCheckCommand(io: Io): CommandModule<object, Args> {
  return {
    command: 'bootstrap-check <definition> [image]',
    describe: "Check a definition file's bootstrap image as apptainer build does (Fingerprints: header)",
    builder: (y) =>
      y
        .positional('definition', { type: 'string', demandOption: true, describe: 'Apptainer definition file' })
        .positional('image', { type: 'string', describe: 'the downloaded image, for library and oras bootstraps' })
        .option('keyring', { type: 'string', array: true, describe: 'public key file (repeatable); default: the global and your pgp-public keyring' })
        .example('$0 bootstrap-check app.def', 'localimage: checks From: (relative to app.def)')
        .example('$0 bootstrap-check --keyring team.asc app.def downloaded.sif', 'library/oras: checks the downloaded file'),
    handler: async (a) => {
      const { checkBootstrap } = await import('../../policy/bootstrap.js');
      const result = await checkBootstrap({ definition: a.definition, image: a.image, keyrings: a.keyring, env: io.env });
      const { stdout, stderr } = renderBootstrapCheck(result);
      if (stdout) await write(io.stdout, stdout);
      if (stderr) await write(io.stderr, stderr);
      if (result.error) throw result.error;
    },
  };
}
