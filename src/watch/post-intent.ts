import { createHash } from 'node:crypto';
import type { HostDiagnosis } from '../diagnose/types.js';
import type { PostIntent, PostKind } from '../fleet/index.js';
import type { AlertEvent } from './alert-state.js';
import type { Incident } from '../watch-model/types.js';

/** The ledger's name of an announcement: the same whichever replica or tick raises it. */
export function postIntentOf(
  channel: string,
  host: string,
  events: AlertEvent[],
  diagnosis: HostDiagnosis,
  incident: Incident | null,
  resolved: boolean,
): PostIntent {
  const eventKey = (event: AlertEvent): string => {
    switch (event.kind) {
      case 'became-blocked':
        return `${event.port}:blocked:${event.since}`;
      case 'still-blocked':
        return `${event.port}:still:${event.since}`;
      case 'recovered':
        return `${event.port}:recovered:${event.blockedSince}`;
      case 'cert-expiring': {
        // The certificate's end tells a renewed certificate from the one announced before.
        const validTo = diagnosis.ports.find((port) => port.port === event.port)?.certificate?.validTo;
        return `${event.port}:cert:${event.band}:${validTo ?? ''}`;
      }
      default:
        return event satisfies never;
    }
  };
  const eventsKey = events.map(eventKey).sort().join(',');
  let kind: PostKind;
  let slot: string;
  if (incident === null) {
    const blockedSince = events
      .flatMap((event) => (event.kind === 'became-blocked' ? [event.since] : []))
      .sort()[0];
    // An outage opens one incident, whichever ports join it before the alert gets through.
    [kind, slot] = blockedSince !== undefined ? ['alert', blockedSince] : ['notice', eventsKey];
  } else if (resolved) {
    [kind, slot] = ['recovery', incident.threadTs];
  } else if (events.every((event) => event.kind === 'still-blocked')) {
    // A reminder's slot is the one before it: the same until a reminder is delivered.
    [kind, slot] = ['reminder', `${incident.threadTs}@${incident.lastReminderAt ?? incident.openedAt}`];
  } else {
    [kind, slot] = ['update', `${incident.threadTs}:${eventsKey}`];
  }
  const key = createHash('sha256')
    .update([channel, host, kind, slot].join('\n'))
    .digest('base64url')
    .slice(0, 24);
  return { channel, host, kind, slot, key };
}
