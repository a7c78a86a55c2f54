import t from 'tap';
import { crc24 } from '../integrity/pgp/cleartext.js';
import { armor, findArmorBlocks, packetFrames } from './armor.js';
import { GENERIC_MUTATORS, stack } from './mutate.js';
import { PACKET_MUTATORS, PGP_MUTATORS } from './mutate-pgp.js';
import { SIF_MUTATORS } from './mutate-sif.js';
import { SIGNATURE_MUTATORS } from './mutate-signature.js';
import { creationTime, junkSignature, packet, subpacket, SUBPACKET } from './signature-fields.js';
import { inputPrng, Prng } from './prng.js';

t.test('the PRNG is deterministic per (seed, target, iteration) and stays in range', async (t) => {
  const a = inputPrng('s', 'reader', 7);
  const b = inputPrng('s', 'reader', 7);
  t.same([a.u32(), a.u32(), a.i64()], [b.u32(), b.u32(), b.i64()]);
  t.not(inputPrng('s', 'reader', 8).u32(), inputPrng('s', 'reader', 7).u32());
  const r = new Prng('range');
  const draws = Array.from({ length: 1000 }, () => [r.range(3, 5), r.int(2 ** 40)] as const);
  t.ok(draws.every(([n, big]) => n >= 3 && n <= 5 && big < 2 ** 40), 'in range');
  t.same(new Set(draws.map(([n]) => n)), new Set([3, 4, 5]), 'every value drawn');
  t.equal(r.bytes(5).length, 5);
  t.throws(() => r.pick([]), RangeError);
});

t.test('CRC-24 and armor round trip (RFC 4880 §6.1)', async (t) => {
  t.equal(crc24(Buffer.alloc(0)), 0xb704ce);
  const body = Buffer.from([0x99, 0x00, 0x03, 1, 2, 3]);
  const text = armor('PUBLIC KEY BLOCK', ['Comment: x'], body);
  const [block] = findArmorBlocks(`junk\n${text}\ntrailer`);
  t.same(block?.body, body);
  t.same(block?.headers, ['Comment: x']);
  t.equal(block?.label, 'PUBLIC KEY BLOCK');
});

t.test('packet frames: new and old formats, all length forms', async (t) => {
  const frames = packetFrames(
    Buffer.concat([
      Buffer.from([0xc6, 0x02, 0xaa, 0xbb]), // new format, 1-octet length
      Buffer.from([0xc6, 0xc0, 0x00]), Buffer.alloc(192), // new format, 2-octet length
      Buffer.from([0xc6, 0xff, 0, 0, 0, 1, 0xcc]), // new format, 5-octet length
      Buffer.from([0x99, 0x00, 0x01, 0xdd]), // old format, 2-octet length (tag 6)
      Buffer.from([0x9b, 0xee, 0xee]), // old format, indeterminate length
    ]),
  );
  t.same(frames.map((f) => [f.tag, f.bodyLength, f.newFormat]), [[6, 2, true], [6, 192, true], [6, 1, true], [6, 1, false], [6, 2, false]]);
  t.same(packetFrames(Buffer.from([0xc6, 0xe1, 0])), [], 'partial lengths stop the walk');
  t.same(packetFrames(Buffer.from([0x12, 0x01])), [], 'not a packet');
});

t.test('every mutator is total: any input, including empty and tiny ones', async (t) => {
  const rng = new Prng('total');
  const sif = Buffer.alloc(32176 + 8);
  sif.write('SIF_MAGIC\0', 32, 'latin1');
  sif.writeBigInt64LE(48n, 88);
  sif.writeBigInt64LE(4096n, 96);
  sif[4096 + 4] = 1;
  sif.writeBigInt64LE(32176n, 4096 + 17);
  sif.writeBigInt64LE(8n, 4096 + 25);
  const key = Buffer.from(armor('PUBLIC KEY BLOCK', [], Buffer.from([0xc6, 0x03, 4, 0, 0, 0x99, 0, 1, 0xd])));
  const inputs = [Buffer.alloc(0), Buffer.from([0xc6]), Buffer.from('x\n'), sif, key];
  for (const list of [GENERIC_MUTATORS, SIF_MUTATORS, PACKET_MUTATORS, PGP_MUTATORS]) {
    for (const m of list) {
      const results = inputs.flatMap((input) => Array.from({ length: 8 }, () => m.apply(rng, input, [key, sif])));
      t.ok(results.every((b) => Buffer.isBuffer(b)), `${m.name} returns bytes`);
    }
  }
  const { bytes, steps } = stack(rng, sif, SIF_MUTATORS, [], 4);
  t.ok(steps.length >= 1 && steps.length <= 4 && Buffer.isBuffer(bytes));
});

t.test('signature-packet mutators are total and change a signature block', async (t) => {
  const rng = new Prng('signatures');
  const signed = junkSignature(Buffer.concat([creationTime(), subpacket(SUBPACKET.issuerFingerprint, [4, ...Buffer.alloc(20, 5)])]), subpacket(SUBPACKET.issuer, Buffer.alloc(8, 5)));
  const inputs = [Buffer.alloc(0), Buffer.from([0xc2]), signed, Buffer.concat([signed, signed]), packet(2, Buffer.from([4, 0, 22, 8, 0xff, 0xff]))];
  for (const m of SIGNATURE_MUTATORS) {
    const results = inputs.flatMap((input) => Array.from({ length: 16 }, () => m.apply(rng, input, [])));
    t.ok(results.every((b) => Buffer.isBuffer(b)), `${m.name} returns bytes`);
    t.ok(Array.from({ length: 32 }, () => m.apply(rng, signed, [])).some((b) => !b.equals(signed)), `${m.name} changes a signature block`);
  }
});
