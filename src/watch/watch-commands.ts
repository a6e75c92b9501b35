import { limitVantages } from '../vantage/vantage-limit.js';
import { MAX_PORTS_PER_CHECK, parsePorts, parseTarget } from '../check/index.js';
import type { HostDiagnosis } from '../diagnose/types.js';
import type { PortClass } from '../probe/index.js';
import { slackCode } from '../text/sanitize.js';
import { baselinePortState, DEFAULT_ALERT_CONFIG, observePort } from './alert-state.js';
import { parseDuration } from './parse-duration.js';
import type {
  PortAlertStates,
  PortHistoryView,
  SilentVantage,
  VantageAlertStates,
  Watch,
  WatchChange,
  WatchReply,
  WatchView,
} from '../watch-model/types.js';
import { observeWatchFromVantages, silentVantages } from './vantage-alert-state.js';
import { loadWatchView, portStateView } from './watch-views.js';
import { baselineFrom, resolveVantages, sameVantages } from './watch-vantages.js';
import type { WatchCommandDeps } from './deps.js';
import { createDomainWatchCommands } from './domain-watch-commands.js';
import { SLASH_COMMAND } from '../text/slash-command.js';

// What the Slack listeners, the App Home and the console call. Input is what a person typed;
// a mistake comes back as { ok: false, error } saying what to type, never as a throw. Every result
// carries a WatchReply: what to tell the channel or the requester, which a chat adapter draws.

export type { WatchCommandDeps } from './deps.js';

export type CommandResult<T = object> =
  | ({ ok: true; reply: WatchReply } & T)
  | { ok: false; error: string; reply: WatchReply };

type Failure = { ok: false; error: string; reply: WatchReply };

const failure = (error: string): Failure => ({ ok: false, error, reply: { kind: 'refused', error } });

function readHost(raw: string): { host: string; port: number | null } | { error: string } {
  const target = parseTarget(raw);
  if ('error' in target) return { error: `${target.error}. Type a host name, e.g. \`smtp.example.com\`.` };
  return { host: target.host, port: target.port };
}

function denied(deps: WatchCommandDeps, user: string): string | null {
  if (!deps.admins || deps.admins.length === 0 || deps.admins.includes(user)) return null;
  return `Only the watch admins can change watches here. Ask one of them, or check the host once with \`${SLASH_COMMAND} &lt;host&gt;\`.`;
}

/** Why a baseline cannot become a watch (the host does not resolve, or policy refuses it). */
function unwatchable(diagnosis: HostDiagnosis, host: string): string | null {
  const classes = new Set(diagnosis.ports.map((port) => port.class));
  const only = (cls: PortClass): boolean => classes.size === 1 && classes.has(cls);
  if (diagnosis.ports.length === 0 || only('dns-failed')) {
    return `${slackCode(host, 260)} does not resolve, so there is nothing to watch. Check the spelling and try again.`;
  }
  if (only('denied-by-policy')) {
    const reason = diagnosis.ports[0]?.failure?.message ?? 'it is outside the allowed targets';
    return `I may not probe ${slackCode(host, 260)}: ${slackCode(reason, 200)}.`;
  }
  return null;
}

