import t from 'tap';
import { normalizeFingerprint, parseFingerprintList, sameFingerprint } from './fingerprint.js';

const KEY1 = '0C5B8C9A5FFC44E2A0AC79851CD6FA281D476DD1';
const KEY2 = '78F8AD36B0DCB84B707F23853D608DAE21C8CA10';

type Ok = [input: string, want: string[]];
const ok: Ok[] = [
  [KEY1, [KEY1]],
  [KEY1.toLowerCase(), [KEY1]],
  [`${KEY1},${KEY2}`, [KEY1, KEY2]],
  [`  ${KEY1} ,\t${KEY2.toLowerCase()}  `, [KEY1, KEY2]],
  [`${KEY1},${KEY1.toLowerCase()}`, [KEY1]],
];
for (const [input, want] of ok) t.same(parseFingerprintList(input), want, `parses ${JSON.stringify(input)}`);

type Bad = [input: string, message: RegExp];
const bad: Bad[] = [
  ['', /^--fingerprints: no fingerprints given$/],
  ['   ', /no fingerprints given/],
  [`${KEY1},`, /empty fingerprint in list/],
  [`${KEY1},,${KEY2}`, /empty fingerprint in list/],
  ['1D476DD1', /fingerprint "1D476DD1" is 8 hex digits; a full 40-hex-digit fingerprint is required/],
  ['1CD6FA281D476DD1', /is 16 hex digits/],
  [`0x${KEY1}`, /must not start with 0x/],
  [`${KEY1}00`, /is not 40 hex digits/],
  [KEY1.replace('C', 'G'), /is not 40 hex digits/],
  [KEY1.slice(0, 20) + ' ' + KEY1.slice(20), /is not 40 hex digits/],
];
for (const [input, message] of bad) {
  t.throws(() => parseFingerprintList(input), { code: 'SIF_USAGE', message }, `rejects ${JSON.stringify(input)}`);
}

t.throws(() => normalizeFingerprint('abc', 'ecl keyfp'), { message: /^ecl keyfp: fingerprint "abc" is 3 hex digits/ });
t.ok(sameFingerprint(KEY1, KEY1.toLowerCase()));
t.notOk(sameFingerprint(KEY1, KEY2));
