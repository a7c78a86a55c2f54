/**
 * `sif verify-attestation`: checks an attestation's signature with the trust
 * the flags give (keys, an X.509 PKI, or a Sigstore trusted root), then its
 * subjects against the image, or the model a model_signing signature signs
 * (docs/attestations.md).
 */
import { readBounded } from '../../bounded-read.js';
import type { CommandModule } from 'yargs';
import { fromSystemError, IntegrityError, UsageError } from '../../errors.js';
import type { AttestationTrust, VerifiedAttestation } from '../../attest/verify.js';
import type { SubjectReport } from '../../attest/subjects.js';
import { write, type Io } from '../io.js';
import { repeatable } from '../repeated-flags.js';

interface VerifyAttestationArgs {
  attestation: string;
  path: string;
  key?: string[];
  certificate?: string;
  'certificate-intermediates'?: string;
  'certificate-roots'?: string;
  'trusted-root'?: string;
  identity?: string;
  'identity-provider'?: string;
  'ignore-paths'?: string[];
  'ignore-git-paths': boolean;
  'allow-symlinks'?: boolean;
  json: boolean;
  quiet: boolean;
}

export function verifyAttestationCommand(io: Io): CommandModule<object, VerifyAttestationArgs> {
  return {
    command: 'verify-attestation <attestation> <path>',
    describe: 'Verify an in-toto attestation (Sigstore bundle or DSSE envelope) and its subjects against an image, or a model_signing signature against a model',
    builder: (y) =>
      y
        .positional('attestation', { type: 'string', demandOption: true, describe: 'the attestation file (sif attest, model_signing, cosign attest-blob --bundle)' })
        .positional('path', { type: 'string', demandOption: true, describe: 'the SIF image its subjects name, or the model (file or directory) a model_signing signature signs' })
        .option('key', { ...repeatable, describe: 'PEM public key that may have signed it (repeatable)' })
        .option('certificate', { type: 'string', describe: "PEM signing certificate, when the attestation carries none (default: the attestation's own)" })
        .option('certificate-intermediates', { type: 'string', describe: "PEM intermediate certificates, added to the attestation's chain" })
        .option('certificate-roots', { type: 'string', describe: 'PEM root certificates of the signing certificate (default: the system roots)' })
        .option('trusted-root', { type: 'string', describe: 'keyless: a Sigstore trusted_root.json to check the bundle against, offline' })
        .option('identity', { type: 'string', describe: "keyless: the signer's identity (certificate SAN), exactly" })
        .option('identity-provider', { type: 'string', describe: "keyless: the signer's OIDC issuer URL, exactly" })
        .option('ignore-paths', { ...repeatable, describe: 'model: a path to leave out of the model (repeatable; the attestation file is left out too)' })
        .option('ignore-git-paths', { type: 'boolean', default: true, describe: 'model: leave out .git, .gitattributes, .github, .gitignore (--no-ignore-git-paths keeps them)' })
        .option('allow-symlinks', { type: 'boolean', describe: "model: follow symbolic links (default: as the signature's serialization says)" })
        .option('json', { alias: 'j', type: 'boolean', default: false, describe: 'print the result as JSON' })
        .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress line on stderr' }),
    handler: async (a) => {
      const trust = await trustOf(a);
      const bytes = await readAttestationFile(a.attestation);
      const { verifyAttestation } = await import('../../attest/verify.js');
      const verified = await verifyAttestation(bytes, trust);
      const report = await matchSubjects(io, a, verified);
      const { subjectsHold } = await import('../../attest/subjects.js');
      const holds = subjectsHold(report);
      await write(io.stdout, a.json ? `${JSON.stringify(resultJson(verified, report, holds), null, 2)}\n` : await resultText(verified, report));
      if (!holds) throw await failure(report);
      if (!a.json) io.stderr.write(`Verified attestation '${a.attestation}' for '${a.path}'\n`);
    },
  };
}

