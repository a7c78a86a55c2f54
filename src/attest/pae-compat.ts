/**
 * The pre-authentication string model_signing 0.2 signed by mistake (its
 * `pae_compat`): `DSSEV1 <len type> <type> <len body> <repr(body)>`, where
 * repr is Python's bytes literal `b'…'`. Its verifier still accepts it, so
 * ours does: it is a one-to-one function of the payload, so it binds the
 * payload as the real PAE does.
 */

/** Python's `repr()` of a bytes object. */
export function pythonBytesRepr(body: Buffer): string {
  const quote = body.includes(0x27) && !body.includes(0x22) ? '"' : "'";
  let out = `b${quote}`;
  for (const b of body) {
    const c = String.fromCharCode(b);
    if (c === quote || c === '\\') out += `\\${c}`;
    else if (c === '\t') out += '\\t';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (b < 0x20 || b >= 0x7f) out += `\\x${b.toString(16).padStart(2, '0')}`;
    else out += c;
  }
  return `${out}${quote}`;
}

export const paeCompat = (payloadType: string, body: Buffer): Buffer =>
  Buffer.from(`DSSEV1 ${Buffer.byteLength(payloadType)} ${payloadType} ${body.length} ${pythonBytesRepr(body)}`, 'utf8');
