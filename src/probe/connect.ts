import { type Socket, connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { socketFailure } from './socket-failure.js';
import type { ProbeFailure } from './types.js';

/*
 * How long to wait for a port that does not answer (`filtered`), and why.
 *
 * A dropped SYN and a firewall DROP look the same from here: silence. Linux retransmits an
 * unanswered SYN only after 1 s, then 3 s, 7 s…, so "one SYN, wait for the connect timeout" either
 * waits the full timeout on every filtered port (5 s — slow to a verdict) or, cut short, calls a
 * live port `filtered` whenever its first SYN was lost. Two things fix both:
 *
 * 1. Staggered attempts. While the port is silent, a fresh socket is opened every
 *    max(100 ms, 2 × RTT) (up to MAX_ATTEMPTS); each sends its own SYN at once, so by 1.1 s a
 *    silent port has been asked about ten times (our 8 SYNs plus the kernel's 1 s retransmits of
 *    the first ones) instead of twice. The first attempt to connect wins; the others are destroyed.
 *    A healthy port connects long before the first extra attempt, so it costs nothing there; with
 *    the RTT known the interval stretches so a slow path does not get duplicate connections.
 * 2. Evidence from sibling ports. The ports of one host are probed in parallel at the same address.
 *    As soon as one of them gets any answer (a SYN-ACK or a RST), the path works and its round-trip
 *    time is known; silence on this port is then the port's own, and ~10 unanswered SYNs — the
 *    first SYN's own retransmission among them — over max(FLOOR_MS, RTT_FACTOR × RTT) is evidence
 *    enough. FLOOR_MS is 1.1 s: just past the kernel's first retransmission (1 s), the point nmap's
 *    own verdict also waits for, so a filtered port costs no more here than in nmap. Without
 *    such evidence (every port silent, or a lone port) nothing says the path is fine, so the wait
 *    is the full connect timeout: a host that answers nothing still ends at the connect timeout.
 *
 * With 1/3 of SYNs lost, a live port is misjudged only when ~10 SYNs in a row are lost (≈ 2 · 10⁻⁵);
 * at realistic loss rates never. The wait concerns only the TCP connect: a server that accepts
 * and then greets slowly has connected, so a slow greeting is `slow-banner`, never `filtered`.
 */
const FLOOR_MS = 1_100;
const RTT_FACTOR = 10;
const STAGGER_MS = 100;
const MAX_ATTEMPTS = 8;
/**
 * Sockets open (or opening) at once to one address, across all its ports — and across every check
 * in this process: the count is keyed on the address dialled, so several names for one address,
 * one name typed in different cases, or concurrent checks of one host share it. Each port's first
 * attempt always goes; the staggered extras wait for room, so a host whose ports are all silent
 * sees a bounded burst of SYNs from us, not ports × MAX_ATTEMPTS.
 */
export const MAX_OPEN_PER_ADDRESS = 16;

interface AddressSockets {
  open: number;
  watchers: Set<{ peak: number }>;
}

const byAddress = new Map<string, AddressSockets>();

/** One key per destination: `::FFFF:127.0.0.1`, `::ffff:7f00:1` and `127.0.0.1` are one address. */
function addressKey(address: string): string {
  const bare = address.toLowerCase().replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  if (mapped) return mapped[1]!;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(bare);
  if (hex) {
    const high = Number.parseInt(hex[1]!, 16);
    const low = Number.parseInt(hex[2]!, 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return bare;
}

/** Sockets this process has open (or opening) to an address right now. */
export function openSocketsTo(address: string): number {
  return byAddress.get(addressKey(address))?.open ?? 0;
}

/** Watches the most sockets open at once to an address from now on (tests and benches read it). */
export function watchOpenSockets(address: string): { readonly peak: number; stop(): void } {
  const key = addressKey(address);
  const entry = byAddress.get(key) ?? { open: 0, watchers: new Set() };
  byAddress.set(key, entry);
  const watcher = { peak: entry.open };
  entry.watchers.add(watcher);
  return {
    get peak() {
      return watcher.peak;
    },
    stop() {
      entry.watchers.delete(watcher);
      if (entry.open === 0 && entry.watchers.size === 0 && byAddress.get(key) === entry)
        byAddress.delete(key);
    },
  };
}

/** Counts a socket against its address until it closes. */
function trackSocket(address: string, socket: Socket): void {
  const key = addressKey(address);
  const entry = byAddress.get(key) ?? { open: 0, watchers: new Set() };
  byAddress.set(key, entry);
  entry.open += 1;
  for (const watcher of entry.watchers) watcher.peak = Math.max(watcher.peak, entry.open);
  socket.once('close', () => {
    entry.open -= 1;
    if (entry.open === 0 && entry.watchers.size === 0 && byAddress.get(key) === entry) byAddress.delete(key);
  });
}

/**
 * What the ports of one check have learnt about the path to one address: the fastest answer seen.
 * Kept per check, not per process: a round trip measured minutes ago says nothing about the path now.
 */
export class PathEvidence {
  #rttMs: number | null = null;
  readonly #listeners = new Set<() => void>();

  get rttMs(): number | null {
    return this.#rttMs;
  }

  /** A port on this address got an answer (SYN-ACK or RST) after rttMs. */
  record(rttMs: number): void {
    if (this.#rttMs !== null && this.#rttMs <= rttMs) return;
    this.#rttMs = rttMs;
    for (const listener of this.#listeners) listener();
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

export type ConnectResult =
  | { ok: true; socket: Socket; ms: number; attempts: number }
  | { ok: false; failure: ProbeFailure; ms: number; attempts: number };

const noop = () => {};

/** Opens a TCP connection with staggered attempts and an evidence-based deadline (see above). */
export function connectTcp(
  address: string,
  port: number,
  options: { timeoutMs: number; path: PathEvidence },
): Promise<ConnectResult> {
  const { timeoutMs, path } = options;
  const start = performance.now();
  const sockets = new Set<Socket>();
  let attempts = 0;

  return new Promise<ConnectResult>((resolve) => {
    let settled = false;
    let staggerTimer: NodeJS.Timeout | undefined;
    let deadlineTimer: NodeJS.Timeout | undefined;
    let unsubscribe = noop as () => unknown;

    const finish = (result: ConnectResult, keep?: Socket) => {
      if (settled) return;
      settled = true;
      clearTimeout(staggerTimer);
      clearTimeout(deadlineTimer);
      unsubscribe();
      for (const socket of sockets) if (socket !== keep) socket.destroy();
      resolve(result);
    };

    const scheduleNext = () => {
      if (attempts >= MAX_ATTEMPTS) return;
      const interval = Math.max(STAGGER_MS, 2 * (path.rttMs ?? 0));
      staggerTimer = setTimeout(launch, interval);
    };

    const launch = () => {
      if (attempts > 0 && openSocketsTo(address) >= MAX_OPEN_PER_ADDRESS) {
        scheduleNext();
        return;
      }
      attempts += 1;
      const launchedAt = performance.now();
      const socket = connect({ host: address, port, noDelay: true });
      socket.on('error', noop);
      trackSocket(address, socket);
      sockets.add(socket);
      socket.once('connect', () => {
        path.record(performance.now() - launchedAt);
        finish({ ok: true, socket, ms: performance.now() - start, attempts }, socket);
      });
      socket.once('error', (error: Error & { code?: string }) => {
        sockets.delete(socket);
        const failure = socketFailure(error);
        // A RST proves the path works as well as a SYN-ACK does.
        if (failure.kind === 'refused') path.record(performance.now() - launchedAt);
        finish({
          ok: false,
          failure: { stage: 'connect', ...failure },
          ms: performance.now() - start,
          attempts,
        });
      });
      scheduleNext();
    };

    const deadline = () => {
      const rtt = path.rttMs;
      return rtt === null ? timeoutMs : Math.min(timeoutMs, Math.max(FLOOR_MS, RTT_FACTOR * rtt));
    };

    const armDeadline = () => {
      clearTimeout(deadlineTimer);
      const remaining = deadline() - (performance.now() - start);
      deadlineTimer = setTimeout(
        () => {
          const ms = performance.now() - start;
          const rtt = path.rttMs;
          const evidence =
            rtt === null
              ? 'no port on this address answered either'
              : `another port on ${address} answered in ${rtt.toFixed(1)} ms`;
          finish({
            ok: false,
            failure: {
              stage: 'connect',
              kind: 'timeout',
              message: `no answer to ${attempts} connection attempts in ${Math.round(ms)} ms (${evidence})`,
            },
            ms,
            attempts,
          });
        },
        Math.max(0, remaining),
      );
    };

    unsubscribe = path.subscribe(armDeadline);
    armDeadline();
    launch();
  });
}
