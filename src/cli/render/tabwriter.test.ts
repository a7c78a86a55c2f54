import t from 'tap';
import { oracle } from '../../test-support/oracle.js';
import { withReference } from '../../test-support/reference.js';
import { runeCount, tabwrite } from './tabwriter.js';

const b = (s: string) => Buffer.from(s, 'latin1');

/** Hand-picked inputs: what siftool writes, plus every byte tabwriter treats specially. */
const cases: [name: string, input: Buffer][] = [
  ['siftool header', b('Version:\t01\nPrimary Architecture:\t386\nDescriptors Free:\t46\n')],
  ['siftool info', b('\tData Type:\tFS\n\tID:\t1\n\tName:\tbusybox\n')],
  ['tab inside a value adds a column', b('\tName:\ta\tb\n\tID:\t1\n')],
  ['newline inside a value', b('\tName:\tfirst\nsecond\n\tID:\t1\n')],
  ['one-cell line flushes the block', b('a:\t1\nplain\nlonger label:\t2\n')],
  ['form feed flushes', b('a:\t1\fbbbbbb:\t2\n')],
  ['vertical tab is a cell terminator', b('a\vb\tc\nlong\v1\t2\n')],
  ['paired 0xFF escape', b('\tName:\t\xffa\tb\xff\n\tID:\t1\n')],
  ['unpaired 0xFF at the end', b('\tName:\t\xffab\n\tID:\t1')],
  ['invalid UTF-8 counts one column per byte', b('\tName:\t\x80\x81\xc3\n\tID:\t1\n')],
  ['UTF-8 counts one column per rune', Buffer.from('\tName:\tdéjà vu\n\tID:\t1\n', 'utf8')],
  ['4-byte UTF-8 and surrogate-range bytes', Buffer.concat([b('\tN:\t'), Buffer.from('😀', 'utf8'), b('\xed\xa0\x80\xf4\x90\x80\x80\n\tID:\t1\n')])],
  ['truncated multibyte sequence', b('\tN:\t\xe2\x82\n\tID:\t\xf0\x9f\x98\n')],
  ['no trailing newline', b('a:\t1\nbb:\t2')],
  ['empty input', b('')],
  ['empty cells', b('\t\t\n\t\tx\n')],
  ['carriage return is text', b('a\r:\t1\nbb:\t2\n')],
];

/** Random strings over the bytes that matter, from a fixed seed. */
function fuzzCases(count: number): Buffer[] {
  const alphabet = [0x61, 0x62, 0x20, 0x09, 0x09, 0x0a, 0x0b, 0x0c, 0xff, 0x80, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0];
  let x = 12345;
  const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 16;
  return Array.from({ length: count }, () => Buffer.from(Array.from({ length: next() % 40 }, () => alphabet[next() % alphabet.length]!)));
}

t.test('rune counting follows Go utf8.RuneCount', async (t) => {
  t.equal(runeCount(Buffer.from('déjà', 'utf8')), 4);
  t.equal(runeCount(b('\x80\x81')), 2, 'each invalid byte is one rune');
  t.equal(runeCount(b('\xe2\x82')), 2, 'a truncated sequence is one rune per byte');
  t.equal(runeCount(b('\xed\xa0\x80')), 3, 'UTF-16 surrogates are invalid');
  t.equal(runeCount(b('\xc0\xaf')), 2, 'overlong encodings are invalid');
});

t.test('aligns a siftool header', async (t) => {
  t.equal(tabwrite(b('Version:\t01\nData Size:\t9 KiB\n'), 1).toString(), 'Version:   01\nData Size: 9 KiB\n');
});

withReference(t, 'tabwriter matches Go text/tabwriter byte for byte', ['go', 'go-sif'], async (t) => {
  const inputs = [...cases.map(([, input]) => input), ...fuzzCases(400)];
  for (const padding of [1, 2]) {
    // Go's JSON encodes an empty output as null.
    const want = oracle<(string | null)[]>('tabwrite', String(padding), ...inputs.map((i) => i.toString('base64')));
    inputs.forEach((input, i) => {
      const name = i < cases.length ? cases[i]![0] : `fuzz ${i - cases.length}: ${JSON.stringify(input.toString('latin1'))}`;
      t.equal(tabwrite(input, padding).toString('base64'), want[i] ?? '', `padding ${padding}: ${name}`);
    });
  }
});
