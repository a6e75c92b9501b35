// Times as a person in CHECK_TIMEZONE reads them ("3 May 14:02"), and the axis ticks of a time
// line at whole local hours or midnights. Intl does the zone arithmetic; a formatter is built once
// per zone, since building one costs far more than using it.

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export interface LocalTime {
  year: number;
  /** 1…12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
}

export function localTime(time: number, timeZone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const part of partsFormatter(timeZone).formatToParts(new Date(time))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts['year'] ?? 1970,
    month: parts['month'] ?? 1,
    day: parts['day'] ?? 1,
    hour: (parts['hour'] ?? 0) % 24,
    minute: parts['minute'] ?? 0,
  };
}

/** The zone's offset from UTC at that instant, in milliseconds (Paris in summer: +7 200 000). */
export function zoneOffsetMs(time: number, timeZone: string): number {
  const local = localTime(time, timeZone);
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  return asUtc - Math.floor(time / 60_000) * 60_000;
}

/** The instant a local wall-clock time happens (the later offset wins around a DST change). */
function instantOf(year: number, month: number, day: number, hour: number, timeZone: string): number {
  const asUtc = Date.UTC(year, month - 1, day, hour);
  const guess = asUtc - zoneOffsetMs(asUtc, timeZone);
  return asUtc - zoneOffsetMs(guess, timeZone);
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** "3 May 14:02" in the zone. */
export function formatLocal(time: number, timeZone: string): string {
  const t = localTime(time, timeZone);
  return `${t.day} ${MONTHS[t.month - 1]} ${pad(t.hour)}:${pad(t.minute)}`;
}

/** "3 May" in the zone. */
export function formatLocalDay(time: number, timeZone: string): string {
  const t = localTime(time, timeZone);
  return `${t.day} ${MONTHS[t.month - 1]}`;
}

export interface Tick {
  time: number;
  label: string;
}

const HOUR_STEPS = [1, 2, 3, 6, 12];
const DAY_STEPS = [1, 2, 7, 14];

/**
 * Axis ticks between from and to, at most about maxTicks: whole local hours (labelled "14:00",
 * midnight by its day) for short windows, local midnights (labelled "3 May") for long ones.
 */
export function axisTicks(from: number, to: number, timeZone: string, maxTicks = 6): Tick[] {
  const hours = (to - from) / 3_600_000;
  const hourStep = HOUR_STEPS.find((step) => hours / step <= maxTicks);
  const ticks: Tick[] = [];
  if (hourStep !== undefined) {
    const start = localTime(from, timeZone);
    // Walk local days and hours; at most two days of them for these steps.
    for (let day = -1; day <= Math.ceil(hours / 24) + 1; day += 1) {
      for (let hour = 0; hour < 24; hour += hourStep) {
        const time = instantOf(start.year, start.month, start.day + day, hour, timeZone);
        if (time < from || time > to) continue;
        const local = localTime(time, timeZone);
        const label = local.hour === 0 ? formatLocalDay(time, timeZone) : `${pad(local.hour)}:00`;
        ticks.push({ time, label });
      }
    }
  } else {
    const days = hours / 24;
    const dayStep = DAY_STEPS.find((step) => days / step <= maxTicks) ?? Math.ceil(days / maxTicks);
    const start = localTime(from, timeZone);
    for (let day = 0; day <= Math.ceil(days) + 1; day += dayStep) {
      const time = instantOf(start.year, start.month, start.day + 1 + day, 0, timeZone);
      if (time < from || time > to) continue;
      ticks.push({ time, label: formatLocalDay(time, timeZone) });
    }
  }
  return [...new Map(ticks.map((tick) => [tick.time, tick])).values()].sort((a, b) => a.time - b.time);
}
