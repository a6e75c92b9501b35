import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { PathEvidence } from './connect.js';
import { findInterceptedPorts } from './intercepted.js';
import { probePort } from './probe-port.js';
import { createResolver, ipLiteral, resolveAddresses, resolveMxHosts } from './resolve.js';
import { secureContextFor } from './tls-handshake.js';
import {
  DEFAULT_LIMITS,
  IMPLICIT_TLS_PORTS,
  type HostProbe,
  type MxHost,
  type PortClass,
  type PortProbe,
  type ProbeFailure,
  type ProbeHostOptions,
  type ProbeMode,
  type Resolver,
} from './types.js';

const MAX_MX_HOSTS = 3;
// Every address is dialled, since one can be open while another is filtered — within bounds, so a
// name with dozens of records does not turn a check into a sweep.
const MAX_ADDRESSES_PER_FAMILY = 4;
const MAX_ADDRESSES = 6;

/**
 * The addresses to dial, IPv4 first: up to MAX_ADDRESSES_PER_FAMILY of each family and
 * MAX_ADDRESSES in all, the families taking turns so both are represented when the list is cut.
 */
export function addressesToDial(addresses: string[]): string[] {
  const v4 = addresses.filter((address) => isIP(address) === 4).slice(0, MAX_ADDRESSES_PER_FAMILY);
  const v6 = addresses.filter((address) => isIP(address) === 6).slice(0, MAX_ADDRESSES_PER_FAMILY);
  const picked = new Set<string>();
  for (let index = 0; picked.size < MAX_ADDRESSES && (index < v4.length || index < v6.length); index += 1) {
    if (index < v4.length) picked.add(v4[index]!);
    if (index < v6.length && picked.size < MAX_ADDRESSES) picked.add(v6[index]!);
  }
  return [...v4.filter((address) => picked.has(address)), ...v6.filter((address) => picked.has(address))];
}

interface Destination {
  host: string;
  addresses: string[];
  mx: HostProbe['mx'];
  failure: ProbeFailure | null;
  resolveMs: number;
}

async function destination(
  target: string,
  options: ProbeHostOptions,
  resolver: Resolver,
): Promise<Destination> {
  const started = performance.now();
  const done = (rest: Omit<Destination, 'resolveMs'>): Destination => ({
    ...rest,
    resolveMs: performance.now() - started,
  });
  const literal = ipLiteral(target);
  if (literal) return done({ host: literal, addresses: [literal], mx: null, failure: null });
  const mode = options.mx ?? 'auto';
  const own = mode === 'force' ? null : await resolveAddresses(target, resolver);
  if (own?.ok) return done({ host: target, addresses: own.addresses, mx: null, failure: null });
  // Only "no such name" and "no address record" send us to the MX records; a resolver that timed
  // out or failed is reported as such, never mistaken for a name without addresses.
  if (mode === 'off' || (own && own.failure.code !== 'ENODATA' && own.failure.code !== 'ENOTFOUND')) {
    return done({ host: target, addresses: [], mx: null, failure: own?.failure ?? null });
  }
  const reason = mode === 'force' ? 'forced' : 'no-address';
  const lookup = await resolveMxHosts(target, resolver);
  if (!lookup.ok) {
    // The MX lookup failed (timeout, SERVFAIL) or the name does not exist: nothing says where its
    // mail goes, so the bare name is not probed as if it were the mail host.
    const failure =
      lookup.failure.code === 'ENOTFOUND' || lookup.failure.code === 'ENONAME'
        ? (own?.failure ?? lookup.failure)
        : { ...lookup.failure, message: `the MX lookup for ${target} failed: ${lookup.failure.message}` };
    return done({ host: target, addresses: [], mx: own ? null : { hosts: [], reason }, failure });
  }
  const hosts = lookup.hosts;
  if (hosts.length === 0) {
    // The name exists and has no MX records: RFC 5321 §5.1's implicit MX, the name itself.
    const fallback = own ?? (await resolveAddresses(target, resolver));
    return fallback.ok
      ? done({
          host: target,
          addresses: fallback.addresses,
          mx: { hosts, reason, implicit: true },
          failure: null,
        })
      : done({
          host: target,
          addresses: [],
          mx: own ? null : { hosts, reason, implicit: true },
          failure: {
            ...fallback.failure,
            message: `${target} has no MX record, and no address of its own to take mail as the implicit MX: ${fallback.failure.message}`,
          },
        });
  }
  let lastFailure: ProbeFailure | null = null;
  for (const mx of hosts.slice(0, MAX_MX_HOSTS)) {
    if (mx.exchange === '' || mx.exchange === '.') continue;
    const found = await resolveAddresses(mx.exchange, resolver);
    if (found.ok)
      return done({ host: mx.exchange, addresses: found.addresses, mx: { hosts, reason }, failure: null });
    lastFailure = found.failure;
  }
  const failure: ProbeFailure = lastFailure
    ? { ...lastFailure, message: `no MX host of ${target} resolves: ${lastFailure.message}` }
    : {
        stage: 'resolve',
        kind: 'dns',
        code: 'ENODATA',
        message: `${target} has a null MX: it accepts no mail`,
      };
  return done({ host: firstExchange(hosts) ?? target, addresses: [], mx: { hosts, reason }, failure });
}

