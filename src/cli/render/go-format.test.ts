import t from 'tap';
import { oracle } from '../../test-support/oracle.js';
import { withReference } from '../../test-support/reference.js';
import { goUnixTimeString, readableSize } from './go-format.js';

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/** A deterministic spread of int64 values: every magnitude, both signs, and the edges. */
function sampleInt64s(): bigint[] {
  const out = new Set<bigint>([0n, 1n, -1n, 1023n, 1024n, -1023n, -1024n, 1535n, 1536n, -1536n, INT64_MAX, INT64_MIN, INT64_MAX - 1n, INT64_MIN + 1n]);
  for (let bits = 1n; bits < 63n; bits++) {
    const p = 1n << bits;
    for (const v of [p - 1n, p, p + 1n, p + p / 2n, p + p / 2n - 1n]) {
      out.add(v);
      out.add(-v);
    }
  }
  let x = 0x9e3779b97f4a7c15n; // xorshift64: fixed seed, so the sample never changes
  for (let i = 0; i < 200; i++) {
    x ^= (x << 13n) & 0xffffffffffffffffn;
    x ^= x >> 7n;
    x ^= (x << 17n) & 0xffffffffffffffffn;
    out.add(BigInt.asIntN(64, x) >> BigInt(i % 60));
  }
  return [...out];
}

/** Times around calendar edges: the Go zero time, leap days, year 0, year 9999/10000. */
const calendarEdges = [
  -62135596800n, // 0001-01-01, Go's zero time
  -62135596801n,
  -62167219200n, // 0000-01-01
  -62167219201n,
  -62162121600n, // 0000-02-29: year 0 is a leap year in Go's proleptic calendar
  951782400n, // 2000-02-29
  951868800n, // 2000-03-01
  4107456000n, // 2100-02-28: 2100 is not a leap year
  4107542400n, // 2100-03-01
  1593475316n, // 2020-06-30 00:01:56, the corpus signing time
  1590175859n, // 2020-05-22 19:30:59, the legacy images
  253402300799n, // 9999-12-31 23:59:59
  253402300800n, // 10000-01-01
  -377705116800n, // -9999-01-01: negative years print with a sign
];

t.test('pinned values', async (t) => {
  t.equal(goUnixTimeString(0n), '1970-01-01 00:00:00 +0000 UTC');
  t.equal(goUnixTimeString(-1n), '1969-12-31 23:59:59 +0000 UTC');
  t.equal(goUnixTimeString(1593475316n), '2020-06-30 00:01:56 +0000 UTC');
  t.equal(goUnixTimeString(253402300800n), '10000-01-01 00:00:00 +0000 UTC');
  t.equal(goUnixTimeString(INT64_MAX), '292277026596-12-04 15:30:07 +0000 UTC');
  t.equal(goUnixTimeString(INT64_MIN), '292277026596-12-04 15:30:08 +0000 UTC', 'wraps as Go int64 arithmetic does');
  t.equal(readableSize(0n), '0 B');
  t.equal(readableSize(-1023n), '-1023 B');
  t.equal(readableSize(1024n), '1 KiB');
  t.equal(readableSize(28080n), '27 KiB');
  t.equal(readableSize(9838n), '10 KiB');
  t.equal(readableSize(-1536n), '-2 KiB', 'halves round away from zero');
  t.equal(readableSize(INT64_MAX), '8 EiB');
  t.equal(readableSize(INT64_MIN), '-8 EiB');
});

withReference(t, 'time.Unix(s, 0).UTC().String() matches Go', ['go', 'go-sif'], async (t) => {
  const values = [...sampleInt64s(), ...calendarEdges];
  const want = oracle<string[]>('gotime', ...values.map(String));
  const got = values.map(goUnixTimeString);
  const wrong = values.flatMap((v, i) => (got[i] === want[i] ? [] : [`${v}: got ${got[i]}, want ${want[i]}`]));
  t.same(wrong, [], `${values.length} values`);
});

withReference(t, "siftool's readableSize matches Go", ['go', 'go-sif'], async (t) => {
  const values = sampleInt64s();
  const want = oracle<string[]>('readablesize', ...values.map(String));
  const got = values.map(readableSize);
  const wrong = values.flatMap((v, i) => (got[i] === want[i] ? [] : [`${v}: got ${got[i]}, want ${want[i]}`]));
  t.same(wrong, [], `${values.length} values`);
});
