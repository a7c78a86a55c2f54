/**
 * PEM blocks as Go's encoding/pem finds them: the first complete
 * `-----BEGIN LABEL-----` … `-----END LABEL-----` block, its headers and its
 * base64 body. A linear scan: hostile key files cannot make it slow.
 */

export interface PemBlock {
  readonly label: string;
  /** `Proc-Type`, `DEK-Info`, …: legacy OpenSSL encryption headers. */
  readonly headers: ReadonlyMap<string, string>;
  /** The whole block's text, for node:crypto. */
  readonly text: string;
}

const BEGIN = /-----BEGIN ([\x21-\x2c\x2e-\x7e](?:[ \x21-\x2c\x2e-\x7e]{0,62}[\x21-\x2c\x2e-\x7e])?)-----\r?\n/g;
const BODY = /^[A-Za-z0-9+/=\s]*$/;

/** Every complete PEM block of `text`, in order. */
export function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  BEGIN.lastIndex = 0;
  for (let begin = BEGIN.exec(text); begin; begin = BEGIN.exec(text)) {
    const label = begin[1]!;
    const endLine = `-----END ${label}-----`;
    const end = text.indexOf(endLine, BEGIN.lastIndex);
    if (end < 0) continue;
    const inner = text.slice(BEGIN.lastIndex, end);
    const { headers, body } = splitHeaders(inner);
    if (BODY.test(body)) blocks.push({ label, headers, text: text.slice(begin.index, end + endLine.length) + '\n' });
    BEGIN.lastIndex = end + endLine.length;
  }
  return blocks;
}

/** RFC 1421 headers (`Name: value` lines up to a blank line) and the base64 body after them. */
function splitHeaders(inner: string): { headers: Map<string, string>; body: string } {
  const headers = new Map<string, string>();
  if (!/^[A-Za-z-]+:/.test(inner)) return { headers, body: inner };
  const blank = inner.search(/\r?\n\r?\n/);
  const head = blank < 0 ? inner : inner.slice(0, blank);
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return { headers, body: blank < 0 ? '' : inner.slice(blank) };
}
