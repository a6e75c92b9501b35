import type { AuthReply } from '../diagnose/knowledge/auth-replies.js';
import { cleanText } from './describe-failure.js';

/** An SMTP reply as data: "535-5.7.8 Username and…\n535 5.7.8 https://…" → code 535, enhanced 5.7.8. */
export type SmtpReply = AuthReply;

/** Parses a reply nodemailer reported (`error.response`, `info.response`); null when it is not one. */
export function parseReply(raw: unknown, secretForms: readonly string[] = []): SmtpReply | null {
  if (typeof raw !== 'string') return null;
  const text = cleanText(raw, secretForms);
  const match = /^(\d{3})(?:[ -](\d\.\d{1,3}\.\d{1,3}))?/.exec(text);
  if (!match) return null;
  return { code: Number(match[1]), ...(match[2] ? { enhancedCode: match[2] } : {}), text };
}
