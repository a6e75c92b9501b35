import { z } from 'zod';
import { VANTAGE_NAME_PATTERN } from '../diagnose/vantage-types.js';
import { PORT_CLASSES, STAGES } from '../probe/types.js';

// What crosses the queue, checked on arrival. A worker runs in someone else's network: what it
// sends back is facts for the bot to judge, never text the bot trusts. Every field is bounded
// (lengths as the probe itself caps them) and every class and stage must be one the bot knows,
// so a worker cannot smuggle a verdict, a Slack mention or a huge payload into a message.

const MAX_TEXT = 70_000;
const text = z.string().max(MAX_TEXT);
const shortText = z.string().max(1_000);
const isoTime = z.iso.datetime({ offset: true });
const portNumber = z.number().int().min(1).max(65_535);
const probeMode = z.enum(['implicit-tls', 'starttls']);
const ms = z.number().min(0).max(3_600_000);

const failureSchema = z.object({
  stage: z.enum(STAGES),
  kind: z.enum([
    'timeout',
    'refused',
    'unreachable',
    'reset',
    'closed',
    'tls-alert',
    'tls-error',
    'smtp-reply',
    'not-smtp',
    'oversized',
    'dns',
    'policy',
    'other',
  ]),
  code: shortText.optional(),
  replyCode: z.number().int().min(100).max(999).optional(),
  tlsAlert: z.number().int().min(0).max(255).optional(),
  message: text,
  firstBytes: shortText.optional(),
  query: shortText.optional(),
  resolver: z.object({ servers: z.array(shortText).max(16), system: z.boolean() }).optional(),
});

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const sha512Hex = z.string().regex(/^[0-9a-f]{128}$/);
const certificateDigestsSchema = z.object({
  certSha256: sha256Hex,
  certSha512: sha512Hex,
  spkiSha256: sha256Hex,
  spkiSha512: sha512Hex,
});

const certificateSchema = z.object({
  subject: text,
  subjectAltNames: z.array(shortText).max(2_000),
  issuer: text,
  validFrom: shortText,
  validTo: shortText,
  // NaN (an unreadable date) arrives as null through JSON.
  daysLeft: z
    .number()
    .nullable()
    .transform((days) => days ?? Number.NaN),
  selfSigned: z.boolean(),
  trusted: z.boolean(),
  verifyError: shortText.nullable(),
  hostnameMatches: z.boolean(),
  fingerprint256: shortText,
  chainLength: z.number().int().min(0).max(100),
  chain: z.array(certificateDigestsSchema).max(20).optional(),
});

const portSchema = z.object({
  port: portNumber,
  mode: probeMode,
  observedMode: probeMode.nullable(),
  class: z.enum(PORT_CLASSES),
  address: shortText.nullable(),
  timings: z.partialRecord(z.enum(STAGES), ms),
  durationMs: ms,
  greeting: text.nullable(),
  greetingCode: z.number().int().min(0).max(999).nullable(),
  ehlo: z.array(text).max(200),
  ehloBeforeTls: z.array(text).max(200),
  heloFallback: z.boolean(),
  auth: z.object({ beforeTls: z.array(shortText).max(50), afterTls: z.array(shortText).max(50) }),
  sizeLimit: z.number().min(0).nullable(),
  tls: z
    .object({
      protocol: shortText.nullable(),
      cipher: shortText.nullable(),
      servername: shortText.nullable(),
    })
    .nullable(),
  certificate: certificateSchema.nullable(),
  failure: failureSchema.nullable(),
  truncated: z.boolean(),
  firstAttempt: z.object({ mode: probeMode, failure: failureSchema }).nullable(),
  attempts: z
    .array(
      z.object({ address: shortText, class: z.enum(PORT_CLASSES), ms, failure: failureSchema.nullable() }),
    )
    .max(16)
    .optional(),
});

/** A HostProbe as a worker sends it. */
export const hostProbeSchema = z.object({
  target: shortText,
  host: shortText,
  mx: z
    .object({
      hosts: z
        .array(z.object({ exchange: shortText, priority: z.number().int().min(0).max(65_535) }))
        .max(50),
      reason: z.enum(['no-address', 'forced']),
      implicit: z.boolean().optional(),
    })
    .nullable(),
  addresses: z.array(shortText).max(64),
  checkedAt: isoTime,
  durationMs: ms,
  ports: z.array(portSchema).max(32),
  resolveFailure: failureSchema.nullable(),
});

const vantageName = z.string().regex(VANTAGE_NAME_PATTERN);

/** What the bot asks a worker to probe: the plan is the bot's, so every vantage probes the same. */
export const probeJobSchema = z.object({
  checkId: z.uuid(),
  vantage: vantageName,
  target: shortText,
  ports: z.array(portNumber).min(1).max(32),
  implicitTlsPorts: z.array(portNumber).max(32),
  mx: z.enum(['auto', 'force']),
  timeoutMs: z.number().int().min(1).max(600_000).optional(),
  /**
   * How long the bot waits for the answer, counted from the job's creation on the database's
   * clock: the database hands a worker what is left of it, and drops a job nobody waits for.
   */
  budgetMs: z.number().int().min(1).max(600_000),
});
export type ProbeJob = z.infer<typeof probeJobSchema>;

/** A worker's answer to one job. */
export const vantageAnswerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('answered'), probe: hostProbeSchema, version: shortText }),
  z.object({ kind: z.literal('refused'), reason: shortText, version: shortText }),
  z.object({ kind: z.literal('failed'), error: shortText, version: shortText }),
]);
export type VantageAnswer = z.input<typeof vantageAnswerSchema>;
