import { slackCode } from '../text/sanitize.js';

// "2h", "30m", "1d", "1h30m", "90 min", "2 hours": how long a mute lasts.

const UNITS: Record<string, number> = {
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
};

export const MAX_MUTE_MS = 30 * 86_400_000;

export type DurationResult = { ok: true; ms: number } | { ok: false; error: string };

export function parseDuration(text: string, maxMs: number = MAX_MUTE_MS): DurationResult {
  const input = text.trim().toLowerCase();
  const usage = 'Type a number and a unit, e.g. `30m`, `2h`, `1d` or `1h30m`';
  const parts = [...input.matchAll(/(\d{1,6})\s*([a-z]+)/g)];
  const covered = parts.map((part) => part[0]).join('');
  if (input === '' || parts.length === 0 || covered !== input.replace(/\s+(?=\d)/g, '')) {
    return {
      ok: false,
      error: `${input === '' ? 'Nothing' : slackCode(input, 40)} is not a duration. ${usage}.`,
    };
  }
  let ms = 0;
  for (const [, amount, unit] of parts) {
    const size = UNITS[unit ?? ''];
    if (size === undefined) {
      return { ok: false, error: `${slackCode(unit ?? '', 20)} is not a unit I know. ${usage}.` };
    }
    ms += Number(amount) * size;
  }
  if (ms < 60_000) return { ok: false, error: `A mute lasts at least one minute. ${usage}.` };
  if (ms > maxMs) {
    return {
      ok: false,
      error: `A mute lasts at most ${Math.round(maxMs / 86_400_000)} days; to stop watching, unwatch the host.`,
    };
  }
  return { ok: true, ms };
}
