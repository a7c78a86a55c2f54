/** Image UUIDs, parsed as Go's github.com/google/uuid Parse accepts them. */
import { randomUUID } from 'node:crypto';
import { UsageError } from '../../errors.js';

const HEX32 = /^[0-9a-fA-F]{32}$/;
const DASHED = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * The 16 bytes of `text`: 'nil', or a UUID as `xxxxxxxx-xxxx-…`, `urn:uuid:…`,
 * `{…}` or 32 hex digits. Errors carry Go's messages.
 */
export function parseUuid(text: string): Buffer {
  if (text === 'nil') return Buffer.alloc(16);
  let s = text;
  if (s.length === 45 && s.slice(0, 9).toLowerCase() === 'urn:uuid:') s = s.slice(9);
  else if (s.length === 38 && s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1);
  else if (s.length !== 36 && s.length !== 32) throw new UsageError(`invalid UUID length: ${text.length}`);
  if (!(s.length === 36 ? DASHED : HEX32).test(s)) throw new UsageError('invalid UUID format');
  return Buffer.from(s.replaceAll('-', ''), 'hex');
}

/** A random version 4 UUID, the reference's default image ID. */
export const randomUuid = (): Buffer => parseUuid(randomUUID());
