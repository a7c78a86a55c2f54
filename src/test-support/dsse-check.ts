/**
 * An independent DSSE check: Debian's python3-cryptography verifies an
 * envelope's signatures over the PAE (written out here, not taken from our
 * code) and computes each key's OpenSSH key ID from its own SSH encoding.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { DataType } from '../format/constants.js';
import { SifImage } from '../image/image.js';

export const PYTHON = '/usr/bin/python3';

const SCRIPT = String.raw`
import base64, hashlib, json, sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
env = json.loads(sys.stdin.buffer.read())
keys = [serialization.load_pem_public_key(open(p, 'rb').read()) for p in sys.argv[1:]]
body = base64.b64decode(env['payload'], validate=True)
ptype = env['payloadType'].encode()
pae = b'DSSEv1 %d %s %d %s' % (len(ptype), ptype, len(body), body)
def key_id(k):
    blob = k.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).split()[1]
    return 'SHA256:' + base64.b64encode(hashlib.sha256(base64.b64decode(blob)).digest()).decode().rstrip('=')
def verifies(k, sig):
    try:
        if isinstance(k, ed25519.Ed25519PublicKey): k.verify(sig, pae)
        elif isinstance(k, rsa.RSAPublicKey): k.verify(sig, pae, padding.PKCS1v15(), hashes.SHA256())
        else: k.verify(sig, pae, ec.ECDSA(hashes.SHA256()))
        return True
    except Exception:
        return False
out = []
for s in env['signatures']:
    sig = base64.b64decode(s['sig'], validate=True)
    out.append({'keyid': s['keyid'], 'verifiedBy': [key_id(k) for k in keys if verifies(k, sig)]})
print(json.dumps({'payload': body.decode(), 'signatures': out}))
`;

export interface PythonVerdict {
  readonly payload: string;
  /** Per envelope signature: the key ID it names and the IDs (as python computes them) of the keys that verify it. */
  readonly signatures: { keyid: string; verifiedBy: string[] }[];
}

/** Python's reading of `envelope` with the PEM public keys in `publicKeys`. */
export function pythonCheck(envelope: Buffer, publicKeys: readonly string[]): PythonVerdict {
  const r = spawnSync(PYTHON, ['-c', SCRIPT, ...publicKeys], { input: envelope });
  if (r.status !== 0) throw new Error(`python check failed: ${r.stderr.toString()}`);
  return JSON.parse(r.stdout.toString()) as PythonVerdict;
}

/** Whether python3-cryptography is installed (the test is skipped, or fails under SIF_REQUIRE_REFERENCE=1, without it). */
export function missingPython(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} not installed`;
  return spawnSync(PYTHON, ['-c', 'import cryptography']).status === 0 ? undefined : 'python3-cryptography not installed';
}

/** The bytes of every signature object of `path`, in table order. */
export async function signatureObjects(path: string): Promise<Buffer[]> {
  const image = await SifImage.open(path);
  try {
    const out: Buffer[] = [];
    for (const d of image.descriptors.filter((o) => o.dataType === DataType.Signature)) out.push(await image.readObject(d, 1 << 20));
    return out;
  } finally {
    await image.close();
  }
}
