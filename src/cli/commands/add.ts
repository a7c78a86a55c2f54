/** `sif add`: siftool add's flags and checks, then one addObject under the image's lock. */
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { CommandModule } from 'yargs';
import { fromSystemError, IoError, UsageError } from '../../errors.js';
import { ARCHES, DataType, SbomFormat } from '../../format/constants.js';
import { cryptoMessageExtra, partitionExtra, sbomExtra, signatureExtra } from '../../image/write/extra.js';
import type { ObjectInput } from '../../image/write/types.js';
import { decodeHex, parseIntFlag } from '../flags.js';
import type { Io } from '../io.js';
import { editFlags, editOptions, type EditArgs } from './write.js';

interface AddArgs extends EditArgs {
  file: string;
  datatype?: string;
  groupid?: string;
  link?: string;
  alignment?: string;
  filename?: string;
  partfs?: string;
  parttype?: string;
  partarch?: string;
  signentity?: string;
  signhash?: string;
  sbomformat?: string;
  cryptformat?: string;
  crypttype?: string;
}

/** siftool's --sbomformat names; "github" is its alias of github-json. */
const SBOM_NAMES: Record<string, number> = {
  'cyclonedx-json': SbomFormat.CycloneDXJSON,
  'cyclonedx-xml': SbomFormat.CycloneDXXML,
  github: SbomFormat.GitHubJSON,
  'github-json': SbomFormat.GitHubJSON,
  'spdx-json': SbomFormat.SPDXJSON,
  'spdx-rdf': SbomFormat.SPDXRDF,
  'spdx-tag-value': SbomFormat.SPDXTagValue,
  'spdx-yaml': SbomFormat.SPDXYAML,
  'syft-json': SbomFormat.SyftJSON,
};

/** The flags that only mean something with one data type. */
const TYPE_FLAGS: [flags: (keyof AddArgs)[], dataType: number, label: string][] = [
  [['partfs', 'parttype', 'partarch'], DataType.Partition, '4 (Partition)'],
  [['signentity', 'signhash'], DataType.Signature, '5 (Signature)'],
  [['cryptformat', 'crypttype'], DataType.CryptoMessage, '8 (CryptoMessage)'],
  [['sbomformat'], DataType.SBOM, '9 (SBOM)'],
];

const int32 = (a: AddArgs, flag: keyof AddArgs) => {
  const v = a[flag];
  return typeof v === 'string' ? parseIntFlag(flag, v, 32, true) : 0;
};

function dataTypeOf(a: AddArgs): number {
  const n = a.datatype === undefined ? 0 : parseIntFlag('datatype', a.datatype, 64, true);
  if (n < 1 || n > 11) throw new UsageError('--datatype flag is required with a valid range (1-11)');
  return 0x4000 + n;
}

function partitionFlags(a: AddArgs): Uint8Array {
  const [fsType, partType, arch] = [int32(a, 'partfs'), int32(a, 'parttype'), int32(a, 'partarch')];
  if (fsType === 0 || partType === 0 || arch === 0) {
    throw new UsageError('with partition datatype, --partfs, --parttype and --partarch must be passed');
  }
  return partitionExtra({ fsType, partType, arch: ARCHES[arch] ?? 'unknown' });
}

function signatureFlags(a: AddArgs): Uint8Array {
  let fingerprint: Buffer;
  try {
    fingerprint = decodeHex(a.signentity ?? '');
  } catch (e) {
    throw new UsageError(`failed to decode signing entity fingerprint: ${(e as Error).message}`);
  }
  const hashType = int32(a, 'signhash');
  if (hashType < 1 || hashType > 5) throw new UsageError(`invalid hash type: ${hashType}`);
  if (fingerprint.length !== 20) {
    throw new UsageError(`invalid signing entity fingerprint length: got ${fingerprint.length}, want 20`);
  }
  return signatureExtra(hashType, fingerprint);
}

function cryptoFlags(a: AddArgs): Uint8Array | undefined {
  if (a.cryptformat === undefined && a.crypttype === undefined) return undefined; // siftool writes no Extra
  if (a.cryptformat === undefined || a.crypttype === undefined) {
    throw new UsageError('with cryptographic message datatype, --cryptformat and --crypttype must be passed together');
  }
  return cryptoMessageExtra(int32(a, 'cryptformat'), int32(a, 'crypttype'));
}

function sbomFlags(a: AddArgs): Uint8Array {
  if (!a.sbomformat) throw new UsageError('with SBOM datatype, --sbomformat must be passed');
  const format = SBOM_NAMES[a.sbomformat];
  if (format === undefined) throw new UsageError(`invalid SBOM format: ${a.sbomformat}`);
  return sbomExtra(format);
}

function extraOf(a: AddArgs, dataType: number): Uint8Array | undefined {
  for (const [flags, type, label] of TYPE_FLAGS) {
    const stray = flags.find((f) => a[f] !== undefined);
    if (stray && type !== dataType) throw new UsageError(`--${stray} applies only to --datatype ${label}`);
  }
  if (dataType === DataType.Partition) return partitionFlags(a);
  if (dataType === DataType.Signature) return signatureFlags(a);
  if (dataType === DataType.CryptoMessage) return cryptoFlags(a);
  if (dataType === DataType.SBOM) return sbomFlags(a);
  return undefined;
}

