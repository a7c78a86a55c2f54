/** `sif verify`: check an image's signatures as Apptainer's `verify` does, with its output. */
import type { CommandModule } from 'yargs';
import { SifImage } from '../../image/image.js';
import type { ObjectDigests } from '../../integrity/digest.js';
import type { VerifyReport } from '../../integrity/verify.js';
import { parseId } from '../args.js';
import { claimEarlyVerify } from '../early-verify.js';
import { write, type Io } from '../io.js';
import { publicKeyOption, trustOptions, verifyKeySetOptionsFromArgs, type TrustArgs } from './trust-flags.js';
import { policyOptions, runPolicyVerify, usesPolicy, type PolicyArgs } from './verify-policy.js';

interface VerifyArgs extends TrustArgs {
  image: string;
  'group-id'?: string;
  'sif-id'?: string;
  'legacy-insecure': boolean;
  all: boolean;
  json: boolean;
  quiet: boolean;
}

export function verifyCommand(io: Io): CommandModule<object, VerifyArgs & PolicyArgs> {
  return {
    command: 'verify <image>',
    describe: 'Verify the digital signature(s) of an image (as Apptainer verify)',
    builder: (y) =>
      publicKeyOption(trustOptions(
        policyOptions(y)
          .positional('image', { type: 'string', demandOption: true, describe: 'SIF image' })
          .option('group-id', { alias: 'g', type: 'string', describe: 'verify only this object group' })
          .option('sif-id', { alias: 'i', type: 'string', describe: 'verify only this object' })
          .option('legacy-insecure', { type: 'boolean', default: false, describe: 'verify legacy (pre-3.6, insecure) signatures instead' })
          .option('all', { alias: 'a', type: 'boolean', default: false, describe: 'with --legacy-insecure: every grouped object' }),
      ))
        .option('json', { alias: 'j', type: 'boolean', default: false, describe: "print Apptainer's JSON result (with the policy flags, plus Results and Policy: docs/build-gating.md)" })
        .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress line on stderr' }),
    handler: async (a) => {
      if (usesPolicy(a)) return runPolicyVerify(io, a);
      const groups = a['group-id'] === undefined ? [] : [parseId(a['group-id'], 'group ID')];
      const objects = a['sif-id'] === undefined ? [] : [parseId(a['sif-id'], 'object ID')];
      const { verifyJson, renderVerifyText } = await import('../render/verify.js');
      let report: VerifyReport | undefined;
      let image: SifImage | undefined;
      const { commandProgress } = await import('../progress.js');
      const progress = commandProgress(io, 'Verifying', a.quiet);
      let digests: ObjectDigests | undefined;
      try {
        const loadKeys = async () => {
          const { loadVerificationKeys } = await import('../../integrity/keyset.js');
          return loadVerificationKeys(verifyKeySetOptionsFromArgs(a, io.env));
        };
        const { verifyIntegrity, primaryPartitionId, prefetchVerification } = await import('../../integrity/verify.js');
        const { ObjectDigests: Digests } = await import('../../integrity/digest.js');
        const legacy = a['legacy-insecure'];
        const legacyAll = legacy && a.all;
        const noSelection = groups.length === 0 && objects.length === 0;
        const early = !legacy && noSelection ? await claimEarlyVerify(a.image) : undefined;
        image =
          early?.image ??
          (await SifImage.open(a.image).catch(async (e: unknown) => {
            await loadKeys(); // a keyring error comes before an image error
            throw e;
          }));
        digests = early?.digests ?? new Digests(image, { onProgress: progress?.update });
        // Hashing starts (and a worker spawns) before openpgp loads: verify.js and digest.js do not import it.
        // An early start has requested these digests already.
        if (!legacy && !early) await prefetchVerification(image, digests, { groups, objects });
        const keys = await loadKeys();
        early?.joinHashing(progress?.update);
        if (legacy && !legacyAll && noSelection) objects.push(primaryPartitionId(image));
        report = await verifyIntegrity(image, { keys, groups, objects, legacy, legacyAll, stopAtFirstFailure: true, digests });
        progress?.finish();
        if (!a.json) await write(io.stdout, renderVerifyText(report));
        if (report.error) throw report.error;
      } finally {
        digests?.close(); // a failure leaves prefetched digests unneeded
        progress?.finish();
        if (a.json) await write(io.stdout, verifyJson(report));
        await image?.close();
      }
      if (!a.json) io.stderr.write(`Verified signature(s) from image '${a.image}'\n`);
    },
  };
}
