import type { TranscriptLine } from './transcript.js';

/**
 * Where a login or send session is, for someone watching it: nodemailer emits no step events, but
 * its transaction log (the transcript) shows every command as it is sent, every reply as it comes
 * and the connection events, so the step is read from there. The step named is the one waiting for
 * the server: the oldest command whose reply has not come yet. With PIPELINING, MAIL, RCPT and DATA
 * go out together, and the session is on MAIL until its reply comes, then RCPT, then DATA.
 *
 * With implicit TLS the handshake is part of `connect` (nodemailer reports the connection only once
 * it is encrypted); with STARTTLS it is `starttls`, from the command until the next EHLO.
 */
export const SESSION_STEPS = [
  'connect',
  'greeting',
  'ehlo',
  'starttls',
  'auth',
  'mail',
  'rcpt',
  'data',
] as const;
export type SessionStep = (typeof SESSION_STEPS)[number];

const COMMAND_STEPS: Record<string, SessionStep> = {
  EHLO: 'ehlo',
  HELO: 'ehlo',
  LHLO: 'ehlo',
  STARTTLS: 'starttls',
  AUTH: 'auth',
  MAIL: 'mail',
  RCPT: 'rcpt',
  DATA: 'data',
};

/**
 * The step a transcript line starts, or null for a line that starts none: a reply, an answer inside
 * AUTH (already redacted), QUIT, the message's end.
 */
export function sessionStepOf(line: TranscriptLine): SessionStep | null {
  if (line.direction === 'client') return COMMAND_STEPS[line.text.split(' ')[0]!.toUpperCase()] ?? null;
  // "Connection established to …", "Secure connection established to …": the greeting is awaited.
  if (line.direction === 'note' && /connection established to/i.test(line.text)) return 'greeting';
  return null;
}

/**
 * Calls onStep once as each step becomes the one waited for: `connect` at once, then as the
 * transcript goes (a second EHLO after STARTTLS is a step again). Returns the transcript hook, or
 * undefined when nobody listens.
 */
export function reportSteps(
  onStep: ((step: SessionStep) => void) | undefined,
): ((line: TranscriptLine) => void) | undefined {
  if (!onStep) return undefined;
  // One entry per request awaiting its reply (a command, or the greeting), in the order sent.
  const awaiting: SessionStep[] = [];
  let started: SessionStep = 'connect';
  let shown: SessionStep | null = null;
  const show = () => {
    const step = awaiting[0] ?? started;
    if (step === shown) return;
    shown = step;
    onStep(step);
  };
  show();
  return (line) => {
    if (line.direction === 'server') {
      awaiting.shift();
    } else {
      const step = sessionStepOf(line);
      if (step) started = step;
      // Every command gets a reply, a step's first or not (AUTH LOGIN's user name and password).
      if (line.direction === 'client' || step) awaiting.push(step ?? started);
    }
    show();
  };
}