/** The one kind of trust the flags name; mixing kinds is refused. */
async function trustOf(a: VerifyAttestationArgs): Promise<AttestationTrust> {
  const x509Given = a.certificate !== undefined || a['certificate-intermediates'] !== undefined || a['certificate-roots'] !== undefined;
  const kinds = [a.key?.length ? '--key' : '', x509Given ? '--certificate*' : '', a['trusted-root'] !== undefined ? '--trusted-root' : ''].filter(Boolean);
  if (kinds.length > 1) throw new UsageError(`${kinds.join(' and ')} cannot be combined: give one kind of trust`);
  const keyless = a.identity !== undefined || a['identity-provider'] !== undefined;
  if (keyless && a['trusted-root'] === undefined) throw new UsageError('--identity and --identity-provider need --trusted-root');
  if (a['trusted-root'] !== undefined) {
    if (a.identity === undefined || a['identity-provider'] === undefined) throw new UsageError('--trusted-root needs --identity and --identity-provider');
    return { kind: 'keyless', keyless: { trustedRoot: await readTrustedRoot(a['trusted-root']), identity: a.identity, issuer: a['identity-provider'] } };
  }
  if (a.key?.length) {
    const { readPublicKey } = await import('../../integrity/dsse/keys.js');
    return { kind: 'keys', keys: await Promise.all(a.key.map((k) => readPublicKey(k))) };
  }
  const { readPemFile } = await import('../../integrity/x509/load.js');
  const { certificatesFromPem, firstCertificateFromPem } = await import('../../integrity/x509/pem.js');
  const { systemRoots } = await import('../../integrity/x509/system-roots.js');
  return {
    kind: 'x509',
    x509: {
      certificate: a.certificate === undefined ? undefined : await readPemFile(a.certificate, firstCertificateFromPem),
      intermediates: a['certificate-intermediates'] === undefined ? [] : await readPemFile(a['certificate-intermediates'], certificatesFromPem),
      roots: a['certificate-roots'] === undefined ? systemRoots() : await readPemFile(a['certificate-roots'], certificatesFromPem),
    },
  };
}

async function readAttestationFile(path: string): Promise<Buffer> {
  const { MAX_ATTESTATION_BYTES, invalid } = await import('../../attest/bundle.js');
  try {
    return await readBounded(path, MAX_ATTESTATION_BYTES, () => invalid(`${path}: over the ${MAX_ATTESTATION_BYTES}-byte limit of an attestation`));
  } catch (e) {
    throw fromSystemError(e, path);
  }
}

async function readTrustedRoot(path: string): Promise<unknown> {
  let text: string;
  try {
    text = (await readBounded(path, 4 << 20, () => new UsageError(`${path}: too large for a trusted root (over 4 MiB)`))).toString('utf8');
  } catch (e) {
    throw fromSystemError(e, path);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`trusted root ${path}: not JSON: ${(e as Error).message}`);
  }
}

async function matchSubjects(io: Io, a: VerifyAttestationArgs, verified: VerifiedAttestation): Promise<SubjectReport> {
  const { subjectMatcherFor } = await import('../../attest/matchers.js');
  const { commandProgress } = await import('../progress.js');
  const match = await subjectMatcherFor(verified.statement.predicateType);
  const progress = commandProgress(io, 'Hashing', a.quiet);
  try {
    return await match(verified.statement, a.path, {
      onProgress: progress?.update,
      ignorePaths: [...(a['ignore-paths'] ?? []), a.attestation],
      ignoreGitPaths: a['ignore-git-paths'],
      allowSymlinks: a['allow-symlinks'],
    });
  } finally {
    progress?.finish();
  }
}

const resultJson = (v: VerifiedAttestation, r: SubjectReport, verified: boolean) => ({
  form: v.form,
  signer: v.signer,
  predicateType: v.statement.predicateType,
  subjects: r.subjects,
  extra: r.extra,
  ...(r.model === undefined ? {} : { model: r.model }),
  verified,
});

async function resultText(v: VerifiedAttestation, r: SubjectReport): Promise<string> {
  const how = [v.signer.kind === 'key' ? '' : v.signer.kind, v.signer.keyId === '' ? '' : `key ${v.signer.keyId}`].filter(Boolean).join(', ');
  const lines = [`Signature: verified (${v.form}), signed by ${v.signer.identity} (${how})`, `Predicate: ${v.statement.predicateType}`];
  if (r.model !== undefined) {
    const { renderModelCheck } = await import('../render/model-check.js');
    return `${lines.join('\n')}\n${renderModelCheck(r.model)}`;
  }
  const rows = [
    ...r.subjects.map((s) => [s.status, s.name, s.status === 'mismatched' ? `${s.expected}, image has ${s.actual}` : s.expected]),
    ...r.extra.map((name) => ['extra', name, '(named by no subject)']),
  ];
  const width = Math.max(0, ...rows.map((row) => row[1]!.length));
  for (const [status, name, detail] of rows) lines.push(`${status!.padEnd(10)}  ${name!.padEnd(width)}  ${detail}`);
  return `${lines.join('\n')}\n`;
}

/** Exit 10: the image (or model) is not what was attested. */
async function failure(r: SubjectReport): Promise<IntegrityError> {
  if (r.model !== undefined) {
    const { modelCheckError } = await import('../../attest/model-signing/index.js');
    return modelCheckError(r.model)!; // the check failed
  }
  const bad = [...r.subjects.filter((s) => s.status !== 'matched').map((s) => `${s.name} (${s.status})`), ...r.extra.map((n) => `${n} (extra)`)];
  return new IntegrityError('object', `the image does not match the attestation: ${bad.join(', ')}`);
}
