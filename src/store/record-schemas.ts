import { z } from 'zod';
import type { Incident } from '../watch-model/index.js';

// What host watches and domain watches both keep (times, names, an incident), checked one way: a
// leaf that schema.ts and domain-schema.ts import, so neither imports the other for it.

export const isoTime = z.iso.datetime({ offset: true });
export const nonEmpty = z.string().min(1);

/** An open incident: of a host watch, or of a domain watch (its host the domain). */
export const incidentSchema = z.object({
  channel: nonEmpty,
  host: nonEmpty,
  alertTs: nonEmpty,
  threadTs: nonEmpty,
  openedAt: isoTime,
  since: isoTime,
  lastReminderAt: isoTime.nullable(),
  status: z.enum(['open', 'resolving']),
  resolvedAt: isoTime.nullable(),
}) satisfies z.ZodType<Incident>;
