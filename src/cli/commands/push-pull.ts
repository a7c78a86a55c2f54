/** `sif push IMG oras://…` and `sif pull oras://… IMG`: Apptainer's ORAS upload and download. */
import type { CommandModule } from 'yargs';
import { UsageError } from '../../errors.js';
import type { VerifyImageResult } from '../../policy/verify-image.js';
import { write, type Io } from '../io.js';
import { remoteOptions, remoteOptionsFromArgs, type RemoteArgs } from './remote-flags.js';
import { keySetOptionsFromArgs, trustOptions, type TrustArgs } from './trust-flags.js';

interface PushArgs extends RemoteArgs {
  image: string;
  target: string;
  quiet: boolean;
}

interface PullArgs extends RemoteArgs, TrustArgs {
  target: string;
  image: string;
  force: boolean;
  verify: boolean;
  quiet: boolean;
}

const orasOnly = (target: string) => {
  if (!/^oras:\/\//i.test(target)) throw new UsageError(`${target}: push and pull take an oras://REGISTRY/REPO:TAG reference`);
};

export function pushCommand(io: Io): CommandModule<object, PushArgs> {
  return {
    command: 'push <image> <target>',
    describe: 'Upload an image to an OCI registry (as apptainer push oras://)',
    builder: (y) =>
      remoteOptions(y)
        .positional('image', { type: 'string', demandOption: true, describe: 'SIF image file' })
        .positional('target', { type: 'string', demandOption: true, describe: 'oras://REGISTRY/REPO:TAG' })
        .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress line or INFO lines on stderr' }),
    handler: async (a) => {
      orasOnly(a.target);
      const [{ pushImage }, { commandProgress }] = await Promise.all([import('../../remote/push.js'), import('../progress.js')]);
      const progress = commandProgress(io, 'Uploading', a.quiet);
      try {
        const { digest } = await pushImage(a.image, a.target, { ...(await remoteOptionsFromArgs(a, io)), onProgress: progress?.update });
        progress?.finish();
        if (!a.quiet) await write(io.stderr, `INFO:    Digest: ${digest}\nINFO:    Upload complete\n`);
      } finally {
        progress?.finish();
      }
    },
  };
}

export function pullCommand(io: Io): CommandModule<object, PullArgs> {
  return {
    command: 'pull <target> <image>',
    describe: 'Download an image from an OCI registry (as apptainer pull oras://), checked and written atomically',
    builder: (y) =>
      trustOptions(remoteOptions(y))
        .positional('target', { type: 'string', demandOption: true, describe: 'oras://REGISTRY/REPO:TAG or oras://REGISTRY/REPO@sha256:…' })
        .positional('image', { type: 'string', demandOption: true, describe: 'where to write the image' })
        .option('force', { alias: 'F', type: 'boolean', default: false, describe: 'replace an existing image file' })
        .option('verify', { type: 'boolean', default: false, describe: 'keep the image only if its signatures verify (as sif verify, with the trust flags)' })
        .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress line or INFO lines on stderr' }),
    handler: async (a) => {
      orasOnly(a.target);
      const [{ pullImage }, { commandProgress }] = await Promise.all([import('../../remote/pull.js'), import('../progress.js')]);
      const remote = await remoteOptionsFromArgs(a, io);
      const progress = commandProgress(io, 'Downloading', a.quiet);
      try {
        const result = await pullImage(a.target, a.image, {
          ...remote,
          force: a.force,
          onProgress: progress?.update,
          ...(a.verify ? { check: (path: string) => verifyBeforeKeep(path, a, io) } : {}),
        });
        progress?.finish();
        if (!a.quiet) await write(io.stderr, `INFO:    Digest: ${result.manifestDigest}\n`);
      } finally {
        progress?.finish();
      }
    },
  };
}

/** --verify: the pulled file must verify as `sif verify` would; otherwise it is not kept. */
async function verifyBeforeKeep(path: string, a: PullArgs, io: Io): Promise<void> {
  const { verifyImage } = await import('../../policy/verify-image.js');
  const result: VerifyImageResult = await verifyImage({ path, ...keySetOptionsFromArgs(a, io.env) });
  if (result.error) throw result.error;
}
