import t from 'tap';
import * as openpgp from 'openpgp';
import { primaryBitLength, splitPackets } from './packets.js';
import { splitKeyring, type KeySegment } from './segments.js';
import { parseUserId } from './describe.js';

const userIDs = [{ name: 'Packet Test', email: 'packets@example.com' }];

t.test('keyrings split into transferable keys with their exact bytes', async (t) => {
  const a = await openpgp.generateKey({ type: 'ecc', userIDs, format: 'object' });
  const b = await openpgp.generateKey({ type: 'ecc', userIDs, format: 'object' });
  const ring = Buffer.concat([a.publicKey.write(), b.privateKey.write()]);
  const blocks = splitKeyring(ring) as KeySegment[];
  t.equal(blocks.length, 2);
  t.same(Buffer.from(blocks[0]!.bytes), Buffer.from(a.publicKey.write()));
  t.same(Buffer.from(blocks[1]!.bytes), Buffer.from(b.privateKey.write()));
  t.same(blocks.map((x) => [x.kind, x.offset, x.secret]), [['key', 0, false], ['key', a.publicKey.write().length, true]]);
  t.equal(primaryBitLength(blocks[0]!.primary), 263, 'Ed25519 legacy point: go-crypto reports 263 bits');
  t.same(splitKeyring(new Uint8Array()), []);
});

t.test('framing errors name the byte where the keyring breaks', async (t) => {
  const { publicKey } = await openpgp.generateKey({ type: 'ecc', userIDs, format: 'object' });
  const bytes = publicKey.write();
  t.throws(() => splitKeyring(bytes.subarray(0, bytes.length - 3)), { name: 'PacketError', message: /^truncated packet at byte \d+ \(needs 3 more bytes\)$/ });
  t.throws(() => splitKeyring(Buffer.from('garbage, not a key')), { message: 'not an OpenPGP packet at byte 0 (0x67)' });
  // A user ID packet (tag 13, new format) where a key must start: go-crypto skips up to the next key.
  t.same(splitKeyring(Buffer.from([0xcd, 0x01, 0x41])), [{ kind: 'skipped', bytes: Buffer.from([0xcd, 0x01, 0x41]), offset: 0, reason: 'packets before the first key' }]);
});

t.test('old-format, long and partial packet lengths are all walked', (t) => {
  const rsaBody = (bits: number) => Buffer.from([4, 0, 0, 0, 1, 1, bits >> 8, bits & 0xff, 0xaa]);
  // Old format, tag 6, one-byte length; then tag 13 with a two-byte length.
  const oldKey = Buffer.concat([Buffer.from([0x98, 9]), rsaBody(4096), Buffer.from([0xb5, 0, 1, 0x41])]);
  const packets = splitPackets(oldKey);
  t.same(packets.map((p) => [p.tag, p.offset, p.end]), [[6, 0, 11], [13, 11, oldKey.length]]);
  t.equal(primaryBitLength(packets[0]!.body), 4096);
  // New format: a five-byte length, and a partial-length chunk followed by the rest.
  const long = Buffer.concat([Buffer.from([0xc6, 0xff, 0, 0, 0, 9]), rsaBody(3072)]);
  const partial = Buffer.concat([Buffer.from([0xc6, 0xe1]), rsaBody(2048).subarray(0, 2), Buffer.from([7]), rsaBody(2048).subarray(2)]);
  t.same(splitPackets(Buffer.concat([long, partial])).map((p) => primaryBitLength(p.body)), [3072, 2048]);
  // Old format with an indeterminate length runs to the end of the input.
  t.equal(splitPackets(Buffer.concat([Buffer.from([0x9b]), rsaBody(1024)]))[0]!.end, 10);
  t.end();
});

t.test('a truncation names the packet that breaks and the bytes it still needs, in every length form', (t) => {
  const cases: [string, number[], string][] = [
    ['old format, body', [0xb4, 1, 0x41, 0x98, 9, 4, 0], 'truncated packet at byte 3 (needs 7 more bytes)'],
    ['old format, length', [0x99, 1], 'truncated packet at byte 0 (needs 1 more bytes)'],
    ['new format, five-byte length', [0xc6, 0xff, 0, 0], 'truncated packet at byte 0 (needs 2 more bytes)'],
    ['new format, two-byte length', [0xc6, 0xc0], 'truncated packet at byte 0 (needs 1 more bytes)'],
    ['partial chunk', [0xcb, 0xe2, 1, 2], 'truncated packet at byte 0 (needs 2 more bytes)'],
    ['after a partial chunk', [0xcb, 0xe1, 1, 2], 'truncated packet at byte 0 (needs 1 more bytes)'],
  ];
  for (const [name, bytes, message] of cases) t.throws(() => splitPackets(Buffer.from(bytes)), { name: 'PacketError', message }, name);
  t.end();
});

t.test('bit lengths follow go-crypto for every algorithm family', (t) => {
  const key = (body: number[]) => primaryBitLength(Buffer.from(body));
  t.equal(key([4, 0, 0, 0, 0, 17, 0x08, 0x00, 0xff]), 2048, 'DSA: p');
  t.equal(key([4, 0, 0, 0, 0, 19, 2, 0x2a, 0x86, 0x02, 0x03, 0x04]), 515, 'ECDSA P-256: the encoded point');
  t.equal(key([6, 0, 0, 0, 0, 27, 0, 0, 0, 32]), 256, 'v6 Ed25519 (27): fixed size');
  t.equal(key([4, 0, 0, 0, 0, 99]), 0, 'unknown algorithm: 0, as Apptainer prints it');
  t.end();
});

t.test("user IDs split into name, comment and email as go-crypto's parseUserId does", (t) => {
  const cases: [id: string, name: string, comment: string, email: string][] = [
    ['Jane Doe (work) <jane@example.com>', 'Jane Doe', 'work', 'jane@example.com'],
    ['Jane Doe <jane@example.com>', 'Jane Doe', '', 'jane@example.com'],
    ['jane@example.com', '', '', 'jane@example.com'],
    ['<jane@example.com>', '', '', 'jane@example.com'],
    ['Only A Name', 'Only A Name', '', ''],
    ['Name (unclosed comment', 'Name', 'unclosed comment', ''],
    ['Name (c) <unclosed@example.com', 'Name', 'c', 'unclosed@example.com'],
    ['', '', '', ''],
  ];
  for (const [id, name, comment, email] of cases) t.same(parseUserId(id), { name, comment, email }, JSON.stringify(id));
  t.end();
});
