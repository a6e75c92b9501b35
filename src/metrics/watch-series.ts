import type { WatchPhase, WatchPortSight } from './metrics.js';

// What the watch gauges show, kept per tick. A host watched in several channels has one state per
// channel; its series show the most alarming phase any of them reached in the tick (an outage one
// channel confirmed is an outage). A tick ends by dropping what it was not told to keep: a host
// nobody watches any more, or, in a fleet, a host another replica re-tested — so each series lives
// on the replica that last re-tested it, and unwatching a host makes its series disappear.

/** Worst last: an open outage (blocked, recovering) outranks one only suspected. */
const PHASE_RANK: Record<WatchPhase, number> = { ok: 0, suspect: 1, recovering: 2, blocked: 3 };

export interface PortSeries {
  host: string;
  port: number;
  vantage: string;
  usable: boolean;
  phase: WatchPhase;
  tick: number;
}

export interface DomainSeries {
  domain: string;
  degraded: boolean;
  atSeconds: number;
  tick: number;
}

export class WatchSeries {
  readonly ports = new Map<string, PortSeries>();
  readonly retests = new Map<string, number>();
  readonly domains = new Map<string, DomainSeries>();
  private tick = 0;

  constructor(private readonly localVantage: string) {}

  began(): void {
    this.tick += 1;
  }

  portSeen(sight: WatchPortSight): void {
    const vantage = sight.vantage ?? this.localVantage;
    const key = `${sight.host}\u0000${sight.port}\u0000${vantage}`;
    const before = this.ports.get(key);
    const phase =
      before?.tick === this.tick && PHASE_RANK[before.phase] > PHASE_RANK[sight.phase]
        ? before.phase
        : sight.phase;
    this.ports.set(key, {
      host: sight.host,
      port: sight.port,
      vantage,
      usable: sight.usable,
      phase,
      tick: this.tick,
    });
  }

  retested(host: string, at: Date): void {
    this.retests.set(host, at.getTime() / 1_000);
  }

  domainSeen(domain: string, degraded: boolean, at: Date): void {
    const before = this.domains.get(domain);
    const worse = before?.tick === this.tick && before.degraded;
    this.domains.set(domain, {
      domain,
      degraded: degraded || worse,
      atSeconds: at.getTime() / 1_000,
      tick: this.tick,
    });
  }

  ended(kept: { hosts: Iterable<string>; domains: Iterable<string> }): void {
    const hosts = new Set(kept.hosts);
    const domains = new Set(kept.domains);
    const seenNow = new Set([...this.ports.values()].filter((s) => s.tick === this.tick).map((s) => s.host));
    for (const [key, series] of this.ports) {
      const portGone = seenNow.has(series.host) && series.tick !== this.tick;
      if (!hosts.has(series.host) || portGone) this.ports.delete(key);
    }
    for (const host of this.retests.keys()) if (!hosts.has(host)) this.retests.delete(host);
    for (const domain of this.domains.keys()) if (!domains.has(domain)) this.domains.delete(domain);
  }
}
