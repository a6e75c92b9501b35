import type { HostDiagnosis, MxDane, MxMtaSts, MxTransport } from '../diagnose/types.js';
import { assertNever } from '../util/assert-never.js';

// What an MX check says about each MX host's MTA-STS coverage and DANE match, in the words the
// terminal and Slack share. Only the quoting differs: each surface passes its own for the text
// that came from the network (policy patterns, problems).

/** `ok`: senders that check will deliver; `critical`: some will not; `warning`: worth a look. */
export type Tone = 'ok' | 'info' | 'warning' | 'critical';

export interface Phrase {
  text: string;
  tone: Tone;
}

/** Makes untrusted text safe for the surface (escaped, capped, in a code span for Slack). */
export type Quote = (untrusted: string) => string;

const COMPLIANT_STOP = 'compliant senders will not deliver';
const DANE_STOP = 'DANE senders will not deliver';

function certificateWords(certificate: MxMtaSts['certificate']): string | null {
  switch (certificate) {
    case 'valid':
    case 'not-probed':
      return null;
    case 'name-mismatch':
      return 'the certificate does not name this host';
    case 'untrusted':
      return 'the certificate is not trusted';
    case 'expired':
      return 'the certificate has expired';
    case 'no-tls':
      return 'no STARTTLS';
    default:
      return assertNever(certificate);
  }
}

/** Why a host's certificate is not judged: its port 25 was probed without one, or not probed. */
function unseenBecause(host: MxTransport): string {
  if (host.port !== null) return 'no certificate was seen from here';
  return host.probed ? 'port 25 was not probed' : 'this host was not probed';
}

/** MTA-STS for one host; `seen`: its port-25 certificate was judged (the probed host). */
function mtaStsPhrase(mtaSts: MxMtaSts | null, seen: boolean, quote: Quote): Phrase {
  if (mtaSts === null) return { text: 'MTA-STS: no policy', tone: 'info' };
  if (mtaSts.mode === null) {
    const why = mtaSts.problem !== undefined ? ` (${quote(mtaSts.problem)})` : '';
    return { text: `MTA-STS: policy not usable${why}: senders apply none`, tone: 'warning' };
  }
  if (mtaSts.mode === 'none') return { text: 'MTA-STS: mode none (no policy in force)', tone: 'info' };
  const consequence = mtaSts.mode === 'enforce' ? COMPLIANT_STOP : 'senders report it and still deliver';
  const tone: Tone = mtaSts.mode === 'enforce' ? 'critical' : 'warning';
  if (mtaSts.pattern === null) {
    return { text: `MTA-STS: not covered (${mtaSts.mode}): ${consequence}`, tone };
  }
  const covered = `MTA-STS: covered (${mtaSts.mode}, ${quote(mtaSts.pattern)})`;
  const problem = certificateWords(mtaSts.certificate);
  if (problem !== null) return { text: `${covered}, but ${problem}: ${consequence}`, tone };
  if (seen && mtaSts.certificate === 'not-probed') {
    return { text: `${covered}; its certificate was not seen from here`, tone: 'info' };
  }
  return { text: covered, tone: mtaSts.mode === 'enforce' ? 'ok' : 'info' };
}

/** `3 1 1, 2 1 1`: each kind of record once. */
function recordKinds(dane: MxDane): string {
  return [...new Set(dane.records)].join(', ');
}

function danePhrase(dane: MxDane | null, unseen: string): Phrase {
  if (dane === null) return { text: 'DANE: no TLSA record', tone: 'info' };
  const kinds = recordKinds(dane);
  switch (dane.dnssec) {
    case 'insecure':
      return { text: `DANE: TLSA ${kinds} not in effect (zone not signed)`, tone: 'warning' };
    case 'bogus':
      return { text: `DANE: TLSA ${kinds} fails DNSSEC validation: ${DANE_STOP}`, tone: 'critical' };
    case 'secure':
      break;
    default:
      return assertNever(dane.dnssec);
  }
  if (dane.usable === 0) {
    return {
      text: `DANE: no usable TLSA record (${kinds}): senders fall back to unauthenticated TLS`,
      tone: 'warning',
    };
  }
  if (dane.starttlsRefused) {
    return { text: `DANE: TLSA ${kinds}, but no STARTTLS: ${DANE_STOP}`, tone: 'critical' };
  }
  if (dane.matched === true) return { text: `DANE: matches ${dane.by ?? kinds}`, tone: 'ok' };
  if (dane.matched === false) return { text: `DANE: no match (${kinds}): ${DANE_STOP}`, tone: 'critical' };
  return { text: `DANE: TLSA ${kinds} (DNSSEC secure), not matched: ${unseen}`, tone: 'info' };
}

/** MTA-STS, then DANE, for one host; a part that could not be learnt is left out. */
export function transportPhrases(host: MxTransport, quote: Quote): Phrase[] {
  const seen = host.port !== null;
  const phrases: Phrase[] = [];
  if (host.mtaSts !== undefined) phrases.push(mtaStsPhrase(host.mtaSts, seen, quote));
  if (host.dane !== undefined) phrases.push(danePhrase(host.dane, unseenBecause(host)));
  return phrases;
}

/** The host whose port line carries its phrases: the probed one, when its port was probed. */
export function portLineHost(diagnosis: HostDiagnosis): MxTransport | undefined {
  return diagnosis.mxTransport?.find(
    (host) => host.probed && host.port !== null && diagnosis.ports.some((port) => port.port === host.port),
  );
}

/** The hosts said under the MX list: every one not already on a port line. */
export function listedHosts(diagnosis: HostDiagnosis): MxTransport[] {
  const onPortLine = portLineHost(diagnosis);
  return (diagnosis.mxTransport ?? []).filter(
    (host) => host !== onPortLine && transportPhrases(host, (text) => text).length > 0,
  );
}
