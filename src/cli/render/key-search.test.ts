/**
 * `sif key search`'s table against the golden remote.md §1.3 records: the
 * output of Apptainer's formatMROutput, run on SKS's real reply.
 */
import t from 'tap';
import { formatSearchIndex, goQueryUnescape } from './key-search.js';

const UTC = { intlName: 'UTC', tzif: undefined };
const SKS_REPLY = [
  'info:1:5',
  'pub:8F27022B0687996D63DB8DE2C1BD657E0D8C3653:1:2048:1796309619::',
  'uid:Bob RSA <bob@example.org>:1796309619::',
  'uid:Bob Second <bob2@example.net>:1796309619::',
  '',
  'pub:35D5AAAAAAAAAAAAAAAAAAAAAAAAAAAA2FD50D19:22:256:1796309619::',
  'uid:Alice Tester (sif test) <alice@example.org>:1796309619::',
  '',
  'pub:83E5AAAAAAAAAAAAAAAAAAAAAAAAAAAA62869CD8:1:2048:1577836800:1609372800:',
  'uid:Dave Expired <dave@example.org>:1577836800:1609372800:',
  '',
  'pub:1111AAAAAAAAAAAAAAAAAAAAAAAAAAAA5743C1AA:22:256:1796309619::',
  'uid:Eve %C3%9Cn%C3%AFcode%3A 100%%25 (c) <eve@example.org>:1796309619::',
  '',
  'pub:2222AAAAAAAAAAAAAAAAAAAAAAAAAAAA5B0DA87B:22:256:1796309619::r',
  'uid:Carol Revoked <carol@example.org>:1796309619::r',
  '',
].join('\n');

t.test('the short table: only the header and the first key share column widths', async (t) => {
  const r = formatSearchIndex(SKS_REPLY, false, UTC);
  t.same([r.count, r.error], [5, undefined]);
  t.equal(
    r.table.toString(),
    [
      'KEY ID    BITS  NAME/EMAIL',
      '0D8C3653  2048  Bob RSA <bob@example.org>',
      '                Bob Second <bob2@example.net>',
      '',
      '2FD50D19  256  Alice Tester (sif test) <alice@example.org>',
      '',
      '62869CD8  2048  Dave Expired <dave@example.org>',
      '',
      '5743C1AA  256  Eve %C3%9Cn%C3%AFcode%3A 100%%25 (c) <eve@example.org>',
      '',
      '5B0DA87B  256  Carol Revoked <carol@example.org>',
      '',
    ].join('\n'),
  );
});

t.test('the long table: algorithms, Go dates, status flags', async (t) => {
  const r = formatSearchIndex(SKS_REPLY, true, UTC);
  const lines = r.table.toString().split('\n');
  t.equal(lines[0], 'FINGERPRINT                               ALGORITHM  BITS  CREATION DATE                  EXPIRATION DATE  STATUS     NAME/EMAIL');
  t.equal(lines[1], '8F27022B0687996D63DB8DE2C1BD657E0D8C3653  RSA        2048  2026-12-03 14:53:39 +0000 UTC                   [enabled]  Bob RSA <bob@example.org>');
  t.match(lines[4], /^35D5A+2FD50D19  unknown  256  2026-12-03 14:53:39 \+0000 UTC    \[enabled\]  Alice/);
  t.match(lines[6], /  RSA  2048  2020-01-01 00:00:00 \+0000 UTC  2020-12-31 00:00:00 \+0000 UTC  \[enabled\]  Dave Expired/);
  t.match(r.table.toString(), /\[revoked\]  Carol Revoked/);
  const flags = formatSearchIndex('pub:AAAAAAAA:17:1024:none:x:d\npub:BBBBBBBB:19:256:::e\n', true, UTC).table.toString();
  // A key without a user ID ends its line at the next key; its tab-terminated cells stay in the header's block.
  t.match(flags, /\nAAAAAAAA {5}DSA {8}1024  none {11}1970-01-01 00:00:00 \+0000 UTC  \[disabled\]  \n\n/, 'unparsable times are 0, "none" stays');
  t.match(flags, /\n\nBBBBBBBB  ECDSA  256      \[expired\]  \n$/);
});

t.test('replies Apptainer refuses', async (t) => {
  const miscount = formatSearchIndex('info:1:2\npub:AAAAAAAA:1:2048::\n', false, UTC);
  t.same([miscount.count, miscount.error], [-1, 'failed to convert machine readable to human readable output correctly']);
  t.equal(miscount.table.toString(), 'KEY ID    BITS  NAME/EMAIL\nAAAAAAAA  2048  \n', 'the table is still printed');
  t.same(formatSearchIndex('info:1:x\n', false, UTC), { count: -1, table: Buffer.alloc(0), error: 'unable to check number of keys' });
  t.same(formatSearchIndex('pub:AAAAAAAA:rsa:2048::\n', true, UTC).error, 'strconv.ParseInt: parsing "rsa": invalid syntax');
  t.same(formatSearchIndex('', false, UTC).count, 0);
});

t.test("Go's QueryUnescape", async (t) => {
  t.equal(goQueryUnescape('a+b%41')!.toString(), 'a bA');
  t.equal(goQueryUnescape('100%'), undefined);
  t.equal(goQueryUnescape('%zz'), undefined);
});
