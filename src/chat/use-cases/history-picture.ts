import type { Logger } from '../../log.js';
import { formatDuration } from '../../render/alerts.js';
import { slackCode } from '../../text/sanitize.js';
import {
  buildTimeline,
  historyWindow,
  type TimelineModel,
  type TimelineRow,
} from '../../render/timeline-model.js';
import { svgToPng } from '../../render/timeline-png.js';
import { timelineModelSvg } from '../../render/timeline-svg.js';
import {
  pictureRefusedNote,
  timelineAltText,
  timelineComment,
  timelineTitle,
  withPictureNote,
} from '../../render/timeline-text.js';
import { renderWatchReply } from '../../render/watch-overview.js';
import { DEFAULT_HISTORY_LIMITS } from '../../watch-model/watch-store.js';
import type { AlertNotice, PortHistoryView, WatchReply } from '../../watch-model/index.js';
import type { Chat, ChatImage, Requester } from './chat.js';
import { errorCode } from './chat-error.js';
import { type CheckFlowDeps, tell } from './check-flow.js';
import { DAY_MS } from '../../util/time.js';

// `history host` as a picture, and the picture of the day in an incident thread when a port
// recovers. A picture is extra: when it cannot be drawn or posted the text history is given
// instead (with why, and which scope to add), and a recovery is announced all the same.

/** Slack's answers meaning the app may not upload files at all, whatever the channel. */
const UPLOAD_NOT_ALLOWED = new Set(['missing_scope', 'not_allowed_token_type']);

/**
 * The series of a history reply as timeline rows: one per port, or, for a watch from vantages, one
 * per port and vantage ("25 · aws-eu"), in the watch's order.
 */
export function timelineRows(ports: readonly PortHistoryView[]): TimelineRow[] {
  return ports.flatMap((port): TimelineRow[] =>
    port.vantages && port.vantages.length > 0
      ? port.vantages.map((series) => ({
          port: port.port,
          vantage: series.vantage,
          changes: series.changes ?? [],
          lastAt: series.lastAt ?? null,
        }))
      : [{ port: port.port, vantage: null, changes: port.changes, lastAt: port.lastAt ?? null }],
  );
}

/** The picture of a model, ready to post. */
export async function timelineImage(model: TimelineModel, comment: string): Promise<ChatImage> {
  const png = await svgToPng(timelineModelSvg(model));
  const slug =
    model.host
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, '-')
      .slice(0, 80) || 'host';
  return {
    png,
    filename: `smtp-check-${slug}.png`,
    title: timelineTitle(model),
    altText: timelineAltText(model),
    comment,
  };
}

export interface HistoryPictureDeps extends CheckFlowDeps {
  /** CHECK_TIMEZONE; UTC when unset. */
  timeZone?: string;
}

/**
 * Answers `history host`: the picture in the channel (or thread) with the facts as its comment
 * where the chat can post pictures, the text history to the requester otherwise. Never throws for
 * a picture that could not be drawn or posted.
 */
export async function answerHistory(
  deps: HistoryPictureDeps,
  requester: Requester,
  reply: WatchReply,
  threadTs?: string,
): Promise<void> {
  const upload = deps.chat.uploadImage?.bind(deps.chat);
  if (reply.kind !== 'history' || upload === undefined) {
    return tell(deps, requester, renderWatchReply(reply), threadTs);
  }
  const rows = timelineRows(reply.ports);
  const window = historyWindow(rows, reply.now, { maxMs: DEFAULT_HISTORY_LIMITS.maxAgeMs, minMs: DAY_MS });
  const model = buildTimeline({ host: reply.host, ...window, timeZone: deps.timeZone ?? 'UTC', rows });
  try {
    const image = await timelineImage(model, timelineComment(model));
    await upload(requester.channelId, image, threadTs ? { threadTs } : {});
  } catch (error) {
    const code = errorCode(error);
    const scopeMissing = UPLOAD_NOT_ALLOWED.has(code);
    deps.logger[scopeMissing ? 'warn' : 'error']('history picture not posted; answered with text', {
      code,
      error,
      channel: requester.channelId,
    });
    await tell(
      deps,
      requester,
      withPictureNote(renderWatchReply(reply), pictureRefusedNote(code, scopeMissing)),
      threadTs,
    );
  }
}

/** Where the notifier finds a watch's history, and the zone to draw it in. */
export interface RecoveryPictureSource {
  history(input: { channel: string; host: string }): Promise<{ reply: WatchReply }>;
  timeZone?: string;
  logger: Logger;
}

/**
 * After a recovery was posted in an incident thread: the picture of the day around the outage
 * ("blocked 2 h 14 min, here is the day"). Best effort: a failure is logged, never thrown, since
 * the recovery itself is already in the thread.
 */
export async function postRecoveryPicture(
  chat: Chat,
  source: RecoveryPictureSource,
  channel: string,
  threadTs: string,
  update: AlertNotice,
): Promise<void> {
  const recovered = update.events.flatMap((event) =>
    event.kind === 'recovered' && !event.firstTime ? [event] : [],
  );
  const upload = chat.uploadImage?.bind(chat);
  if (recovered.length === 0 || upload === undefined) return;
  try {
    const { reply } = await source.history({ channel, host: update.host });
    if (reply.kind !== 'history') return;
    const to = Date.parse(reply.now);
    const earliest = Math.min(...recovered.map((event) => Date.parse(event.blockedSince)));
    // The day, or from an hour before the outage when it lasted longer than that.
    const from = Math.max(to - DEFAULT_HISTORY_LIMITS.maxAgeMs, Math.min(to - DAY_MS, earliest - 3_600_000));
    const model = buildTimeline({
      host: reply.host,
      from: new Date(from).toISOString(),
      to: reply.now,
      timeZone: source.timeZone ?? 'UTC',
      rows: timelineRows(reply.ports),
    });
    const lead = recovered
      .map(
        (event) =>
          `Port *${event.port}* was blocked ${formatDuration(Date.parse(event.recoveredAt) - Date.parse(event.blockedSince))}; here is ${to - from > DAY_MS ? 'its outage' : 'the day'} on ${slackCode(update.host, 260)}.`,
      )
      .join('\n');
    await upload(channel, await timelineImage(model, timelineComment(model, lead)), { threadTs });
  } catch (error) {
    const code = errorCode(error);
    source.logger.warn(
      UPLOAD_NOT_ALLOWED.has(code)
        ? 'recovery picture not posted: the Slack app needs the files:write scope (reinstall it)'
        : 'recovery picture not posted',
      { code, error, channel, host: update.host },
    );
  }
}
