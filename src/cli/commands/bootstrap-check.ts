import type { CommandModule } from 'yargs';
import { write, type Io } from '../io.js';
import { renderBootstrapCheck } from '../render/gating.js';
import { repeatable } from '../repeated-flags.js';
import { lookupOptions, remoteLookupFromArgs, type LookupArgs } from './lookup-flags.js';
import { remoteOptions, remoteOptionsFromArgs, type RemoteArgs } from './remote-flags.js';
import { keySetOptionsFromArgs, trustOptions, type TrustArgs } from './trust-flags.js';

interface Args extends TrustArgs, LookupArgs, RemoteArgs {
  definition: string;
  image?: string;
  cwd?: string;
  'build-arg'?: string[];
  'build-arg-file'?: string;
  'warn-unused-build-args': boolean;
}

/** `sif bootstrap-check [--keyring FILE]… DEF [IMG]`: Apptainer's build-time check of the bootstrap image. */
export function bootstrapCheckCommand(io: Io): CommandModule<object, Args> {
  return {
    command: 'bootstrap-check <definition> [image]',
    describe: "Check a definition file's bootstrap image as apptainer build does (Fingerprints: header)",
    builder: (y) =>
      lookupOptions(trustOptions(
        remoteOptions(y)
          .positional('definition', { type: 'string', demandOption: true, describe: 'Apptainer definition file' })
          .positional('image', { type: 'string', describe: 'the downloaded image, for library, oras and shub bootstraps (oras: read from the registry when omitted)' })
          .option('cwd', { type: 'string', describe: 'directory apptainer build will run in: a relative From: is relative to it (default: the current directory)' })
          .option('build-arg', { ...repeatable, describe: 'KEY=VALUE replacing {{ KEY }} in the definition, as apptainer build --build-arg (repeatable)' })
          .option('build-arg-file', { type: 'string', describe: 'file of KEY=VALUE lines, as apptainer build --build-arg-file' })
          .option('warn-unused-build-args', { type: 'boolean', default: false, describe: 'a build argument the definition does not use only warns' }),
        'public key file to trust (repeatable; armored or binary), besides the global keyring and your pgp-public',
      ))
        .example('$0 bootstrap-check app.def', 'localimage: checks From:, relative to the current directory as apptainer build opens it')
        .example('$0 bootstrap-check --cwd build --build-arg BASE=base.sif defs/app.def', 'the build runs in build/ with --build-arg BASE=base.sif')
        .example('$0 bootstrap-check --keyring team.asc app.def downloaded.sif', 'library/oras/shub: checks the downloaded file'),
    handler: async (a) => {
      const { checkBootstrap } = await import('../../policy/bootstrap.js');
      const result = await checkBootstrap({
        definition: a.definition,
        image: a.image,
        cwd: a.cwd,
        buildArgs: a['build-arg'],
        buildArgFile: a['build-arg-file'],
        warnUnusedBuildArgs: a['warn-unused-build-args'],
        remote: await remoteOptionsFromArgs(a, io),
        ...keySetOptionsFromArgs(a, io.env),
        keyservers: await remoteLookupFromArgs(a, io),
      });
      const { stdout, stderr } = renderBootstrapCheck(result);
      if (stdout) await write(io.stdout, stdout);
      if (stderr) await write(io.stderr, stderr);
      if (result.error) throw result.error;
    },
  };
}
