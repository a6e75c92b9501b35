import type { Finding, HostDiagnosis, Recommendation } from '../diagnose/types.js';
import type { PortClass } from '../probe/types.js';
import { slackCode, slackText } from '../text/sanitize.js';
import { type Block, context, section, type SlackMessage } from './slack-blocks.js';
import { classIcon, formatTime, securityLabel, userMention, verdictIcon } from './slack-format.js';
import { fitMessage } from './slack-limits.js';

// What a re-check tells the thread: only what moved since the previous result.

export interface PortState {
  class: PortClass;
  usable: boolean;
}

export interface PortChange {
  port: number;
  /** null: the port was not probed before. */
  before: PortState | null;
  /** null: the port was not probed this time. */
  after: PortState | null;
}

export interface DiagnosisChanges {
  ports: PortChange[];
  newFindings: Finding[];
  resolvedFindings: Finding[];
  /** Set when the recommended port or security changed. */
  recommendation: { before: Recommendation | null; after: Recommendation | null } | null;
}

const findingKey = (finding: Finding): string => `${finding.id}@${finding.port ?? 'host'}`;

function allFindings(diagnosis: HostDiagnosis): Finding[] {
  return [...diagnosis.findings, ...diagnosis.ports.flatMap((port) => port.findings)];
}

/** Pure comparison of two results for the same host. */
export function compareDiagnoses(previous: HostDiagnosis, current: HostDiagnosis): DiagnosisChanges {
  const before = new Map(previous.ports.map((port) => [port.port, port]));
  const after = new Map(current.ports.map((port) => [port.port, port]));
  const portNumbers = [...new Set([...before.keys(), ...after.keys()])];
  const ports: PortChange[] = [];
  for (const port of portNumbers) {
    const old = before.get(port);
    const now = after.get(port);
    if (old && now && old.class === now.class && old.usable === now.usable) continue;
    ports.push({
      port,
      before: old ? { class: old.class, usable: old.usable } : null,
      after: now ? { class: now.class, usable: now.usable } : null,
    });
  }
  const oldKeys = new Set(allFindings(previous).map(findingKey));
  const newKeys = new Set(allFindings(current).map(findingKey));
  const sameRecommendation =
    previous.recommendation?.port === current.recommendation?.port &&
    previous.recommendation?.security === current.recommendation?.security;
  return {
    ports,
    newFindings: allFindings(current).filter((finding) => !oldKeys.has(findingKey(finding))),
    resolvedFindings: allFindings(previous).filter((finding) => !newKeys.has(findingKey(finding))),
    recommendation: sameRecommendation
      ? null
      : { before: previous.recommendation, after: current.recommendation },
  };
}

export function hasChanges(changes: DiagnosisChanges): boolean {
  return (
    changes.ports.length > 0 ||
    changes.newFindings.length > 0 ||
    changes.resolvedFindings.length > 0 ||
    changes.recommendation !== null
  );
}

const stateText = (state: PortState | null): string =>
  state ? `${classIcon(state.class)} ${slackCode(state.class, 40)}` : '_not probed_';

const recommendationText = (recommendation: Recommendation | null): string =>
  recommendation ? `${recommendation.port} + ${securityLabel(recommendation.security)}` : 'none';

function findingLine(finding: Finding): string {
  const where = finding.port === null ? 'host' : `port ${finding.port}`;
  return `${slackCode(finding.id, 40)} on ${where} — ${slackText(finding.summary, 300)}`;
}

/** The thread reply that closes a re-check. */
export function renderChanges(previous: HostDiagnosis, current: HostDiagnosis, userId: string): SlackMessage {
  const changes = compareDiagnoses(previous, current);
  const head = `*Re-checked ${slackCode(current.host, 260)}* for ${userMention(userId)} — compared with ${formatTime(previous.checkedAt)}`;
  const verdict = `${verdictIcon(current.verdict.status)} ${slackText(current.verdict.summary, 600)}`;
  const blocks: Block[] = [section(`${head}\n${verdict}`)];
  if (!hasChanges(changes)) {
    blocks.push(section('Nothing changed: every port answered as before.'));
  } else {
    if (changes.ports.length > 0) {
      const lines = changes.ports.map(
        (change) => `• *${change.port}*: ${stateText(change.before)} → ${stateText(change.after)}`,
      );
      blocks.push(section(`*Ports*\n${lines.join('\n')}`));
    }
    if (changes.recommendation) {
      blocks.push(
        section(
          `*Recommendation* ${recommendationText(changes.recommendation.before)} → ${recommendationText(changes.recommendation.after)}`,
        ),
      );
    }
    if (changes.newFindings.length > 0) {
      blocks.push(section(`*New*\n${changes.newFindings.slice(0, 10).map(findingLine).join('\n')}`));
    }
    if (changes.resolvedFindings.length > 0) {
      blocks.push(
        section(`*Resolved*\n${changes.resolvedFindings.slice(0, 10).map(findingLine).join('\n')}`),
      );
    }
  }
  blocks.push(context('The message at the top of this thread now shows this result.'));
  const text = hasChanges(changes)
    ? `Re-checked ${slackCode(current.host, 260)}: ${changes.ports.length} port(s) changed`
    : `Re-checked ${slackCode(current.host, 260)}: nothing changed`;
  return fitMessage({ text, blocks });
}
