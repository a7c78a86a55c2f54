/**
 * OpenPGP-aware mutations for key files and clear-signed messages: packet
 * lengths, tags, MPI counts and subpacket areas in the binary form; armor
 * headers, checksums, line endings and surrounding text in the armored form.
 * Armored inputs are usually de-armored, mutated and re-armored with a valid
 * checksum, so the mutation reaches the packet parser instead of the CRC check.
 */
import { armor, findArmorBlocks, packetFrames, type PacketFrame } from './armor.js';
import { GENERIC_MUTATORS, stack, type Mutator } from './mutate.js';
import type { Prng } from './prng.js';

const U16_EDGES = [0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xfffe, 0xffff];

function pickFrame(rng: Prng, buf: Buffer): PacketFrame | undefined {
  const frames = packetFrames(buf);
  return frames.length === 0 ? undefined : rng.pick(frames);
}

const packetLength: Mutator = {
  name: 'packet-length',
  apply(rng, input) {
    const out = Buffer.from(input);
    const f = pickFrame(rng, out);
    if (!f || f.lengthWidth === 0) return out;
    if (f.newFormat && rng.chance(0.3)) {
      out[f.lengthAt] = rng.pick([0xe0, 0xe1, 0xef, 0xfe, 0xff, 0xdf, 0xc0]); // partial / 5-octet / 2-octet forms
      return out;
    }
    const width = f.newFormat ? Math.min(f.lengthWidth, 1) : f.lengthWidth;
    const max = 2 ** (8 * width) - 1;
    const value = rng.pick([0, 1, f.bodyLength - 1, f.bodyLength + 1, max, rng.int(max + 1)]);
    out.writeUIntBE(Math.max(0, Math.min(max, value)), f.lengthAt, width);
    return out;
  },
};

const packetTag: Mutator = {
  name: 'packet-tag',
  apply(rng, input) {
    const out = Buffer.from(input);
    const f = pickFrame(rng, out);
    if (!f) return out;
    const tag = rng.pick([1, 2, 5, 6, 7, 11, 12, 13, 14, 17, 18, 60, 63, rng.int(64)]);
    out[f.start] = f.newFormat ? 0xc0 | tag : 0x80 | ((tag & 0xf) << 2) | (out[f.start]! & 3);
    return out;
  },
};

/** Version, algorithm and count fields sit in the first bytes of a body; MPI bit counts are u16. */
const packetBodyField: Mutator = {
  name: 'packet-body-field',
  apply(rng, input) {
    const out = Buffer.from(input);
    const f = pickFrame(rng, out);
    if (!f || f.bodyLength < 2) return out;
    const at = f.bodyStart + (rng.chance(0.5) ? rng.int(Math.min(f.bodyLength - 1, 12)) : rng.int(f.bodyLength - 1));
    if (rng.chance(0.5)) out.writeUInt16BE(rng.pick(U16_EDGES), at);
    else out[at] = rng.pick([0, 1, 2, 3, 4, 5, 6, 16, 17, 18, 19, 22, 25, 27, 99, 0xff]);
    return out;
  },
};

/** Drops, duplicates or moves whole packets. */
const packetSequence: Mutator = {
  name: 'packet-sequence',
  apply(rng, input) {
    const frames = packetFrames(input);
    if (frames.length === 0) return Buffer.from(input);
    const parts = frames.map((f) => input.subarray(f.start, f.bodyStart + f.bodyLength));
    const tail = input.subarray(frames.at(-1)!.bodyStart + frames.at(-1)!.bodyLength);
    const i = rng.int(parts.length);
    const [moved] = parts.splice(i, 1);
    const choice = rng.int(3);
    if (choice === 1) parts.splice(i, 0, moved!, moved!);
    if (choice === 2) parts.splice(rng.int(parts.length + 1), 0, moved!);
    return Buffer.concat([...parts, tail]);
  },
};

