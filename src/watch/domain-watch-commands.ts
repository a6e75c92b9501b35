import { parseDomainName, parseDomainWords } from '../check/index.js';
import { slackCode, slackText } from '../text/sanitize.js';
import { SLASH_COMMAND } from '../text/slash-command.js';
import type { DomainWatch, DomainWatchView } from '../watch-model/domain-watch.js';
import type { WatchReply } from '../watch-model/types.js';
import { postureDegradations } from './compare-posture.js';
import type { WatchCommandDeps } from './deps.js';
import { parseDuration } from './parse-duration.js';
import { postureSnapshotOf } from './posture-snapshot.js';

// `watch domain example.com [selector s1,s2]`, `unwatch domain …`, `mute domain … 2h`: what a
// person typed in, a WatchReply out, a mistake as { ok: false } saying what to type. The baseline
// is a domain report taken now; watching the domain again accepts its posture as the new baseline.

type Result<T = object> =
  | ({ ok: true; reply: WatchReply } & T)
  | { ok: false; error: string; reply: WatchReply };
type Failure = { ok: false; error: string; reply: WatchReply };

const failure = (error: string): Failure => ({ ok: false, error, reply: { kind: 'refused', error } });
const domainCode = (domain: string): string => slackCode(domain, 260);

export function domainWatchView(watch: DomainWatch): DomainWatchView {
  const { baseline, last, incident } = watch.state;
  return {
    channel: watch.channel,
    domain: watch.domain,
    addedBy: watch.addedBy,
    addedAt: watch.addedAt,
    baseline,
    last,
    degradations: postureDegradations(baseline, last),
    mutedUntil: watch.mute?.until ?? null,
    incidentSince: incident?.since ?? null,
  };
}

export function createDomainWatchCommands(deps: WatchCommandDeps, denied: (user: string) => string | null) {
  const { store, logger } = deps;
  const at = (): string => deps.now().toISOString();
  const readDomain = (raw: string): { domain: string } | { error: string } => {
    const parsed = parseDomainName(raw);
    return 'error' in parsed ? { error: `${slackText(parsed.error, 400)}.` } : parsed;
  };
  const notWatched = (domain: string): Failure =>
    failure(
      `The domain ${domainCode(domain)} is not watched in this channel. Type \`${SLASH_COMMAND} list\` to see what is.`,
    );

  return {
    /** Takes a domain report now as the baseline and watches the domain in the channel. */
    async addDomainWatch(input: {
      channel: string;
      user: string;
      words: string[];
    }): Promise<Result<{ watch: DomainWatch }>> {
      const refused = denied(input.user);
      if (refused) return failure(refused);
      const parsed = parseDomainWords(input.words);
      if ('error' in parsed) return failure(`${slackText(parsed.error, 400)}.`);
      const { domain, selectors, ip } = parsed.request;
      if (ip !== undefined) {
        return failure(
          `A domain watch re-checks the domain’s DNS; \`ip\` is for a one-off report (\`${SLASH_COMMAND} domain ${domain} ip ${ip}\`).`,
        );
      }
      const checkDomain = deps.checkDomain;
      if (checkDomain === undefined) {
        return failure('Domain watches need the domain report, and this bot runs without it.');
      }
      const existing = await store.getDomainWatch(input.channel, domain);
      const limit = deps.maxWatchesPerChannel ?? 200;
      if (!existing && (await store.listDomainWatches({ channel: input.channel })).length >= limit) {
        return failure(
          `This channel already watches ${limit} domains. Unwatch one first (\`${SLASH_COMMAND} list\`).`,
        );
      }
      const wanted = [...new Set([...(existing?.selectors ?? []), ...selectors])];
      const report = await checkDomain({ domain, selectors: wanted });
      const baseline = postureSnapshotOf(report);
      if (baseline.spf === null && baseline.dmarc === null && baseline.mx === null) {
        return failure(
          `DNS did not answer for ${domainCode(domain)} just now, so there is no baseline to watch from. Try again in a minute.`,
        );
      }
      const checkedAt = at();
      const watch: DomainWatch = {
        channel: input.channel,
        domain,
        selectors: wanted,
        addedBy: existing?.addedBy ?? input.user,
        addedAt: existing?.addedAt ?? checkedAt,
        // Watching again accepts what DNS says now; an open incident stays, and the next tick
        // says in its thread that what it was about cleared against the new baseline.
        state: {
          baseline,
          last: baseline,
          announced: existing?.state.announced ?? [],
          degradedSince: null,
          incident: existing?.state.incident ?? null,
        },
        mute: null,
      };
      await store.saveDomainWatch(watch);
      logger.info(existing ? 'domain watch baseline accepted' : 'domain watch added', {
        channel: input.channel,
        domain,
        selectors: wanted,
        verdict: report.verdict,
        user: input.user,
        at: checkedAt,
      });
      const saved = (await store.getDomainWatch(input.channel, domain)) ?? watch;
      return {
        ok: true,
        watch: saved,
        reply: { kind: 'watching-domain', watch: domainWatchView(saved), updated: existing !== null },
      };
    },

    async removeDomainWatch(input: { channel: string; domain: string; user: string }): Promise<Result> {
      const refused = denied(input.user);
      if (refused) return failure(refused);
      const target = readDomain(input.domain);
      if ('error' in target) return failure(target.error);
      if (!(await store.removeDomainWatch(input.channel, target.domain))) return notWatched(target.domain);
      logger.info('domain watch removed', {
        channel: input.channel,
        domain: target.domain,
        user: input.user,
      });
      return { ok: true, reply: { kind: 'unwatched-domain', domain: target.domain, by: input.user } };
    },

    /** Silences a watched domain's alerts for a while; "off" lifts the mute. */
    async muteDomain(input: {
      channel: string;
      domain: string;
      duration: string;
      user: string;
    }): Promise<Result> {
      const refused = denied(input.user);
      if (refused) return failure(refused);
      const target = readDomain(input.domain);
      if ('error' in target) return failure(target.error);
      const { domain } = target;
      if (!(await store.getDomainWatch(input.channel, domain))) return notWatched(domain);
      if (/^(off|none|0|unmute)$/i.test(input.duration.trim())) {
        await store.setDomainMute(input.channel, domain, null);
        return { ok: true, reply: { kind: 'unmuted-domain', domain, by: input.user } };
      }
      const duration = parseDuration(input.duration);
      if (!duration.ok) return failure(duration.error);
      const until = new Date(deps.now().getTime() + duration.ms).toISOString();
      await store.setDomainMute(input.channel, domain, { until, by: input.user });
      logger.info('domain watch muted', { channel: input.channel, domain, until, user: input.user });
      return { ok: true, reply: { kind: 'muted-domain', domain, until, by: input.user } };
    },

    /** The channel's domain watches, by domain. */
    async domainViews(channel?: string): Promise<DomainWatchView[]> {
      const watches = await store.listDomainWatches(channel === undefined ? {} : { channel });
      return watches.map(domainWatchView).sort((a, b) => a.domain.localeCompare(b.domain));
    },
  };
}
