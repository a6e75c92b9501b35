import { plural } from '../text/plural.js';
import { cleanText, escapeMrkdwn, slackCode, slackText } from '../text/sanitize.js';
import { SLASH_COMMAND } from '../text/slash-command.js';
import type {
  DomainAlertNotice,
  DomainResolvedNotice,
  DomainWatchView,
  PostureSnapshot,
} from '../watch-model/index.js';
import { formatDuration } from './alerts.js';
import { type Block, context, header, section, type SlackMessage } from './slack-blocks.js';
import { formatTime, userMention } from './slack-format.js';
import { fitMessage } from './slack-limits.js';

// A watched domain's messages: the alert that opens its incident, what follows in the thread, the
// alert marked resolved, the answer to `watch domain` and its line in a list. Pure. Degradation
// words hold DNS text (an SPF redirect's target), so every one is escaped here.

const VERDICT_ICON: Record<PostureSnapshot['verdict'], string> = { ok: '🟢', warning: '🟡', critical: '🔴' };
const domainCode = (domain: string): string => slackCode(domain, 260);
/** Inside a code span already: slackText would open a span of its own around the domain. */
const inCode = (text: string): string => escapeMrkdwn(cleanText(text, 260).replace(/`/g, "'"));
const between = (from: string, to: string): number => Date.parse(to) - Date.parse(from);

/** What a watch follows, in one sentence: "SPF ends in -all, DMARC p=reject, DKIM google, 2 MX hosts". */
export function postureSentence(snapshot: PostureSnapshot): string {
  const { spf, dmarc, mx } = snapshot;
  const parts = [
    spf === null
      ? 'SPF unknown (DNS did not answer)'
      : spf.worstCase === 'permerror'
        ? 'SPF fails with a permerror'
        : spf.ending === null
          ? 'SPF without an all'
          : `SPF ends in ${spf.ending}`,
    dmarc === null
      ? 'DMARC unknown (DNS did not answer)'
      : !dmarc.present
        ? 'no DMARC record'
        : `DMARC p=${dmarc.policy ?? '(none valid)'}${dmarc.pct < 100 ? ` pct=${dmarc.pct}` : ''}`,
  ];
  const keys = Object.entries(snapshot.dkim)
    .filter(([, sight]) => sight === 'found')
    .map(([selector]) => selector)
    .sort();
  parts.push(keys.length > 0 ? `DKIM ${keys.join(', ')}` : 'no DKIM key found');
  parts.push(
    mx === null
      ? 'MX unknown (DNS did not answer)'
      : mx.nullMx
        ? 'null MX'
        : mx.hosts.length === 0
          ? 'no MX (mail goes to the domain’s address)'
          : plural(mx.hosts.length, 'MX host'),
  );
  return slackText(parts.join(', '), 1_000);
}

function degradationLines(notice: DomainAlertNotice): string[] {
  return notice.worse.map((d) => `🔻 ${slackText(d.text, 300)}`);
}

function recoveryLines(notice: DomainAlertNotice): string[] {
  return notice.recovered.map((r) => `✅ ${slackText(r.text, 300)}`);
}

function adviceSection(notice: DomainAlertNotice): Block | null {
  if (notice.advice.length === 0) return null;
  return section(`*What to do*\n${notice.advice.map((line) => `• ${slackText(line, 400)}`).join('\n')}`);
}

function title(notice: DomainAlertNotice): string {
  const first = notice.worse[0];
  const more = notice.worse.length > 1 ? ` (+${notice.worse.length - 1} more)` : '';
  return cleanText(`🚨 ${notice.domain}: ${first ? first.text : 'posture got worse'}${more}`, 150);
}

/** The top-level alert that opens a domain's incident. */
export function renderDomainAlert(notice: DomainAlertNotice): SlackMessage {
  const lines = degradationLines(notice);
  const intro = `The posture of ${domainCode(notice.domain)} got worse than its baseline:`;
  const blocks: Block[] = [header(title(notice)), section(`${intro}\n${lines.join('\n')}`)];
  const advice = adviceSection(notice);
  if (advice) blocks.push(advice);
  blocks.push(
    context(
      `Updates follow in this thread · if the change was meant, accept it as the new baseline with \`${SLASH_COMMAND} watch domain ${inCode(notice.domain)}\` · silence with \`${SLASH_COMMAND} mute domain ${inCode(notice.domain)} 2h\``,
    ),
  );
  const text = [
    slackText(title(notice), 200),
    ...lines,
    ...notice.advice.map((a) => `What to do: ${slackText(a, 400)}`),
  ];
  return fitMessage({ text: text.join('\n'), blocks });
}

