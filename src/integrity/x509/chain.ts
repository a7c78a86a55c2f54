/**
 * Certificate chain verification as Go's crypto/x509 `Certificate.Verify`
 * (Go 1.19) does it when Apptainer calls it with
 * `KeyUsages: [ExtKeyUsageCodeSigning]`: path building through the
 * intermediates to any certificate of the roots pool, the validity of every
 * certificate at `now`, CA and pathlen constraints, certSign key usage of
 * each issuer, and the code-signing EKU along the chain. Errors carry Go's
 * messages. Pure: the time is given, nothing is read.
 */
import { CertificateError } from '../../errors.js';
import { equal, hex } from './bytes.js';
import { KEY_USAGE_CERT_SIGN, type Certificate } from './certificate.js';
import { checkSignature } from './signatures.js';

export interface ChainOptions {
  readonly intermediates: readonly Certificate[];
  /** Trust anchors: any certificate here ends a chain, self-signed or not. */
  readonly roots: readonly Certificate[];
  /** The verification time (Apptainer: now). */
  readonly now: Date;
}

const EKU_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const EKU_ANY = '2.5.29.37.0';
/** Go's maxChainSignatureChecks: bounds path building on hostile pools. */
const MAX_SIGNATURE_CHECKS = 100;

type CertType = 'leaf' | 'intermediate' | 'root';

/** A set of certificates indexed by subject, as Go's CertPool. */
class Pool {
  private readonly byName = new Map<string, Certificate[]>();
  private readonly raws = new Set<string>();

  constructor(certs: readonly Certificate[]) {
    for (const c of certs) {
      const raw = hex(c.raw);
      if (this.raws.has(raw)) continue;
      this.raws.add(raw);
      const key = hex(c.rawSubject);
      this.byName.set(key, [...(this.byName.get(key) ?? []), c]);
    }
  }

  contains(c: Certificate): boolean {
    return this.raws.has(hex(c.raw));
  }

  /** Candidates named as `c`'s issuer, the likeliest first (key IDs matching, one missing, differing). */
  potentialParents(c: Certificate): Certificate[] {
    const matching: Certificate[] = [];
    const oneKeyId: Certificate[] = [];
    const mismatch: Certificate[] = [];
    for (const candidate of this.byName.get(hex(c.rawIssuer)) ?? []) {
      if (equal(candidate.subjectKeyId, c.authorityKeyId)) matching.push(candidate);
      else if ((candidate.subjectKeyId.length === 0) !== (c.authorityKeyId.length === 0)) oneKeyId.push(candidate);
      else mismatch.push(candidate);
    }
    return [...matching, ...oneKeyId, ...mismatch];
  }
}

interface BuildState {
  readonly roots: Pool;
  readonly intermediates: Pool;
  readonly now: Date;
  readonly cache: Map<Certificate, Certificate[][]>;
  sigChecks: number;
}

/**
 * Every chain from `leaf` to a root that is good for code signing, leaf
 * first; throws a CertificateError with Go's message when there is none.
 */
export async function verifyChain(leaf: Certificate, options: ChainOptions): Promise<Certificate[][]> {
  const invalid = isValid(leaf, 'leaf', [], options.now);
  if (invalid) throw invalid;
  const state: BuildState = {
    roots: new Pool(options.roots),
    intermediates: new Pool(options.intermediates),
    now: options.now,
    cache: new Map(),
    sigChecks: 0,
  };
  let candidates: Certificate[][];
  if (state.roots.contains(leaf)) {
    candidates = [[leaf]];
  } else {
    const built = await buildChains(leaf, [leaf], state);
    if (built.error) throw built.error;
    candidates = built.chains;
  }
  const chains = candidates.filter(permitsCodeSigning);
  if (chains.length === 0) throw new CertificateError('SIF_CERTIFICATE_UNTRUSTED', 'x509: certificate specifies an incompatible key usage');
  return chains;
}

