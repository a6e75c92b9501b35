import type { FleetCoordinator, PostDecision, PostedKey, PostIntent } from '../fleet/index.js';
import type { Logger } from '../log.js';
import type { AlertNotifier } from './alert-notifier.js';

/** What one watch's announcements in a tick share: where they go, and what they count and record. */
export interface LedgerPostContext {
  fleet: FleetCoordinator;
  notify: AlertNotifier;
  logger: Logger;
  counts: { delivered: number; deliveryFailures: number; adopted: number };
  /** Posts Slack accepted; recorded with the states that announce them. */
  accepted: PostedKey[];
  channel: string;
  host: string;
}

/**
 * Posts one announcement through the fleet's ledger: recorded before the chat is called and
 * completed with its ts. One posted already (by another replica, or an earlier tick) is adopted;
 * one whose answer was lost is looked up in the channel before it is posted again; one another
 * replica is posting now waits for the next tick. Null when it was not delivered (logged, retried
 * next tick).
 */
export async function postThroughLedger(
  context: LedgerPostContext,
  what: string,
  intent: PostIntent,
  threadTs: string | null,
  send: (key: string) => Promise<{ ts: string }>,
): Promise<{ ts: string } | null> {
  const { fleet, notify, logger, counts, accepted, channel, host } = context;
  const { key } = intent;
  const notDelivered = (why: string, error?: unknown): null => {
    counts.deliveryFailures += 1;
    logger.warn(`watch ${what} not delivered (${why}); retrying next tick`, { channel, host, key, error });
    return null;
  };
  let decision: PostDecision;
  try {
    decision = await fleet.posts.begin(intent);
  } catch (error) {
    return notDelivered('the fleet database failed', error);
  }
  if (decision.action === 'adopt') {
    counts.adopted += 1;
    logger.info(`watch ${what} was posted already; not posted again`, { channel, host, key });
    return { ts: decision.ts };
  }
  if (decision.action === 'busy') return notDelivered('another replica is posting it');
  const release = async (): Promise<void> => {
    try {
      await fleet.posts.release(key);
    } catch (error) {
      logger.error(`watch ${what} left pending in the fleet database`, { channel, host, key, error });
    }
  };
  if (decision.action === 'look-up' && notify.findPost) {
    let found: { ts: string } | null;
    try {
      found = await notify.findPost(channel, key, {
        since: decision.since,
        ...(threadTs ? { threadTs } : {}),
      });
    } catch (error) {
      await release();
      return notDelivered('an earlier attempt could not be looked up', error);
    }
    if (found !== null) {
      counts.adopted += 1;
      logger.info(`watch ${what} from an earlier attempt found in the channel; not posted again`, {
        channel,
        host,
        key,
        ts: found.ts,
      });
      accepted.push({ key, ts: found.ts });
      return found;
    }
  }
  let sent: { ts: string };
  try {
    sent = await send(key);
  } catch (error) {
    await release();
    return notDelivered('the chat refused or failed', error);
  }
  counts.delivered += 1;
  accepted.push({ key, ts: sent.ts });
  return sent;
}
