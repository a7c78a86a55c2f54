/**
 * Go's formatting of the values siftool prints: time.Time.String() of
 * time.Unix(sec, 0).UTC(), and siftool's readableSize. Int64 arithmetic wraps
 * as Go's does, so even absurd stored times print as the reference prints them.
 */

const U64 = 1n << 64n;
const SECONDS_PER_DAY = 86400n;
const DAYS_PER_400_YEARS = 365n * 400n + 97n;
const DAYS_PER_100_YEARS = 365n * 100n + 24n;
const DAYS_PER_4_YEARS = 365n * 4n + 1n;
const ABSOLUTE_ZERO_YEAR = -292277022399n;
const UNIX_TO_INTERNAL = 62135596800n;
const INTERNAL_TO_ABSOLUTE = 9223371966579724800n;
const DAYS_BEFORE = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

const isLeap = (y: bigint) => y % 4n === 0n && (y % 100n !== 0n || y % 400n === 0n);
const pad = (n: bigint | number, width: number) => {
  const neg = n < 0;
  const s = (neg ? -BigInt(n) : BigInt(n)).toString().padStart(width, '0');
  return neg ? `-${s}` : s;
};

/** Go's `time.Unix(sec, 0).UTC().String()`, e.g. "2020-06-30 00:01:56 +0000 UTC". */
export function goUnixTimeString(sec: bigint): string {
  const abs = (((sec + UNIX_TO_INTERNAL + INTERNAL_TO_ABSOLUTE) % U64) + U64) % U64;
  let d = abs / SECONDS_PER_DAY;
  let n = d / DAYS_PER_400_YEARS;
  let y = 400n * n;
  d -= DAYS_PER_400_YEARS * n;
  n = d / DAYS_PER_100_YEARS;
  n -= n >> 2n;
  y += 100n * n;
  d -= DAYS_PER_100_YEARS * n;
  n = d / DAYS_PER_4_YEARS;
  y += 4n * n;
  d -= DAYS_PER_4_YEARS * n;
  n = d / 365n;
  n -= n >> 2n;
  y += n;
  d -= 365n * n;
  const year = y + ABSOLUTE_ZERO_YEAR;
  const { month, day } = monthDay(year, Number(d));
  const s = Number(abs % SECONDS_PER_DAY);
  const clock = `${pad(Math.floor(s / 3600), 2)}:${pad(Math.floor(s / 60) % 60, 2)}:${pad(s % 60, 2)}`;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)} ${clock} +0000 UTC`;
}

function monthDay(year: bigint, yday: number): { month: number; day: number } {
  let day = yday;
  if (isLeap(year)) {
    if (day === 31 + 29 - 1) return { month: 2, day: 29 };
    if (day > 31 + 29 - 1) day--;
  }
  let month = Math.floor(day / 31);
  const end = DAYS_BEFORE[month + 1]!;
  let begin: number;
  if (day >= end) {
    month++;
    begin = end;
  } else {
    begin = DAYS_BEFORE[month]!;
  }
  return { month: month + 1, day: day - begin + 1 };
}

/** Go's math.Round: halves away from zero. */
const goRound = (x: number) => Math.sign(x) * Math.round(Math.abs(x));

/** siftool's readableSize: "N B" below 1 KiB, else a rounded power-of-1024 unit. */
export function readableSize(size: bigint): string {
  if (-1024n < size && size < 1024n) return `${size} B`;
  const units = 'KMGTPE';
  let div = 1024n;
  let exp = 0;
  for (let n = size / 1024n; n <= -1024n || n >= 1024n; n /= 1024n) {
    div *= 1024n;
    exp++;
  }
  const value = goRound(Number(size) / Number(div));
  return `${Object.is(value, -0) ? '-0' : value.toFixed(0)} ${units[exp]}iB`;
}
