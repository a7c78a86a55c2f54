/**
 * Go's `time.Time.String()` of a time in the local zone — "2019-11-15
 * 09:54:54 -0600 CST" — which Apptainer prints as a key's creation time.
 * The zone is found as Go's time package finds it: $TZ when set ("" or an
 * unreadable zone mean UTC), else /etc/localtime, else UTC; offsets and
 * abbreviations come from that TZif file, as Go reads them.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { zoneAt } from './tzif.js';

export interface GoZone {
  /** The IANA name for ICU (undefined: the system zone), used to evaluate a zone's DST rule. */
  readonly intlName: string | undefined;
  /** TZif data; undefined means UTC. */
  readonly tzif: Uint8Array | undefined;
}

const UTC: GoZone = { intlName: 'UTC', tzif: undefined };

/** Go's zoneinfo directories, in its search order ($ZONEINFO first). */
const zoneDirs = (env: NodeJS.ProcessEnv) => [env.ZONEINFO, '/usr/share/zoneinfo', '/usr/share/lib/zoneinfo', '/usr/lib/locale/TZ', '/etc/zoneinfo'];

const readZone = (path: string): Uint8Array | undefined => {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
};

/** The zone Go's `time.Local` is in this environment. */
export function goLocalZone(env: NodeJS.ProcessEnv): GoZone {
  if (env.TZ === undefined) {
    const tzif = readZone('/etc/localtime');
    return tzif ? { intlName: undefined, tzif } : UTC;
  }
  const name = env.TZ.replace(/^:/, '');
  if (name === '' || name === 'UTC') return UTC;
  const candidates = isAbsolute(name) ? [name] : zoneDirs(env).flatMap((dir) => (dir ? [join(dir, name)] : []));
  const tzif = candidates.map(readZone).find((data) => data !== undefined);
  if (!tzif) return UTC;
  return { intlName: intlName(name.replace(/^.*\/zoneinfo\//, '')), tzif };
}

function intlName(name: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return name;
  } catch {
    return undefined;
  }
}

/** The offset ICU computes for `date` in the zone, in seconds east of UTC. */
function intlOffsetSeconds(date: Date, timeZone: string | undefined): number {
  const text = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(date).find((p) => p.type === 'timeZoneName')?.value ?? '';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(text);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60) : 0;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export function goLocalTimeString(date: Date, zone: GoZone): string {
  const seconds = Math.floor(date.getTime() / 1000);
  const info = zone.tzif ? zoneAt(zone.tzif, seconds, () => intlOffsetSeconds(date, zone.intlName)) : undefined;
  const { abbreviation, offsetSeconds } = info ?? { abbreviation: 'UTC', offsetSeconds: 0 };
  const wall = new Date((seconds + offsetSeconds) * 1000);
  const day = `${pad(wall.getUTCFullYear(), 4)}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}`;
  const clock = `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}`;
  const minutes = Math.trunc(Math.abs(offsetSeconds) / 60);
  const offset = `${offsetSeconds < 0 ? '-' : '+'}${pad(Math.trunc(minutes / 60))}${pad(minutes % 60)}`;
  return `${day} ${clock} ${offset} ${abbreviation}`;
}