export const PACKET_MUTATORS: readonly Mutator[] = [packetLength, packetLength, packetTag, packetBodyField, packetBodyField, packetSequence, ...GENERIC_MUTATORS];

const latin1 = (b: Buffer) => b.toString('latin1');

/** Mutates the packets inside one armored block and re-armors them. */
const armoredPackets: Mutator = {
  name: 'armored-packets',
  apply(rng, input, donors) {
    const text = latin1(input);
    const blocks = findArmorBlocks(text);
    if (blocks.length === 0) return stack(rng, input, PACKET_MUTATORS, donors, 2).bytes;
    const b = rng.pick(blocks);
    const body = stack(rng, b.body, PACKET_MUTATORS, [], 3).bytes;
    return Buffer.from(text.slice(0, b.start) + armor(b.label, b.headers, body) + text.slice(b.end), 'latin1');
  },
};

const ARMOR_HEADERS = ['Comment: fuzz', 'Version: 0', 'Hash: SHA1', 'Hash: MD5', 'Hash: SHA256,SHA512', 'Charset: UTF-8', 'X: \x01', `Comment: ${'A'.repeat(5000)}`, 'NoColon'];

/** Text-level damage to the armor itself and what surrounds it. */
const armorText: Mutator = {
  name: 'armor-text',
  apply(rng, input) {
    let text = latin1(input);
    const begin = text.search(/-----BEGIN PGP [^\n]*-----\r?\n/);
    const lineEnd = begin < 0 ? -1 : text.indexOf('\n', begin) + 1;
    switch (rng.int(10)) {
      case 9: {
        // Many unterminated blocks: quadratic scans for a closing line show up as hangs.
        const marker = text.match(/-----BEGIN PGP [^\n]*-----\r?\n/)?.[0] ?? '-----BEGIN PGP PUBLIC KEY BLOCK-----\n';
        text += marker.repeat(rng.pick([100, 5000, 30000]));
        break;
      }
      case 0:
        if (lineEnd > 0) text = text.slice(0, lineEnd) + rng.pick(ARMOR_HEADERS) + '\n' + text.slice(lineEnd);
        break;
      case 1:
        text = text.replace(/\n\n/, '\n');
        break;
      case 2:
        text = text.replace(/\n=[A-Za-z0-9+/]{4}\n/, rng.chance(0.5) ? '\n' : '\n=AAAA\n');
        break;
      case 3:
        text = rng.chance(0.5) ? text.replace(/\n/g, '\r\n') : text.replace(/\n/g, '\r');
        break;
      case 4:
        text += rng.pick(['\n', '\ntrailing text\n', '\n-----BEGIN PGP SIGNATURE-----\n', '\0\0\0', ' \t\n']);
        break;
      case 5:
        text = rng.pick(['garbage\n', '\n\n', '- ', '\ufeff']) + text;
        break;
      case 6:
        text = text.replace(/-----END PGP ([A-Z ]+)-----/, rng.pick(['-----END PGP MESSAGE-----', '-----END PGP $1----', '']));
        break;
      case 7: {
        const lines = text.split('\n');
        const i = rng.int(lines.length);
        lines.splice(i, 0, rng.pick(['', '- dash', '-----BEGIN PGP SIGNATURE-----', 'Hash: SHA256', ' '.repeat(80), '!!!!']));
        text = lines.join('\n');
        break;
      }
      default:
        text = text.replace(/\n[A-Za-z0-9+/]{10}/, (m) => m.slice(0, 5) + rng.pick(['*', ' ', '=', '\t', '\u00e9']) + m.slice(5));
    }
    return Buffer.from(text, 'latin1');
  },
};

/** Damage to the armor text of a clear-signed message or key block. */
export const ARMOR_MUTATORS: readonly Mutator[] = [armorText];

/** For armored or binary OpenPGP inputs: mostly packet-level, some armor-level, some blind. */
export const PGP_MUTATORS: readonly Mutator[] = [armoredPackets, armoredPackets, armoredPackets, armorText, armorText, ...GENERIC_MUTATORS];
