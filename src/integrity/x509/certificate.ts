/**
 * One X.509 certificate as the chain and OCSP checks need it: the raw bytes
 * they sign and compare (TBS, subject, issuer) and the extensions Go's
 * crypto/x509 acts on. pkijs does the ASN.1; this module only picks fields.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { KeyError } from '../../errors.js';

const OID = {
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  ocspAccess: '1.3.6.1.5.5.7.48.1',
} as const;

/** The critical extensions Go's parser understands; any other one makes a certificate unusable. */
const HANDLED_CRITICAL = new Set<string>([
  OID.keyUsage,
  OID.basicConstraints,
  OID.extKeyUsage,
  '2.5.29.17', // subjectAltName
  '2.5.29.30', // nameConstraints
  '2.5.29.32', // certificatePolicies
]);

/** Bit 5 of KeyUsage (RFC 5280 §4.2.1.3): the key may sign certificates. */
export const KEY_USAGE_CERT_SIGN = 1 << 5;

export interface Certificate {
  readonly raw: Uint8Array;
  readonly rawTbs: Uint8Array;
  readonly rawSubject: Uint8Array;
  readonly rawIssuer: Uint8Array;
  /** Go's pkix.Name.String() of the subject, e.g. `CN=leaf,O=Apptainer,C=US`. */
  readonly subject: string;
  readonly issuer: string;
  readonly commonName: string;
  /** The first O= of the subject, Go's fallback name for a certificate without a CN. */
  readonly organization: string;
  /** The serial number as a decimal string, as Go prints a big.Int. */
  readonly serial: string;
  /** The serial number's DER INTEGER contents (two's complement), for OCSP matching. */
  readonly serialBytes: Uint8Array;
  /** 1, 2 or 3. */
  readonly version: number;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** DER SubjectPublicKeyInfo. */
  readonly publicKeyInfo: Uint8Array;
  /** The subject public key's BIT STRING contents, what OCSP's issuerKeyHash hashes. */
  readonly publicKeyBits: Uint8Array;
  readonly signatureAlgorithm: pkijs.AlgorithmIdentifier;
  readonly signature: Uint8Array;
  /** basicConstraints present: Go's BasicConstraintsValid. */
  readonly basicConstraintsValid: boolean;
  readonly isCA: boolean;
  /** The pathLenConstraint, or -1 when absent (Go's MaxPathLen). */
  readonly maxPathLen: number;
  /** KeyUsage bits (bit i = RFC bit i), 0 when the extension is absent. */
  readonly keyUsage: number;
  /** ExtendedKeyUsage OIDs; empty when the extension is absent. */
  readonly extKeyUsage: readonly string[];
  readonly subjectKeyId: Uint8Array;
  readonly authorityKeyId: Uint8Array;
  readonly ocspServers: readonly string[];
  readonly extensionIds: readonly string[];
  /** A critical extension Go would not handle: the certificate is then never valid. */
  readonly unhandledCritical: boolean;
}

const EMPTY = new Uint8Array(0);

/** Parses one DER certificate; a malformed one is a KeyError (key material unusable). */
export function parseCertificate(der: Uint8Array): Certificate {
  let cert: pkijs.Certificate;
  try {
    cert = pkijs.Certificate.fromBER(new Uint8Array(der));
  } catch (e) {
    throw new KeyError('SIF_KEY_INVALID', `x509: malformed certificate: ${(e as Error).message}`, { cause: e });
  }
  const ext = (id: string) => cert.extensions?.find((x) => x.extnID === id);
  const basic = ext(OID.basicConstraints)?.parsedValue as pkijs.BasicConstraints | undefined;
  const spki = new Uint8Array(cert.subjectPublicKeyInfo.toSchema().toBER());
  return {
    raw: new Uint8Array(der),
    rawTbs: new Uint8Array(cert.tbsView),
    rawSubject: new Uint8Array(cert.subject.valueBeforeDecode),
    rawIssuer: new Uint8Array(cert.issuer.valueBeforeDecode),
    subject: nameString(cert.subject),
    issuer: nameString(cert.issuer),
    commonName: attribute(cert.subject, '2.5.4.3') ?? '',
    organization: attribute(cert.subject, '2.5.4.10') ?? '',
    serial: integerString(cert.serialNumber),
    serialBytes: new Uint8Array(cert.serialNumber.valueBlock.valueHexView),
    version: cert.version + 1,
    notBefore: cert.notBefore.value,
    notAfter: cert.notAfter.value,
    publicKeyInfo: spki,
    publicKeyBits: new Uint8Array(cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView),
    signatureAlgorithm: cert.signatureAlgorithm,
    signature: new Uint8Array(cert.signatureValue.valueBlock.valueHexView),
    basicConstraintsValid: basic !== undefined,
    isCA: basic?.cA ?? false,
    maxPathLen: pathLength(basic),
    keyUsage: keyUsageBits(ext(OID.keyUsage)?.parsedValue as asn1js.BitString | undefined),
    extKeyUsage: (ext(OID.extKeyUsage)?.parsedValue as pkijs.ExtKeyUsage | undefined)?.keyPurposes ?? [],
    subjectKeyId: octets(ext(OID.subjectKeyId)?.parsedValue as asn1js.OctetString | undefined),
    authorityKeyId: octets((ext(OID.authorityKeyId)?.parsedValue as pkijs.AuthorityKeyIdentifier | undefined)?.keyIdentifier),
    ocspServers: ocspServers(ext(OID.authorityInfoAccess)?.parsedValue as pkijs.InfoAccess | undefined),
    extensionIds: (cert.extensions ?? []).map((x) => x.extnID),
    unhandledCritical: (cert.extensions ?? []).some((x) => x.critical && !HANDLED_CRITICAL.has(x.extnID)),
  };
}

