/** `sif digest`: the documents a pipeline needs about an image, no key needed (docs/attestations.md). */
import { readWholeFile } from '../../bounded-read.js';
import { basename } from 'node:path';
import type { CommandModule } from 'yargs';
import { fromSystemError, UsageError } from '../../errors.js';
import { DataType } from '../../format/constants.js';
import type { Descriptor } from '../../format/descriptor.js';
import type { ImageSha256 } from '../../attest/image-digests.js';
import { write, type Io } from '../io.js';
import { hashImage, imageStatement, readWhole } from './image-statement.js';

const FORMATS = ['in-toto', 'sap-aicore', 'tekton-result', 'tekton-artifacts', 'slsa'] as const;
type Format = (typeof FORMATS)[number];

interface DigestArgs {
  image: string;
  format: Format;
  name?: string;
  'predicate-type'?: string;
  predicate?: string;
  'sap-file'?: string;
  input?: string;
  'builder-id'?: string;
  'invocation-id'?: string;
  'started-on'?: string;
  'finished-on'?: string;
  quiet: boolean;
}

/** Options that only one format reads: given with another, they would be silently ignored. */
const FORMAT_OF_OPTION: Readonly<Record<string, readonly Format[]>> = {
  'predicate-type': ['in-toto'],
  predicate: ['in-toto'],
  'sap-file': ['sap-aicore'],
  input: ['tekton-artifacts', 'slsa'],
  'builder-id': ['slsa'],
  'invocation-id': ['slsa'],
  'started-on': ['slsa'],
  'finished-on': ['slsa'],
};

export function digestCommand(io: Io): CommandModule<object, DigestArgs> {
  return {
    command: 'digest <image>',
    describe: 'Print digests of an image and its objects for attestations (in-toto, SLSA, Tekton, SAP AI Core)',
    builder: (y) =>
      y
        .positional('image', { type: 'string', demandOption: true, describe: 'SIF image' })
        .option('format', { alias: 'f', choices: FORMATS, default: 'in-toto' as Format, describe: 'output format (docs/attestations.md)' })
        .option('name', { type: 'string', describe: "the image's name in the output (default: its file name; sap-aicore: the artifact's globalName)" })
        .option('predicate-type', { type: 'string', describe: 'in-toto: the predicate type URI' })
        .option('predicate', { type: 'string', describe: 'in-toto: a file holding the predicate (a JSON object); needs --predicate-type' })
        .option('sap-file', { type: 'string', describe: "sap-aicore: add the image's entry to this signatures file (created if missing) instead of printing" })
        .option('input', { type: 'string', describe: "tekton-artifacts, slsa: the definition file the build read (slsa default: the image's Def.FILE object)" })
        .option('builder-id', { type: 'string', describe: 'slsa: the builder ID URI (required)' })
        .option('invocation-id', { type: 'string', describe: 'slsa: the ID of this build run' })
        .option('started-on', { type: 'string', describe: 'slsa: when the build started (RFC 3339)' })
        .option('finished-on', { type: 'string', describe: 'slsa: when the build finished (RFC 3339)' })
        .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress line on stderr' }),
    handler: async (a) => {
      for (const [option, formats] of Object.entries(FORMAT_OF_OPTION)) {
        if ((a as unknown as Record<string, unknown>)[option] !== undefined && !formats.includes(a.format)) {
          throw new UsageError(`--${option} is for --format ${formats.join(' or ')}, not ${a.format}`);
        }
      }
      const name = a.name ?? basename(a.image);
      if (name === '') throw new UsageError('--name must not be empty');
      const out = await emit(io, a, name);
      if (out !== undefined) await write(io.stdout, out);
    },
  };
}

/** The document for `a.format`, or undefined when it went to a file. Side files are read before the image is hashed. */
async function emit(io: Io, a: DigestArgs, name: string): Promise<string | undefined> {
  const pretty = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  switch (a.format) {
    case 'in-toto': {
      return pretty(await imageStatement(io, a, name));
    }
    case 'sap-aicore': {
      const { parseSapSignatures, withImageSignature } = await import('../../attest/sap-aicore.js');
      const file = a['sap-file'];
      const existing = file === undefined ? {} : parseSapSignatures((await readOptional(file)) ?? '{}', file);
      const merged = withImageSignature(existing, name, (await hashImage(io, a, NO_OBJECTS)).file);
      if (file === undefined) return `${JSON.stringify(merged)}\n`;
      const { replaceFileAtomically, GLOBAL_FILE_MODE } = await import('../../keys/store.js');
      await replaceFileAtomically(file, Buffer.from(`${JSON.stringify(merged)}\n`), GLOBAL_FILE_MODE);
      return undefined;
    }
    case 'tekton-result': {
      const { artifactOutputsResult } = await import('../../attest/tekton.js');
      // No newline: the exact bytes of a Tekton result file (`echo -n`).
      return JSON.stringify(artifactOutputsResult(name, (await hashImage(io, a, NO_OBJECTS)).file));
    }
    case 'tekton-artifacts': {
      const definition = a.input === undefined ? undefined : await definitionFile(a.input);
      const { provenanceArtifacts } = await import('../../attest/tekton.js');
      return pretty(provenanceArtifacts(name, (await hashImage(io, a, NO_OBJECTS)).file, definition));
    }
    case 'slsa': {
      if (a['builder-id'] === undefined) throw new UsageError('--format slsa needs --builder-id');
      const given = a.input === undefined ? undefined : await definitionFile(a.input);
      const digests = await hashImage(io, a, given === undefined ? isDefinition : NO_OBJECTS);
      const { slsaProvenance } = await import('../../attest/slsa.js');
      return pretty(
        slsaProvenance({
          image: { name, sha256: digests.file },
          definition: given ?? definitionObject(digests, name),
          builderId: a['builder-id'],
          invocationId: a['invocation-id'],
          startedOn: a['started-on'],
          finishedOn: a['finished-on'],
        }),
      );
    }
  }
}

const NO_OBJECTS = () => false;
const isDefinition = (d: Descriptor) => d.dataType === DataType.Deffile;

/** The image's own definition file (its first Def.FILE object), named as its in-toto subject. */
function definitionObject(digests: ImageSha256, name: string): { name: string; sha256: string } {
  const def = digests.objects.find((o) => isDefinition(o.descriptor));
  if (def === undefined) throw new UsageError('the image has no definition file object (Def.FILE): give the definition file with --input');
  return { name: `${name}#object=${def.descriptor.id}`, sha256: def.sha256 };
}

async function definitionFile(path: string): Promise<{ name: string; sha256: string }> {
  const { hashBytes } = await import('../../integrity/digest.js');
  return { name: basename(path), sha256: hashBytes('sha256', await readWhole(path, 'a definition file')).toString('hex') };
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return (await readWholeFile(path, 'a signatures file')).toString('utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fromSystemError(e, path);
  }
}
