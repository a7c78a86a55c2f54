import t from 'tap';
import { decodeHex, parseIntFlag, parseTime } from './flags.js';

t.test('integer flags parse as pflag (strconv base 0)', async (t) => {
  const ok: [text: string, bits: 32 | 64, signed: boolean, want: number][] = [
    ['42', 32, true, 42],
    ['+7', 32, true, 7],
    ['-7', 32, true, -7],
    ['0x100', 32, true, 256],
    ['0X1f', 32, false, 31],
    ['010', 32, true, 8],
    ['0o17', 32, true, 15],
    ['0b101', 32, true, 5],
    ['0', 32, false, 0],
    ['2147483647', 32, true, 2147483647],
    ['4294967295', 32, false, 4294967295],
  ];
  for (const [text, bits, signed, want] of ok) t.equal(parseIntFlag('f', text, bits, signed), want, text);
  const bad: [text: string, bits: 32 | 64, signed: boolean, why: string][] = [
    ['', 32, true, 'invalid syntax'],
    ['12a', 32, true, 'invalid syntax'],
    ['1_000', 32, true, 'invalid syntax'],
    ['089', 32, true, 'invalid syntax'],
    ['-1', 32, false, 'invalid syntax'],
    ['2147483648', 32, true, 'value out of range'],
    ['-2147483649', 32, true, 'value out of range'],
    ['4294967296', 32, false, 'value out of range'],
    ['9007199254740993', 64, true, 'value out of range'],
  ];
  for (const [text, bits, signed, why] of bad) {
    const fn = signed ? 'ParseInt' : 'ParseUint';
    t.throws(() => parseIntFlag('flag', text, bits, signed), {
      code: 'SIF_USAGE',
      message: `invalid argument ${JSON.stringify(text)} for "--flag" flag: strconv.${fn}: parsing ${JSON.stringify(text)}: ${why}`,
    });
  }
});

t.test('--time takes Unix seconds or RFC 3339', async (t) => {
  const ok: [string, bigint][] = [
    ['0', 0n],
    ['-62135596800', -62135596800n],
    ['1593475316', 1593475316n],
    ['2020-06-30T00:01:56Z', 1593475316n],
    ['2020-06-30t00:01:56z', 1593475316n],
    ['2020-06-30 00:01:56Z', 1593475316n],
    ['2020-06-30T02:01:56+02:00', 1593475316n],
    ['2020-06-29T23:01:56-01:00', 1593475316n],
    ['2020-06-30T00:01:56.999Z', 1593475316n],
    ['1969-12-31T23:59:59Z', -1n],
    ['2024-02-29T00:00:00Z', 1709164800n],
  ];
  for (const [text, want] of ok) t.equal(parseTime(text), want, text);
  for (const text of ['', 'now', '2020-06-30', '2020-06-30T00:01:56', '2020-13-01T00:00:00Z', '2023-02-29T00:00:00Z', '2020-06-30T24:00:00Z', '2020-06-30T00:60:00Z', '9223372036854775808', '1e9']) {
    t.throws(() => parseTime(text), { code: 'SIF_USAGE', message: /^invalid time / }, JSON.stringify(text));
  }
});

t.test('hex decoding reports errors as Go encoding/hex does', async (t) => {
  t.same(decodeHex('12045C8C0B1004D058DE4BEDA20C27EE7FF7BA84'), Buffer.from('12045c8c0b1004d058de4beda20c27ee7ff7ba84', 'hex'));
  t.same(decodeHex(''), Buffer.alloc(0));
  const bad: [string, string][] = [
    ['zz', "encoding/hex: invalid byte: U+007A 'z'"],
    ['a', 'encoding/hex: odd length hex string'],
    ['abc', 'encoding/hex: odd length hex string'],
    ['abx', "encoding/hex: invalid byte: U+0078 'x'"],
    ['0\x01', 'encoding/hex: invalid byte: U+0001'],
    ['é0', "encoding/hex: invalid byte: U+00C3 'Ã'"],
    ['\x7f0', 'encoding/hex: invalid byte: U+007F'],
  ];
  for (const [text, message] of bad) t.throws(() => decodeHex(text), { code: 'SIF_USAGE', message }, JSON.stringify(text));
});