/** Go's MaxPathLen: -1 when unset; a length too large for an int makes the certificate unparseable, as in Go. */
function pathLength(basic: pkijs.BasicConstraints | undefined): number {
  const length = basic?.pathLenConstraint;
  if (length === undefined) return -1;
  if (typeof length !== 'number') throw new KeyError('SIF_KEY_INVALID', 'x509: malformed certificate: x509: invalid basic constraints b');
  return length;
}

function octets(value: asn1js.OctetString | undefined): Uint8Array {
  return value ? new Uint8Array(value.valueBlock.valueHexView) : EMPTY;
}

function keyUsageBits(bits: asn1js.BitString | undefined): number {
  const bytes = bits?.valueBlock.valueHexView ?? EMPTY;
  let usage = 0;
  for (let i = 0; i < 9 && i >> 3 < bytes.length; i++) if ((bytes[i >> 3]! & (0x80 >> (i & 7))) !== 0) usage |= 1 << i;
  return usage;
}

function ocspServers(access: pkijs.InfoAccess | undefined): string[] {
  const uri = 6; // GeneralName [6] uniformResourceIdentifier
  return (access?.accessDescriptions ?? [])
    .filter((d) => d.accessMethod === OID.ocspAccess && d.accessLocation.type === uri)
    .map((d) => String(d.accessLocation.value));
}

function integerString(value: asn1js.Integer): string {
  const bytes = value.valueBlock.valueHexView;
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  if (bytes.length > 0 && (bytes[0]! & 0x80) !== 0) n -= 1n << BigInt(8 * bytes.length);
  return n.toString();
}

/** Go's short attribute names (crypto/x509/pkix attributeTypeNames). */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.6': 'C',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.3': 'CN',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.17': 'POSTALCODE',
};

/** The attributes pkix.Name parses into fields, in ToRDNSequence's order; CN and SERIALNUMBER keep one value. */
const FIELD_ORDER = ['2.5.4.6', '2.5.4.8', '2.5.4.7', '2.5.4.9', '2.5.4.17', '2.5.4.10', '2.5.4.11', '2.5.4.3', '2.5.4.5'];
const SINGLE_VALUED = new Set(['2.5.4.3', '2.5.4.5']);

type Attribute = pkijs.AttributeTypeAndValue;
const textOf = (tv: Attribute) => (tv.value.valueBlock as { value?: unknown }).value;

function attribute(name: pkijs.RelativeDistinguishedNames, type: string): string | undefined {
  const found = name.typesAndValues.find((tv) => tv.type === type);
  return found ? String(textOf(found)) : undefined;
}

/**
 * pkix.Name.String(): the other attributes first, then the parsed fields in
 * ToRDNSequence's order (values of one type in one RDN, joined by `+`), all
 * printed in reverse with RFC 4514 escaping; an unknown attribute type prints
 * as `OID=#hex` of Go's own DER for the value.
 */
function nameString(name: pkijs.RelativeDistinguishedNames): string {
  const tvs = name.typesAndValues;
  const rdns: Attribute[][] = tvs.filter((tv) => !(tv.type in SHORT_NAMES)).map((tv) => [tv]);
  for (const type of FIELD_ORDER) {
    const values = tvs.filter((tv) => tv.type === type && typeof textOf(tv) === 'string');
    if (values.length > 0) rdns.push(SINGLE_VALUED.has(type) ? [values.at(-1)!] : values);
  }
  return rdns
    .reverse()
    .map((rdn) => rdn.map(attributeString).join('+'))
    .join(',');
}

function attributeString(tv: Attribute): string {
  const short = SHORT_NAMES[tv.type];
  const value = textOf(tv);
  if (short !== undefined) return `${short}=${escapeValue(String(value))}`;
  const der = typeof value === 'string' ? goStringDer(value) : Buffer.from(tv.value.toBER());
  return `${tv.type}=#${der.toString('hex')}`;
}

/** asn1.Marshal of a Go string: a PrintableString when every character allows it, else a UTF8String. */
function goStringDer(value: string): Buffer {
  const body = Buffer.from(value, 'utf8');
  const tag = /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value) ? 0x13 : 0x0c;
  const length = body.length < 0x80 ? [body.length] : lengthBytes(body.length);
  return Buffer.concat([Buffer.from([tag, ...length]), body]);
}

function lengthBytes(n: number): number[] {
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

function escapeValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    const edge = (c === ' ' && (i === 0 || i === value.length - 1)) || (c === '#' && i === 0);
    out += edge || ',+"\\<>;'.includes(c) ? `\\${c}` : c;
  }
  return out;
}