function firstExchange(hosts: MxHost[]): string | undefined {
  return hosts.find((mx) => mx.exchange !== '' && mx.exchange !== '.')?.exchange;
}

function unprobed(
  port: number,
  mode: ProbeMode,
  verdict: PortClass,
  failure: ProbeFailure,
  resolveMs: number,
): PortProbe {
  return {
    port,
    mode,
    observedMode: null,
    class: verdict,
    address: null,
    timings: { resolve: resolveMs },
    durationMs: 0,
    greeting: null,
    greetingCode: null,
    ehlo: [],
    ehloBeforeTls: [],
    heloFallback: false,
    auth: { beforeTls: [], afterTls: [] },
    sizeLimit: null,
    tls: null,
    certificate: null,
    failure,
    truncated: false,
    firstAttempt: null,
  };
}

/**
 * Probes a host's ports in parallel. The name is resolved once (A and AAAA; its MX hosts when it
 * has no address of its own, or always with `mx: 'force'`), every address is vetted with
 * `checkAddress`, and the vetted address is dialled — never the name again, which would let DNS
 * rebinding swap in another address — while the name is kept for SNI and the certificate check.
 * `onPort` reports each port's own verdict as it finishes; the host-level `intercepted` pass runs
 * when all are done and may refine verdicts in the returned HostProbe only.
 */
export async function probeHost(target: string, options: ProbeHostOptions): Promise<HostProbe> {
  const started = performance.now();
  const now = options.now ?? (() => new Date());
  const checkedAt = now().toISOString();
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const implicitTlsPorts = options.implicitTlsPorts ?? IMPLICIT_TLS_PORTS;
  const modeOf = (port: number): ProbeMode => (implicitTlsPorts.includes(port) ? 'implicit-tls' : 'starttls');
  const name = target.trim();
  const found = await destination(name, options, options.resolver ?? createResolver());
  const host: HostProbe = {
    target,
    host: found.host,
    mx: found.mx,
    addresses: found.addresses,
    checkedAt,
    durationMs: 0,
    ports: [],
    resolveFailure: found.failure,
  };
  const finish = (ports: PortProbe[]): HostProbe => ({
    ...host,
    ports,
    durationMs: performance.now() - started,
  });
  const report = (port: PortProbe) => {
    options.onPort?.(port);
    return port;
  };

  if (found.failure || found.addresses.length === 0) {
    const failure = found.failure ?? {
      stage: 'resolve' as const,
      kind: 'dns' as const,
      message: `${name} has no address`,
    };
    host.resolveFailure = failure;
    return finish(
      options.ports.map((port) =>
        report(unprobed(port, modeOf(port), 'dns-failed', failure, found.resolveMs)),
      ),
    );
  }

  for (const address of found.addresses) {
    const decision = (await options.checkAddress?.(address, found.host)) ?? { allowed: true };
    if (!decision.allowed) {
      // One refused address refuses the host: a name that mixes a public and an internal address is
      // exactly what a rebinding attack looks like.
      const failure: ProbeFailure = { stage: 'resolve', kind: 'policy', message: decision.reason };
      return finish(
        options.ports.map((port) =>
          report(unprobed(port, modeOf(port), 'denied-by-policy', failure, found.resolveMs)),
        ),
      );
    }
  }

  // Each port is probed at every address (bounded). The port's class and facts are the first
  // address's — IPv4 first, as most mail hosts are reached and judged (PTR, blocklists) on IPv4,
  // and the address most clients dial first — so a host whose addresses agree reads exactly as
  // before; `attempts` holds every address's verdict, and the diagnosis says where they disagree.
  const dialled = addressesToDial(found.addresses);
  const secureContext = secureContextFor(options.extraCa);
  // Round-trip evidence is per address: one address answering says nothing about another's path.
  const paths = new Map(dialled.map((address) => [address, new PathEvidence()]));
  const ports = await Promise.all(
    options.ports.map(async (port) => {
      const probes = await Promise.all(
        dialled.map((address) =>
          probePort(
            {
              address,
              host: found.host,
              port,
              mode: modeOf(port),
              ...(options.clientName ? { clientName: options.clientName } : {}),
              now,
            },
            limits,
            { path: paths.get(address)!, secureContext },
          ),
        ),
      );
      const probe: PortProbe = {
        ...probes[0]!,
        attempts: probes.map((at) => ({
          address: at.address!,
          class: at.class,
          ms: at.durationMs,
          failure: at.failure,
        })),
      };
      probe.timings.resolve = found.resolveMs;
      return report(probe);
    }),
  );
  const intercepted = findInterceptedPorts([found.host, name], ports);
  return finish(ports.map((port) => (intercepted.has(port.port) ? { ...port, class: 'intercepted' } : port)));
}