/** A reply in the domain's incident thread: further degradations, what came back, the recovery. */
export function renderDomainIncidentUpdate(notice: DomainAlertNotice): SlackMessage {
  const lines = [...degradationLines(notice), ...recoveryLines(notice)];
  if (notice.resolved) {
    lines.push(
      `✅ *${domainCode(notice.domain)} is back to its baseline.* The incident lasted ${formatDuration(between(notice.resolved.since, notice.resolved.at))}.`,
    );
  } else if (notice.degradations.length > 0) {
    lines.push(
      `Still worse than the baseline: ${notice.degradations.map((d) => slackText(d.text, 200)).join('; ')}`,
    );
  }
  const blocks: Block[] = [section(lines.join('\n'))];
  const advice = notice.resolved ? null : adviceSection(notice);
  if (advice) blocks.push(advice);
  return fitMessage({ text: lines.join('\n'), blocks });
}

/** The domain's alert once the incident is over (chat.update replaces the whole alert). */
export function renderDomainResolvedAlert(resolved: DomainResolvedNotice): SlackMessage {
  const took = formatDuration(between(resolved.since, resolved.resolvedAt));
  const line = `✅ *Resolved* — ${domainCode(resolved.domain)} was worse than its baseline for ${took}, from ${formatTime(resolved.since)} to ${formatTime(resolved.resolvedAt)}.`;
  const blocks: Block[] = [
    header(`✅ Resolved: ${resolved.domain.slice(0, 100)} (${took})`),
    section(line),
    context('The thread has the full story.'),
  ];
  return fitMessage({ text: line, blocks });
}

/** The answer to `watch domain`: the baseline in a sentence and what is watched. */
export function renderDomainWatchConfirmation(input: {
  watch: DomainWatchView;
  updated: boolean;
}): SlackMessage {
  const { watch, updated } = input;
  const { baseline } = watch;
  const verdict = `${VERDICT_ICON[baseline.verdict]} ${baseline.verdict}`;
  const line = updated
    ? `👀 The baseline of ${domainCode(watch.domain)} is now what DNS says today (${verdict}): ${postureSentence(baseline)}.`
    : `👀 Watching the domain ${domainCode(watch.domain)} for ${userMention(watch.addedBy)} (${verdict}): ${postureSentence(baseline)}.`;
  const promise =
    'I re-check it on the schedule and post here if it gets worse: SPF turning into a permerror or losing its all, DMARC removed or weakened, a DKIM key revoked or gone, the MX records gone, a new blocklist listing, an MX host whose certificate no longer matches its DANE records or that MTA-STS no longer covers, an MTA-STS policy changed without a new id.';
  return fitMessage({ text: `${line} ${promise}`, blocks: [section(line), context(promise)] });
}

/** One domain watch in a list. */
export function domainWatchSummary(watch: DomainWatchView, now: string): string {
  const muted =
    watch.mutedUntil && watch.mutedUntil > now ? ` · 🔕 muted until ${formatTime(watch.mutedUntil)}` : '';
  const incident = watch.incidentSince ? ` · 🚨 incident since ${formatTime(watch.incidentSince)}` : '';
  const state =
    watch.degradations.length === 0
      ? `🟢 as its baseline: ${postureSentence(watch.last)}`
      : `🔴 ${watch.degradations.map((d) => slackText(d.text, 200)).join('; ')}`;
  return `domain ${domainCode(watch.domain)}${incident}${muted}\n${state}`;
}
