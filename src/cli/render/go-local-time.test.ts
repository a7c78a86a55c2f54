import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { goLocalTimeString, goLocalZone } from './go-local-time.js';
import { zoneAt } from './tzif.js';

/** A TZif v2 file: zone types, transitions (type index each) and a POSIX footer. */
function tzif(types: [offset: number, dst: boolean, name: string][], transitions: [at: number, type: number][], footer: string): Buffer {
  const chars = Buffer.from(types.map(([, , n]) => `${n}\0`).join(''), 'latin1');
  const header = (count: number) => {
    const h = Buffer.alloc(44);
    h.write('TZif2', 0, 'latin1');
    [0, 0, 0, count, types.length, chars.length].forEach((v, i) => h.writeUInt32BE(v, 20 + i * 4));
    return h;
  };
  let offset = 0;
  const ttinfo = Buffer.concat(
    types.map(([utoff, dst, name]) => {
      const b = Buffer.alloc(6);
      b.writeInt32BE(utoff);
      b[4] = dst ? 1 : 0;
      b[5] = offset;
      offset += name.length + 1;
      return b;
    }),
  );
  const times = Buffer.concat(transitions.map(([at]) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(at));
    return b;
  }));
  const v1 = Buffer.concat([header(0), Buffer.alloc(0), ttinfo, chars]);
  const v2 = Buffer.concat([header(transitions.length), times, Buffer.from(transitions.map(([, i]) => i)), ttinfo, chars]);
  return Buffer.concat([v1, v2, Buffer.from(`\n${footer}\n`, 'latin1')]);
}

t.test('TZif lookup: transitions, then the footer rule, with names from the file', (t) => {
  const data = tzif([[3208, false, 'LMT'], [3600, false, 'CET'], [7200, true, 'CEST']], [[-2422054408, 1], [1000, 2], [2000, 1]], 'CET-1CEST,M3.5.0,M10.5.0/3');
  const never = () => t.fail('no rule needed') as unknown as number;
  t.same(zoneAt(data, -3e9, never), { abbreviation: 'LMT', offsetSeconds: 3208 }, 'before the first transition: the first type');
  t.same(zoneAt(data, 1500, never), { abbreviation: 'CEST', offsetSeconds: 7200 });
  t.same(zoneAt(data, 999, never), { abbreviation: 'CET', offsetSeconds: 3600 });
  t.same(zoneAt(data, 5000, () => 7200), { abbreviation: 'CEST', offsetSeconds: 7200 }, 'after the table: the rule, daylight');
  t.same(zoneAt(data, 5000, () => 3600), { abbreviation: 'CET', offsetSeconds: 3600 }, 'after the table: the rule, standard');
  const bracketed = tzif([[10800, false, '+03']], [], '<+03>-3');
  t.same(zoneAt(bracketed, 0, () => 10800), { abbreviation: '+03', offsetSeconds: 10800 });
  const halfHour = tzif([[-12600, false, 'NST']], [], 'NST3:30NDT,M3.2.0,M11.1.0');
  t.same(zoneAt(halfHour, 0, () => -9000), { abbreviation: 'NDT', offsetSeconds: -9000 }, 'DST one hour ahead of a half-hour zone');
  t.equal(zoneAt(Buffer.from('not a zone file, long enough to have a header.....'), 0, never), undefined);
  t.equal(zoneAt(data.subarray(0, 60), 0, never), undefined, 'a truncated file');
  t.equal(zoneAt(data.subarray(0, data.indexOf('CET-1') - 20), 0, never), undefined, 'a truncated 64-bit block');
  const noFooter = tzif([[3600, false, 'CET'], [7200, true, 'CEST']], [[1000, 1]], '');
  t.same(zoneAt(noFooter, 5000, never), { abbreviation: 'CEST', offsetSeconds: 7200 }, 'no footer: the last transition holds');
  const badFooter = tzif([[3600, false, 'CET']], [[1000, 0]], '!!');
  t.same(zoneAt(badFooter, 5000, () => 3600), { abbreviation: 'CET', offsetSeconds: 3600 }, 'an unreadable rule: the table');
  const noTypes = tzif([], [], '');
  t.equal(zoneAt(noTypes, 0, never), undefined, 'no zone types');
  const v1Only = Buffer.from(tzif([[0, false, 'UTC']], [], ''));
  v1Only[4] = 0;
  t.same(zoneAt(v1Only, 0, never), { abbreviation: 'UTC', offsetSeconds: 0 });
  t.end();
});

t.test('the local zone is found as Go finds it', (t) => {
  const dir = t.testdir();
  const file = join(dir, 'Custom');
  writeFileSync(file, tzif([[-21600, false, 'CST']], [], 'CST6'));
  const when = new Date(Date.UTC(2011, 0, 23, 16, 49, 20));
  t.equal(goLocalTimeString(when, goLocalZone({ TZ: '' })), '2011-01-23 16:49:20 +0000 UTC', "Apptainer's golden time, TZ=''");
  t.equal(goLocalTimeString(when, goLocalZone({ TZ: 'Nowhere/Atlantis' })), '2011-01-23 16:49:20 +0000 UTC', 'an unknown zone is UTC');
  t.equal(goLocalTimeString(when, goLocalZone({ TZ: file })), '2011-01-23 10:49:20 -0600 CST', 'an absolute TZif path');
  t.equal(goLocalTimeString(when, goLocalZone({ TZ: 'Custom', ZONEINFO: dir })), '2011-01-23 10:49:20 -0600 CST', '$ZONEINFO is searched first');
  t.match(goLocalTimeString(when, goLocalZone({})), /^2011-01-23 \d\d:\d\d:20 [+-]\d{4} \S+$/, 'TZ unset: /etc/localtime');
  t.end();
});
