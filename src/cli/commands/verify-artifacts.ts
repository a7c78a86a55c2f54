/**
 * `sif verify-artifacts --sap-aicore [JSON|-] NAME=PATH…`: checks a step's
 * input artifacts against the signatures SAP AI Core hands it
 * (docs/attestations.md), one verdict per artifact, `sif verify`'s exit codes.
 */
import { readBounded, readStreamBounded } from '../../bounded-read.js';
import type { CommandModule } from 'yargs';
import { fromSystemError, UsageError } from '../../errors.js';
import type { ArtifactCheck, ArtifactsCheck } from '../../attest/sap-verify.js';
import { write, type Io } from '../io.js';

interface VerifyArtifactsArgs {
  artifacts?: string[];
  'sap-aicore'?: string;
  json: boolean;
  quiet: boolean;
}

/** The environment variable SAP AI Core sets for a step whose inputs have signatures. */
const ENV = 'AICORE_ARTIFACT_SIGNATURES';
/** Far above any real signatures file (values are at most 256 characters), far below memory trouble. */
const MAX_SIGNATURES_BYTES = 16 << 20;

export function verifyArtifactsCommand(io: Io): CommandModule<object, VerifyArtifactsArgs> {
  return {
    command: 'verify-artifacts [artifacts..]',
    describe: "Check files against SAP AI Core's AICORE_ARTIFACT_SIGNATURES (each artifact as NAME=PATH: artifact NAME is file PATH)",
    builder: (y) =>
      // No .positional(): a variadic one declared there reads as a repeatable flag --artifacts.
      y
        .option('sap-aicore', { type: 'string', describe: `the signatures: a JSON file, - for stdin; no value: $${ENV}` })
        .option('json', { alias: 'j', type: 'boolean', default: false, describe: 'print the verdicts as JSON (docs/attestations.md)' })
        .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress line on stderr' }),
    handler: async (a) => {
      if (a['sap-aicore'] === undefined) throw new UsageError('verify-artifacts needs --sap-aicore (the only kind of signatures it checks)');
      // `--sap-aicore NAME=PATH` is the flag with no value followed by an artifact, not a file named so.
      const given = a['sap-aicore'].includes('=') ? '' : a['sap-aicore'];
      const artifacts = (given === a['sap-aicore'] ? (a.artifacts ?? []) : [a['sap-aicore'], ...(a.artifacts ?? [])]).map(parseArtifact);
      if (artifacts.length === 0) throw new UsageError('no artifact to check: give NAME=PATH for each');
      const { parseSapSignatures } = await import('../../attest/sap-aicore.js');
      const signatures = parseSapSignatures(...(await signaturesText(io, given)));
      const { checkArtifacts, artifactsCheckError } = await import('../../attest/sap-verify.js');
      const { commandProgress } = await import('../progress.js');
      const progress = commandProgress(io, 'Hashing', a.quiet);
      let check: ArtifactsCheck;
      try {
        check = await checkArtifacts(signatures, artifacts, { onProgress: progress?.update });
      } finally {
        progress?.finish();
      }
      await write(io.stdout, a.json ? `${JSON.stringify(check, null, 2)}\n` : check.artifacts.map(verdictLine).join(''));
      const error = artifactsCheckError(check);
      if (error) throw error;
      if (!a.json) io.stderr.write(`Verified ${check.artifacts.length} artifact(s) against ${given === '' ? ENV : given === '-' ? 'the signatures on stdin' : given}\n`);
    },
  };
}

/** `NAME=PATH`, split at the first `=`. */
function parseArtifact(arg: string): { name: string; path: string } {
  const at = arg.indexOf('=');
  if (at <= 0 || at === arg.length - 1) throw new UsageError(`${JSON.stringify(arg)} is not NAME=PATH`);
  return { name: arg.slice(0, at), path: arg.slice(at + 1) };
}

/** The signatures' text and its name for messages: from the file, stdin (`-`) or the environment (``). */
async function signaturesText(io: Io, given: string): Promise<[string, string]> {
  if (given === '') {
    const text = io.env[ENV];
    if (text === undefined) throw new UsageError(`${ENV} is not set: give the signatures with --sap-aicore FILE (or - for stdin)`);
    return [text, ENV];
  }
  if (given === '-') {
    if (io.stdinWasClosed?.()) throw new UsageError('--sap-aicore is "-" but stdin is closed: pipe the signatures in, or name a file');
    return [(await readStreamBounded(io.stdin, 'stdin', MAX_SIGNATURES_BYTES, tooLarge)).toString('utf8'), 'stdin'];
  }
  let bytes: Buffer;
  try {
    bytes = await readBounded(given, MAX_SIGNATURES_BYTES, tooLarge);
  } catch (e) {
    throw fromSystemError(e, given);
  }
  return [bytes.toString('utf8'), given];
}

const tooLarge = (what: string) => new UsageError(`${what}: over ${MAX_SIGNATURES_BYTES >> 20} MiB, not a signatures file`);

function verdictLine(a: ArtifactCheck): string {
  const head = `${a.name} (${a.path}): `;
  switch (a.verdict) {
    case 'matched':
      return `${head}verified, sha256 ${a.sha256}\n`;
    case 'mismatched':
      return `${head}MISMATCH: the signature is ${a.signature}, the file's sha256 ${a.sha256}\n`;
    case 'unusable':
      return `${head}UNUSABLE signature ${JSON.stringify(a.signature)}: not a sha256 digest\n`;
    default:
      return `${head}UNSIGNED: no entry in the signatures\n`;
  }
}