export function createWatchCommands(deps: WatchCommandDeps) {
  const { store, logger } = deps;
  const config = deps.alertConfig ?? DEFAULT_ALERT_CONFIG;
  const at = (): string => deps.now().toISOString();

  const notWatched = (host: string): Failure =>
    failure(
      `${slackCode(host, 260)} is not watched in this channel. Type \`${SLASH_COMMAND} list\` to see what is.`,
    );

  const domains = createDomainWatchCommands(deps, (user) => denied(deps, user));

  return {
    addDomainWatch: domains.addDomainWatch,
    removeDomainWatch: domains.removeDomainWatch,
    muteDomain: domains.muteDomain,

    /** Probes the host once, stores the baseline and starts watching it in the channel. */
    async addWatch(input: {
      channel: string;
      host: string;
      ports?: number[] | string;
      /** The vantages to watch from (`all`: every one known now); absent: the bot's own network. */
      vantages?: string[] | 'all';
      user: string;
      /** Called once the request is accepted, just before the baseline probe (which takes seconds). */
      onBaseline?: (host: string) => Promise<void>;
    }): Promise<
      CommandResult<{
        watch: Watch;
        diagnosis: HostDiagnosis;
        updated: boolean;
        /** Live vantages `from all` did not take (more than MAX_VANTAGES); to be said. */
        leftOut: string[];
      }>
    > {
      const refused = denied(deps, input.user);
      if (refused) return failure(refused);
      const target = readHost(input.host);
      if ('error' in target) return failure(target.error);
      let ports: number[] = [];
      if (typeof input.ports === 'string' && input.ports.trim() !== '') {
        const parsed = parsePorts(input.ports);
        if ('error' in parsed) return failure(`${parsed.error}. Type ports like \`25,587\`.`);
        ports = parsed.ports;
      } else if (Array.isArray(input.ports)) {
        const parsed = parsePorts(input.ports.join(','));
        if ('error' in parsed) return failure(`${parsed.error}. Type ports like \`25,587\`.`);
        ports = parsed.ports;
      }
      if (target.port !== null && !ports.includes(target.port)) ports.unshift(target.port);
      if (ports.length > MAX_PORTS_PER_CHECK)
        return failure(`Watch at most ${MAX_PORTS_PER_CHECK} ports per host.`);
      const from = await resolveVantages(deps, input.vantages);
      if ('error' in from) return failure(from.error);
      // `from all` takes at most MAX_VANTAGES besides the bot's own network, as a check does.
      const { names: vantages, leftOut } =
        input.vantages === 'all'
          ? limitVantages(from.vantages, deps.vantageProbes?.local ?? '')
          : { names: from.vantages, leftOut: [] };

      const { host } = target;
      const existing = await store.getWatch(input.channel, host);
      const limit = deps.maxWatchesPerChannel ?? 200;
      if (!existing && (await store.listWatches({ channel: input.channel })).length >= limit) {
        return failure(
          `This channel already watches ${limit} hosts. Unwatch one first (\`${SLASH_COMMAND} list\`).`,
        );
      }

      // Admitted last, so a request refused for another reason does not use up the rate limit.
      const request = { target: host, ports, mx: 'auto' as const };
      const admission = (await deps.admit?.(input.user, request)) ?? { ok: true };
      if (!admission.ok) {
        return failure(
          `I didn’t start watching ${slackCode(host, 260)}: ${admission.reason.replace(/\.$/, '')}.`,
        );
      }
      await input.onBaseline?.(host);
      const diagnosis = await deps.runCheck(request);
      const problem = unwatchable(diagnosis, host);
      if (problem) return failure(problem);
      const checkedAt = at();
      const watch: Watch = {
        channel: input.channel,
        host,
        ports: ports.length > 0 ? ports : diagnosis.ports.map((port) => port.port),
        addedBy: existing?.addedBy ?? input.user,
        addedAt: existing?.addedAt ?? checkedAt,
        ...(vantages.length > 0 ? { vantages } : {}),
      };
      const previous = existing ? await store.getAlertStates(input.channel, host) : {};
      let states: PortAlertStates = {};
      let vantageStates: VantageAlertStates | undefined;
      let silent: SilentVantage[] = [];
      const answers: Array<{ diagnosis: HostDiagnosis; vantage?: string }> = [{ diagnosis }];
      if (vantages.length > 0 && deps.vantageProbes) {
        // Each vantage's answer is its baseline; the host-wide states keep what was announced, so
        // an open incident carries on and what changed is announced by the next tick.
        const outcomes = await baselineFrom(deps.vantageProbes, vantages, request, diagnosis);
        const local = deps.vantageProbes.local;
        const kept = existing ? await store.getVantageStates(input.channel, host) : {};
        const observation = observeWatchFromVantages({
          ports: watch.ports,
          vantages,
          prev: previous,
          prevVantages: Object.fromEntries(vantages.flatMap((v) => (kept[v] ? [[v, kept[v]]] : []))),
          outcomes,
          at: checkedAt,
          config,
          quorum: deps.alertQuorum ?? 1,
        });
        states = observation.withheld;
        vantageStates = observation.vantages;
        silent = silentVantages(vantages, outcomes);
        for (const outcome of outcomes) {
          if (outcome.kind === 'answered' && outcome.vantage !== local) {
            answers.push({ diagnosis: outcome.diagnosis, vantage: outcome.vantage });
          }
        }
      } else {
        // Ports already watched keep their state (and any open incident); new ones get a baseline.
        for (const port of diagnosis.ports.filter((p) => watch.ports.includes(p.port))) {
          states[port.port] = previous[port.port] ?? baselinePortState(observePort(port, checkedAt), config);
        }
        // A watch that was from vantages no longer keeps theirs.
        if ((existing?.vantages ?? []).length > 0) vantageStates = {};
      }
      await store.saveWatch(watch);
      await store.saveAlertStates(input.channel, host, states, undefined, vantageStates);
      await Promise.all(
        answers.flatMap((answer) =>
          answer.diagnosis.ports
            .filter((port) => watch.ports.includes(port.port))
            .map((port) =>
              store.appendHistory(
                host,
                port.port,
                { at: checkedAt, class: port.class, usable: port.usable },
                answer.vantage,
              ),
            ),
        ),
      );
      logger.info('watch added', {
        channel: input.channel,
        host,
        ports: watch.ports,
        vantages,
        ...(leftOut.length > 0 ? { leftOut } : {}),
        silent: silent.map((v) => `${v.kind} ${v.vantage}`),
        user: input.user,
        at: checkedAt,
      });
      const view = await loadWatchView(store, watch);
      const before = existing?.vantages ?? [];
      const change: WatchChange | null = existing
        ? {
            by: input.user,
            added: watch.ports.filter((port) => !existing.ports.includes(port)),
            removed: existing.ports.filter((port) => !watch.ports.includes(port)),
            ...(sameVantages(before, vantages) ? {} : { vantages: { before, after: vantages } }),
          }
        : null;
      return {
        ok: true,
        watch,
        diagnosis,
        updated: existing !== null,
        leftOut,
        reply: { kind: 'watching', watch: view, diagnosis, change, ...(silent.length > 0 ? { silent } : {}) },
      };
    },

    async removeWatch(input: { channel: string; host: string; user: string }): Promise<CommandResult> {
      const refused = denied(deps, input.user);
      if (refused) return failure(refused);
      const target = readHost(input.host);
      if ('error' in target) return failure(target.error);
      if (!(await store.removeWatch(input.channel, target.host))) return notWatched(target.host);
      logger.info('watch removed', { channel: input.channel, host: target.host, user: input.user, at: at() });
      return { ok: true, reply: { kind: 'unwatched', host: target.host, by: input.user } };
    },

    async listWatches(input: { channel: string }): Promise<CommandResult<{ watches: WatchView[] }>> {
      const watches = await store.listWatches({ channel: input.channel });
      const views = await Promise.all(watches.map((watch) => loadWatchView(store, watch)));
      views.sort((a, b) => a.host.localeCompare(b.host));
      const domainViews = await domains.domainViews(input.channel);
      return {
        ok: true,
        watches: views,
        reply: {
          kind: 'list',
          channel: input.channel,
          watches: views,
          now: at(),
          ...(domainViews.length > 0 ? { domains: domainViews } : {}),
        },
      };
    },

    /** Silences a watched host's alerts for a while ("2h", "30m", "1d"); "off" lifts the mute. */
    async muteHost(input: {
      channel: string;
      host: string;
      duration: string;
      user: string;
    }): Promise<CommandResult<{ until: string | null }>> {
      const refused = denied(deps, input.user);
      if (refused) return failure(refused);
      const target = readHost(input.host);
      if ('error' in target) return failure(target.error);
      if (!(await store.getWatch(input.channel, target.host))) return notWatched(target.host);
      if (/^(off|none|0|unmute)$/i.test(input.duration.trim())) {
        await store.setMute(input.channel, target.host, null);
        logger.info('watch unmuted', {
          channel: input.channel,
          host: target.host,
          user: input.user,
          at: at(),
        });
        return {
          ok: true,
          until: null,
          reply: { kind: 'unmuted', host: target.host, by: input.user },
        };
      }
      const duration = parseDuration(input.duration);
      if (!duration.ok) return failure(duration.error);
      const until = new Date(deps.now().getTime() + duration.ms).toISOString();
      await store.setMute(input.channel, target.host, {
        channel: input.channel,
        host: target.host,
        until,
        by: input.user,
      });
      logger.info('watch muted', {
        channel: input.channel,
        host: target.host,
        until,
        user: input.user,
        at: at(),
      });
      return { ok: true, until, reply: { kind: 'muted', host: target.host, until, by: input.user } };
    },

    /** Per port: current state, since when, recent changes and an uptime bar. */
    async historyOf(input: {
      host: string;
      channel?: string;
    }): Promise<CommandResult<{ ports: PortHistoryView[] }>> {
      const target = readHost(input.host);
      if ('error' in target) return failure(target.error);
      const watches = await store.listWatches({ host: target.host });
      const watch = watches.find((w) => w.channel === input.channel) ?? watches[0];
      if (watch === undefined) {
        return failure(
          `${slackCode(target.host, 260)} is not watched, so it has no history. Watch it with \`${SLASH_COMMAND} watch &lt;host&gt;\`.`,
        );
      }
      const states = await store.getAlertStates(watch.channel, watch.host);
      const local = deps.vantageProbes?.local;
      // The bot's own network keeps the series without a vantage.
      const vantageSamples = (port: number) =>
        Promise.all(
          (watch.vantages ?? []).map(async (vantage) => {
            const series = await store.getHistory(watch.host, port, vantage === local ? undefined : vantage);
            return {
              vantage,
              samples: series?.samples ?? '',
              changes: series?.changes ?? [],
              lastAt: series?.lastAt ?? null,
            };
          }),
        );
      const ports = await Promise.all(
        watch.ports.map(async (port): Promise<PortHistoryView> => {
          const series = await store.getHistory(watch.host, port);
          const state = states[port];
          const vantages = await vantageSamples(port);
          return {
            port,
            state: state ? portStateView(port, state) : null,
            samples: series?.samples ?? '',
            changes: series?.changes ?? [],
            lastAt: series?.lastAt ?? null,
            ...(vantages.length > 0 ? { vantages } : {}),
          };
        }),
      );
      return { ok: true, ports, reply: { kind: 'history', host: watch.host, ports, now: at() } };
    },

    /** Every watch of the workspace, for the App Home tab. */
    async homeView(): Promise<{ watches: WatchView[]; now: string }> {
      const watches = await store.listWatches();
      const views = await Promise.all(watches.map((watch) => loadWatchView(store, watch)));
      views.sort((a, b) => a.host.localeCompare(b.host) || a.channel.localeCompare(b.channel));
      return { watches: views, now: at() };
    },
  };
}

export type WatchCommands = ReturnType<typeof createWatchCommands>;