/** The object's placement flags, as siftool applies them. */
function placement(a: AddArgs): Partial<ObjectInput> {
  const out: Partial<ObjectInput> = {};
  if (a.groupid !== undefined) out.groupId = parseIntFlag('groupid', a.groupid, 32, false);
  if (a.link !== undefined) out.linkedObjectId = parseIntFlag('link', a.link, 32, false);
  if (a.alignment !== undefined) out.alignment = parseIntFlag('alignment', a.alignment, 64, true);
  if (a.filename !== undefined) out.name = a.filename;
  return out;
}

interface Input {
  data: AsyncIterable<Uint8Array>;
  close(): Promise<void>;
}

const sameFile = (a: { dev: number; ino: number } | undefined, b: { dev: number; ino: number } | undefined): boolean =>
  a !== undefined && b !== undefined && a.dev === b.dev && a.ino === b.ino;

/** Reads FILE (or stdin for "-") in 1 MiB chunks; read errors name the input. */
async function openInput(file: string, image: string, io: Io): Promise<Input> {
  if (file === '-') {
    if (io.stdinWasClosed?.()) throw new UsageError('FILE is "-" but stdin is closed: pipe the data in, or name a file');
    // `sif add x.sif - < x.sif` would read back what it appends until the disk is full.
    if (sameFile(io.stdinFile?.(), await stat(image).catch(() => undefined))) throw new UsageError(`cannot add stdin (${image}) to itself`);
    return { data: io.stdin, close: async () => undefined };
  }
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (e) {
    throw fromSystemError(e, file);
  }
  const [input, target] = await Promise.all([handle.stat(), stat(image).catch(() => undefined)]);
  if (input.isDirectory()) {
    await handle.close();
    throw fromSystemError(Object.assign(new Error('is a directory'), { code: 'EISDIR' }), file);
  }
  if (sameFile(input, target)) {
    await handle.close();
    throw new UsageError(`cannot add ${file} to itself`);
  }
  async function* chunks(): AsyncGenerator<Uint8Array> {
    try {
      yield* handle.createReadStream({ highWaterMark: 1 << 20, autoClose: false });
    } catch (e) {
      throw new IoError('SIF_IO', `read ${file}: ${(e as Error).message}`, { cause: e });
    }
  }
  return { data: chunks(), close: () => handle.close() };
}

export function addCommand(io: Io): CommandModule<object, AddArgs> {
  return {
    command: 'add <image> <file>',
    describe: 'Add a data object from FILE, or stdin for "-" (as siftool add)',
    builder: (y) =>
      editFlags(
        y
          .positional('image', { type: 'string', demandOption: true, describe: 'SIF image' })
          .positional('file', { type: 'string', demandOption: true, describe: 'object data, or - for stdin' })
          .option('datatype', { type: 'string', describe: 'data type [required]: 1 Deffile, 2 EnvVar, 3 Labels, 4 Partition, 5 Signature, 6 GenericJSON, 7 Generic, 8 CryptoMessage, 9 SBOM, 10 OCI.RootIndex, 11 OCI.Blob' })
          .option('groupid', { type: 'string', describe: 'group ID [default: 0, no group]' })
          .option('link', { type: 'string', describe: 'ID of the object this one links to' })
          .option('alignment', { type: 'string', describe: 'data alignment [default: 4096 for partitions, 0 otherwise]' })
          .option('filename', { type: 'string', describe: 'object name, at most 128 bytes [default: empty]' })
          .option('partfs', { type: 'string', describe: 'partition file system: 1 Squashfs, 2 Ext3, 3 ImmuObj, 4 Raw, 5 EncryptedSquashfs' })
          .option('parttype', { type: 'string', describe: 'partition type: 1 System, 2 PrimSys, 3 Data, 4 Overlay' })
          .option('partarch', { type: 'string', describe: 'partition architecture: 1 386, 2 amd64, 3 arm, 4 arm64, 5 ppc64, 6 ppc64le, 7 mips, 8 mipsle, 9 mips64, 10 mips64le, 11 s390x, 12 riscv64, 13 loong64' })
          .option('signentity', { type: 'string', describe: 'signing key fingerprint, 40 hex digits (with --datatype 5)' })
          .option('signhash', { type: 'string', describe: 'signature hash: 1 SHA256, 2 SHA384, 3 SHA512, 4 BLAKE2s_256, 5 BLAKE2b_256' })
          .option('sbomformat', { type: 'string', describe: 'SBOM format: cyclonedx-json, cyclonedx-xml, github-json, spdx-json, spdx-rdf, spdx-tag-value, spdx-yaml, syft-json' })
          .option('cryptformat', { type: 'string', describe: 'cryptographic message format: 1 OpenPGP, 2 PEM' })
          .option('crypttype', { type: 'string', describe: 'cryptographic message type: 256 (0x100) Clear Signature, 512 (0x200) RSA-OAEP' }),
      ),
    handler: async (a) => {
      const dataType = dataTypeOf(a);
      const options = editOptions(a);
      const input = await openInput(a.file, a.image, io);
      try {
        const extra = extraOf(a, dataType);
        const object: ObjectInput = { dataType, data: input.data, ...placement(a), ...(extra ? { extra } : {}) };
        const { editImage } = await import('../../image/write/editor.js'); // crypto: never loaded by list/info/header
        await editImage(a.image, (e) => e.addObject(object), options);
      } finally {
        await input.close();
      }
    },
  };
}
