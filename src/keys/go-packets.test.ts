import t from 'tap';
import * as openpgp from 'openpgp';
import { goDropsPacket } from './go-packets.js';
import { splitKeyring } from './segments.js';

const packet = (tag: number, ...body: number[]) => ({ tag, offset: 0, end: 0, body: Buffer.from(body) });
const keyBody = (version: number, algorithm: number, ...material: number[]) => [version, 0x5e, 0, 0, 0, ...(version === 5 ? [algorithm, 0, 0, 0, material.length] : [algorithm]), ...material];
const oid = (hex: string) => [hex.length / 2, ...Buffer.from(hex, 'hex')];
const ED25519 = '2b06010401da470f01';

t.test("packets go-crypto's reader drops unseen, with the reason", (t) => {
  const cases: [name: string, tag: number, body: number[], reason: string | undefined][] = [
    ['marker packet', 10, [0x50, 0x47, 0x50], 'marker packet'],
    ['trust packet', 12, [0, 0], 'trust packet'],
    ['unknown packet type', 60, [], 'packet of unknown type 60'],
    ['user ID', 13, [0x41], undefined],
    ['v3 key', 6, keyBody(3, 1), 'version 3 key'],
    ['v6 key', 6, keyBody(6, 27), 'version 6 key'],
    ['v5 RSA key', 6, keyBody(5, 1, 0, 8, 0xff), undefined],
    ['unknown algorithm', 14, keyBody(4, 99), 'key of unknown public-key algorithm 99'],
    ['v4 Ed25519 (RFC 9580)', 6, keyBody(4, 27), 'key of unknown public-key algorithm 27'],
    ['EdDSA on Ed25519', 6, keyBody(4, 22, ...oid(ED25519), 1, 7, 0x40), undefined],
    ['EdDSA with a compressed point', 6, keyBody(4, 22, ...oid(ED25519), 1, 7, 0x04), 'EdDSA key with an unsupported point encoding'],
    ['ECDSA on Ed25519', 6, keyBody(4, 19, ...oid(ED25519)), `key on an unsupported curve (OID ${ED25519})`],
    ['ECDSA on an unknown curve', 6, keyBody(4, 19, ...oid('2b0601')), 'key on an unsupported curve (OID 2b0601)'],
    ['ECDH on Curve25519', 7, keyBody(4, 18, ...oid('2b060104019755010501')), undefined],
    ['v4 signature', 2, [4, 0x13, 22, 8], undefined],
    ['v3 signature', 2, [3, 5, 0x13], 'version 3 signature'],
    ['signature of an encryption algorithm', 2, [4, 0x13, 16, 8], 'signature of unknown public-key algorithm 16'],
    ['signature with an unknown hash', 2, [4, 0x13, 1, 99], 'signature with unknown hash 99'],
  ];
  for (const [name, tag, body, reason] of cases) t.equal(goDropsPacket(packet(tag, ...body)), reason, name);
  t.end();
});

t.test('keys go-crypto refuses whole are skipped up to the next key, with every byte kept', async (t) => {
  const frame = (tag: number, body: number[]) => Buffer.from([0xc0 | tag, body.length, ...body]);
  const { publicKey } = await openpgp.generateKey({ type: 'ecc', userIDs: [{ name: 'K', email: 'k@example.com' }], format: 'object' });
  const good = Buffer.from(publicKey.write());
  const elgamalPrimary = Buffer.concat([frame(6, keyBody(4, 16, 0, 8, 0xff, 0, 8, 2, 0, 8, 3)), frame(13, [0x41])]);
  // A user attribute's signatures are ignored by go-crypto, so a dropped subkey after it does no harm.
  const [primary, uid, cert] = [...publicKey.toPacketList()].map((p) => {
    const list = new openpgp.PacketList();
    list.push(p);
    return Buffer.from(list.write());
  });
  const afterAttribute = Buffer.concat([primary!, uid!, cert!, frame(17, [1, 2]), frame(14, keyBody(4, 99)), frame(2, [4, 0x18, 22, 8])]);
  const segments = splitKeyring(Buffer.concat([elgamalPrimary, good, afterAttribute]));
  t.same(
    segments.map((s) => [s.kind, s.offset, s.bytes.length, s.kind === 'skipped' ? s.reason : undefined]),
    [
      ['skipped', 0, elgamalPrimary.length, 'primary key of algorithm 16 cannot sign'],
      ['key', elgamalPrimary.length, good.length, undefined],
      ['key', elgamalPrimary.length + good.length, afterAttribute.length, undefined],
    ],
  );
  const last = segments[2]!;
  t.ok(last.kind === 'key' && last.readable.length === afterAttribute.length - 2 - keyBody(4, 99).length, 'openpgp.js reads the key without the dropped subkey');
});