/** Go's buildChains, including which error survives when no chain is found. */
async function buildChains(cert: Certificate, chain: Certificate[], state: BuildState): Promise<{ chains: Certificate[][]; error?: CertificateError }> {
  const chains: Certificate[][] = [];
  let error: CertificateError | undefined;
  let hint: { message: string; candidate: Certificate } | undefined;
  const consider = async (type: 'intermediate' | 'root', candidate: Certificate): Promise<void> => {
    if (chain.some((c) => equal(c.rawSubject, candidate.rawSubject) && equal(c.publicKeyInfo, candidate.publicKeyInfo))) return;
    if (++state.sigChecks > MAX_SIGNATURE_CHECKS) {
      error = new CertificateError('SIF_CERTIFICATE_UNTRUSTED', 'x509: signature check attempts limit reached while verifying certificate chain');
      return;
    }
    const signatureError = await checkSignatureFrom(cert, candidate);
    if (signatureError) {
      hint ??= { message: signatureError, candidate };
      return;
    }
    error = isValid(candidate, type, chain, state.now);
    if (error) return;
    const extended = [...chain, candidate];
    if (type === 'root') {
      chains.push(extended);
      return;
    }
    let childChains = state.cache.get(candidate);
    if (!childChains) {
      const built = await buildChains(candidate, extended, state);
      childChains = built.chains;
      error = built.error;
      state.cache.set(candidate, childChains);
    }
    chains.push(...childChains);
  };
  for (const root of state.roots.potentialParents(cert)) await consider('root', root);
  for (const intermediate of state.intermediates.potentialParents(cert)) await consider('intermediate', intermediate);
  if (chains.length > 0) return { chains };
  return { chains, error: error ?? unknownAuthority(hint) };
}

function unknownAuthority(hint: { message: string; candidate: Certificate } | undefined): CertificateError {
  let message = 'x509: certificate signed by unknown authority';
  if (hint) {
    const c = hint.candidate;
    const name = c.commonName || c.organization || `serial:${c.serial}`;
    message += ` (possibly because of ${JSON.stringify(hint.message)} while trying to verify candidate authority certificate ${JSON.stringify(name)})`;
  }
  return new CertificateError('SIF_CERTIFICATE_UNTRUSTED', message);
}

/** Go's Certificate.CheckSignatureFrom: the parent may sign certificates, and did sign this one. */
async function checkSignatureFrom(child: Certificate, parent: Certificate): Promise<string | undefined> {
  const mayNotSign =
    (parent.version === 3 && !parent.basicConstraintsValid) ||
    (parent.basicConstraintsValid && !parent.isCA) ||
    (parent.keyUsage !== 0 && (parent.keyUsage & KEY_USAGE_CERT_SIGN) === 0);
  if (mayNotSign) return 'x509: invalid signature: parent certificate cannot sign this kind of certificate';
  return checkSignature(child.signatureAlgorithm, child.rawTbs, child.signature, parent.publicKeyInfo);
}

/** Go's Certificate.isValid, without name constraints (see docs/compat.md). */
function isValid(c: Certificate, type: CertType, chain: readonly Certificate[], now: Date): CertificateError | undefined {
  if (c.unhandledCritical) return new CertificateError('SIF_CERTIFICATE_UNTRUSTED', 'x509: unhandled critical extension');
  if (now < c.notBefore || now > c.notAfter) {
    const [relation, bound] = now < c.notBefore ? ['before', c.notBefore] : ['after', c.notAfter];
    return new CertificateError(
      'SIF_CERTIFICATE_NOT_VALID',
      `x509: certificate has expired or is not yet valid: current time ${goTime(now)} is ${relation} ${goTime(bound)}`,
    );
  }
  if (type === 'intermediate' && (!c.basicConstraintsValid || !c.isCA)) {
    return new CertificateError('SIF_CERTIFICATE_UNTRUSTED', 'x509: certificate is not authorized to sign other certificates');
  }
  if (c.basicConstraintsValid && c.maxPathLen >= 0 && chain.length - 1 > c.maxPathLen) {
    return new CertificateError('SIF_CERTIFICATE_UNTRUSTED', 'x509: too many intermediates for path length constraint');
  }
  return undefined;
}

/** Go's checkChainForKeyUsage for [CodeSigning]: each certificate has no EKU, anyExtendedKeyUsage or codeSigning. */
function permitsCodeSigning(chain: readonly Certificate[]): boolean {
  return chain.every((c) => c.extKeyUsage.length === 0 || c.extKeyUsage.includes(EKU_ANY) || c.extKeyUsage.includes(EKU_CODE_SIGNING));
}

/** time.RFC3339 in UTC, as Go prints a time in the UTC zone. */
export function goTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
