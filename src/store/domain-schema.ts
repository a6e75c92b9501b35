import { z } from 'zod';
import { SPF_RESULTS } from '../posture/types.js';
import {
  type DomainWatch,
  type DomainWatchState,
  POSTURE_ASPECTS,
  type PostureDegradation,
  type PostureSnapshot,
} from '../watch-model/domain-watch.js';
import { incidentSchema, isoTime, nonEmpty } from './record-schemas.js';

// What a domain watch's record holds, checked when the data file is loaded and when PostgreSQL's
// jsonb columns are read back: a snapshot that does not fit is refused where it is, instead of
// failing later in a comparison.

const dmarcPolicy = z.enum(['none', 'quarantine', 'reject']);
const transportSights = z.record(z.string(), z.enum(['good', 'bad', 'unknown']));

export const postureSnapshotSchema = z.object({
  checkedAt: isoTime,
  verdict: z.enum(['ok', 'warning', 'critical']),
  spf: z.object({ worstCase: z.enum(SPF_RESULTS), ending: z.string().nullable() }).nullable(),
  dmarc: z
    .object({ present: z.boolean(), policy: dmarcPolicy.nullable(), pct: z.number().min(0).max(100) })
    .nullable(),
  dkim: z.record(z.string(), z.enum(['found', 'revoked', 'missing'])),
  mx: z.object({ nullMx: z.boolean(), hosts: z.array(z.string()) }).nullable(),
  blocklists: transportSights.optional(),
  dane: transportSights.optional(),
  mtaSts: transportSights.optional(),
  mtaStsPolicy: z.object({ id: z.string(), policy: z.string() }).nullable().optional(),
}) satisfies z.ZodType<PostureSnapshot>;

export const postureDegradationSchema = z.object({
  id: nonEmpty,
  aspect: z.enum(POSTURE_ASPECTS),
  text: z.string(),
  before: z.string(),
  after: z.string(),
}) satisfies z.ZodType<PostureDegradation>;

export const domainWatchStateSchema = z.object({
  baseline: postureSnapshotSchema,
  last: postureSnapshotSchema,
  announced: z.array(postureDegradationSchema),
  degradedSince: isoTime.nullable(),
  incident: incidentSchema.nullable(),
}) satisfies z.ZodType<DomainWatchState>;

export const domainWatchSchema = z.object({
  channel: nonEmpty,
  domain: nonEmpty,
  selectors: z.array(nonEmpty),
  addedBy: z.string(),
  addedAt: isoTime,
  state: domainWatchStateSchema,
  mute: z.object({ until: isoTime, by: z.string() }).nullable(),
}) satisfies z.ZodType<DomainWatch>;
