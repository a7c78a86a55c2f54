/**
 * Cuts a binary keyring into the transferable keys go-crypto's
 * openpgp.ReadKeyRing (Apptainer) reads and the runs of bytes it skips, so
 * every reader of `sif` sees the same keys as Apptainer and a rewrite can put
 * the skipped bytes back where they were.
 *
 * go-crypto drops unreadable packets unseen (go-packets.ts); a key starts at
 * the next primary key packet it can read, and a key it cannot use (its
 * primary key cannot sign, or a dropped subkey leaves a binding signature
 * where ReadEntity refuses it) is skipped up to the next readable primary key.
 */
import {
  canSign,
  goDropsPacket,
  isKeyTag,
  isPrimaryKeyTag,
  PUBLIC_SUBKEY_TAG,
  SECRET_KEY_TAG,
  SECRET_SUBKEY_TAG,
  SIGNATURE_TAG,
  USER_ID_TAG,
} from './go-packets.js';
import { keyPacketHeader, splitPackets, type Packet } from './packets.js';

/** One transferable key go-crypto reads. */
export interface KeySegment {
  readonly kind: 'key';
  /** The key's bytes exactly as in the input, packets go-crypto drops included. */
  readonly bytes: Uint8Array;
  readonly offset: number;
  /** The packets go-crypto reads, for openpgp.js to parse. */
  readonly readable: Uint8Array;
  /** The primary key packet's body. */
  readonly primary: Uint8Array;
  readonly secret: boolean;
}

/** Bytes go-crypto skips: kept as they are, never read. */
export interface SkippedSegment {
  readonly kind: 'skipped';
  readonly bytes: Uint8Array;
  readonly offset: number;
  /** Why, e.g. "version 3 key" or "marker packet". */
  readonly reason: string;
}

export type Segment = KeySegment | SkippedSegment;

interface Run {
  readonly packets: Packet[];
  reason: string | undefined;
}

/** Splits `bytes` into keys and skipped runs, in file order. Framing errors throw a PacketError. */
export function splitKeyring(bytes: Uint8Array): Segment[] {
  const runs: Run[] = [];
  let current: Run | undefined;
  for (const packet of splitPackets(bytes)) {
    const dropped = goDropsPacket(packet);
    const startsKey = isPrimaryKeyTag(packet.tag) && dropped === undefined;
    // Every primary key starts a run; one go-crypto cannot read starts a skipped run, which its user IDs and signatures join.
    if (!current || isPrimaryKeyTag(packet.tag)) {
      current = { packets: [], reason: startsKey ? undefined : (dropped ?? 'packets before the first key') };
      runs.push(current);
    }
    current.packets.push(packet);
  }
  return runs.map((run) => segmentOf(bytes, run));
}

function segmentOf(bytes: Uint8Array, run: Run): Segment {
  const offset = run.packets[0]!.offset;
  const span = bytes.subarray(offset, run.packets[run.packets.length - 1]!.end);
  const reason = run.reason ?? unusableKey(run.packets);
  if (reason !== undefined) return { kind: 'skipped', bytes: span, offset, reason };
  const readable = run.packets.filter((p) => goDropsPacket(p) === undefined).map((p) => bytes.subarray(p.offset, p.end));
  const primary = run.packets[0]!;
  return { kind: 'key', bytes: span, offset, readable: Buffer.concat(readable), primary: primary.body, secret: primary.tag === SECRET_KEY_TAG };
}

/**
 * Why go-crypto's ReadEntity refuses a key whose packets it can read, or
 * undefined: a primary key that cannot sign, or a dropped subkey whose
 * binding signature then follows a user ID or another subkey.
 */
function unusableKey(packets: readonly Packet[]): string | undefined {
  const { algorithm } = keyPacketHeader(packets[0]!.body);
  if (!canSign(algorithm)) return `primary key of algorithm ${algorithm} cannot sign`;
  // Where go-crypto's ReadEntity attaches the next signature: nowhere (ignored), to a user ID, or to a subkey.
  let context: 'none' | 'user' | 'subkey' = 'none';
  let droppedSubkey: string | undefined;
  for (const packet of packets.slice(1)) {
    const dropped = goDropsPacket(packet);
    if (dropped !== undefined) {
      if (packet.tag === PUBLIC_SUBKEY_TAG || packet.tag === SECRET_SUBKEY_TAG) droppedSubkey = dropped;
      continue;
    }
    if (packet.tag === SIGNATURE_TAG && droppedSubkey !== undefined && context !== 'none') return `subkey skipped: ${droppedSubkey}`;
    droppedSubkey = undefined;
    if (packet.tag === USER_ID_TAG) context = 'user';
    else if (isKeyTag(packet.tag)) context = 'subkey';
    else if (packet.tag !== SIGNATURE_TAG) context = 'none'; // a user attribute: its signatures are ignored
  }
  return undefined;
}
