/**
 * Go's `time.Time.String()` of a time in the local zone — "2019-11-15
 * 09:54:54 -0600 CST" — which Apptainer prints as a key's creation time.
 * The zone is taken as Go takes it: $TZ when set ("" means UTC, an unknown
 * zone falls back to UTC), else the system's zone. The abbreviation is ICU's
 * short name when it is a plain abbreviation (UTC, CST, PDT, …); otherwise
 * the numeric form tzdata uses for zones without one ("+01", "+0530"), which
 * can differ from Go's for zones such as Europe/Berlin (Go: "CET").
 */

/** The IANA zone Go would use for this environment, or undefined for the system zone. */
export function goTimeZone(env: NodeJS.ProcessEnv): string | undefined {
  const tz = env.TZ;
  if (tz === undefined) return undefined;
  const name = tz.replace(/^:/, '').replace(/^.*\/zoneinfo\//, '');
  if (name === '') return 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return name;
  } catch {
    return 'UTC';
  }
}

export function goLocalTimeString(date: Date, timeZone: string | undefined): string {
  const parts = partsIn(date, timeZone, 'longOffset');
  const offset = /GMT([+-])(\d{2}):(\d{2})/.exec(parts.timeZoneName ?? '');
  const [sign, hh, mm] = offset ? [offset[1]!, offset[2]!, offset[3]!] : ['+', '00', '00'];
  const short = partsIn(date, timeZone, 'short').timeZoneName ?? '';
  const abbreviation = /^[A-Z]{2,6}$/.test(short) ? short : `${sign}${hh}${mm === '00' ? '' : mm}`;
  const hour = parts.hour === '24' ? '00' : parts.hour;
  const clock = `${hour}:${parts.minute}:${parts.second}`;
  return `${parts.year}-${parts.month}-${parts.day} ${clock} ${sign}${hh}${mm} ${abbreviation}`;
}

function partsIn(date: Date, timeZone: string | undefined, timeZoneName: 'longOffset' | 'short'): Record<string, string> {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName,
  });
  const out: Record<string, string> = {};
  for (const p of format.formatToParts(date)) out[p.type] = p.value;
  out.year = (out.year ?? '').padStart(4, '0');
  return out;
}
