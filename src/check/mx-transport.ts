import type { HostDiagnosis, MxDane, MxMtaSts, MxTransport } from '../diagnose/types.js';
import { gatherDane, matchTlsa } from '../posture/dane.js';
import { createPostureDns } from '../posture/dns.js';
import { bareHostName } from '../text/host-name.js';
import { MAX_TRANSPORT_MX_HOSTS } from '../posture/gather-transport.js';
import { type MtaStsPolicyFacts, fetchMtaSts } from '../posture/mta-sts.js';
import { certificateState, matchingPattern } from '../posture/mta-sts-policy.js';
import { port25EvidenceOf, serverRefusedTls } from '../posture/port25-evidence.js';
import type { Port25Evidence, TlsaRecord } from '../posture/transport-types.js';
import type { PostureDns } from '../posture/types.js';
import { type ValidatingDns, createValidatingDns } from '../posture/validating-dns.js';

// On a check of `you@example.com`, the question after "does port 25 answer?" is whether senders
// that insist on authenticated TLS will deliver there: MTA-STS (does the policy name this MX host,
// and is its certificate one they accept) and DANE (does a TLSA record match that certificate).
// The probed host is judged on the certificate the check itself received; the other MX hosts, which
// the check did not dial, on DNS alone. The domain report says the same at length.

/** A host with more TLSA records than this is listed by its first ones. */
const MAX_TLSA_SHOWN = 6;

export interface MxTransportDeps {
  /** A resolver for one check: its own cache and question budget. */
  dns: () => PostureDns;
  /** The validating resolver whose AD flag says whether DNSSEC vouches for TLSA records. */
  validatingDns: () => ValidatingDns;
  mtaSts: {
    /** The target policy's word on an address the policy fetch would dial: why not, or null. Absent: any. */
    allowAddress?: (host: string, address: string) => string | null;
    /** CA certificates (PEM) trusted besides Node's roots, as for the probes. */
    ca?: string[];
    /** 443 unless a test server listens elsewhere. */
    port?: number;
    timeoutMs?: number;
  };
  /** The port whose probe stands for port 25: 25, or a test server's. */
  port25?: number;
  /** Told of a failure the facts functions should have returned as a value (a bug there). */
  onError?: (error: unknown) => void;
}

/** What an MX check adds after diagnosis; never rejects: what cannot be learnt is left out. */
export type DescribeMxTransport = (diagnosis: HostDiagnosis) => Promise<MxTransport[] | undefined>;

export function createMxTransport(deps: MxTransportDeps): DescribeMxTransport {
  const port = deps.port25 ?? 25;
  return async (diagnosis) => {
    const exchanges = mxExchanges(diagnosis);
    if (exchanges.length === 0) return undefined;
    try {
      const dns = deps.dns();
      const vdns = deps.validatingDns();
      const domain = diagnosis.target;
      const probed = diagnosis.ports.find((each) => each.port === port);
      const policy = fetchMtaSts(dns, domain, {
        allowAddress: (address) => deps.mtaSts.allowAddress?.(`mta-sts.${domain}`, address) ?? null,
        ...(deps.mtaSts.ca ? { ca: deps.mtaSts.ca } : {}),
        ...(deps.mtaSts.port !== undefined ? { port: deps.mtaSts.port } : {}),
        ...(deps.mtaSts.timeoutMs !== undefined ? { timeoutMs: deps.mtaSts.timeoutMs } : {}),
      });
      const hosts = exchanges.map(async (exchange): Promise<MxTransport> => {
        const isProbed = sameName(exchange, diagnosis.host);
        const evidence = isProbed && probed ? port25EvidenceOf(exchange, probed) : undefined;
        const [facts, dane] = await Promise.all([policy, daneOf(vdns, exchange, evidence)]);
        const mtaSts = mtaStsOf(facts, exchange, evidence);
        return {
          exchange,
          probed: isProbed,
          port: evidence ? port : null,
          ...(mtaSts !== undefined ? { mtaSts } : {}),
          ...(dane !== undefined ? { dane } : {}),
        };
      });
      const described = await Promise.all(hosts);
      return described.some((host) => host.mtaSts !== undefined || host.dane !== undefined)
        ? described
        : undefined;
    } catch (error) {
      // The facts functions return failures as values; anything thrown is a bug there, and a check
      // that found its ports must not be lost to a line it could not add.
      deps.onError?.(error);
      return undefined;
    }
  };
}

/**
 * The MX hosts of an MX check, in MX order, the probed host among them. None for a host check or
 * an implicit MX (the name's own address: no MX host of its own to describe).
 */
function mxExchanges(diagnosis: HostDiagnosis): string[] {
  const mx = diagnosis.mx;
  if (!mx || mx.implicit) return [];
  const names = mx.hosts.map((host) => host.exchange).filter((name) => name !== '' && name !== '.');
  // As many as the domain report checks; the probed one is added when it comes later.
  const first = names.slice(0, MAX_TRANSPORT_MX_HOSTS);
  const probed = names.find((name) => sameName(name, diagnosis.host));
  if (probed !== undefined && !first.includes(probed)) first.push(probed);
  return first;
}

function sameName(a: string, b: string): boolean {
  return bareHostName(a) === bareHostName(b);
}

/** The host against the policy as a sender would apply it; undefined when the DNS did not answer. */
function mtaStsOf(
  facts: MtaStsPolicyFacts,
  exchange: string,
  evidence: Port25Evidence | undefined,
): MxMtaSts | null | undefined {
  if (facts.lookupError !== undefined) return undefined;
  if (facts.records.length === 0 && facts.recordProblems.length === 0) return null;
  const certificate = certificateState(evidence);
  const policy = facts.policy;
  if (!policy) {
    const problem = facts.fetch.problem ?? facts.recordProblems[0] ?? 'no usable MTA-STS record';
    return { mode: null, pattern: null, certificate, problem };
  }
  const pattern = matchingPattern(policy.mx, exchange);
  if (policy.mode === null) {
    const problem = policy.problems[0] ?? 'the policy has no usable mode';
    return { mode: null, pattern, certificate, problem };
  }
  return { mode: policy.mode, pattern, certificate };
}

/** `3 1 1`: usage, selector and matching type, as operators write a TLSA record. */
function parameters(record: TlsaRecord): string {
  return `${record.usage} ${record.selector} ${record.matchingType}`;
}

/**
 * The host's TLSA records and, for the probed host with a certificate, whether one matches;
 * undefined when the validating resolver gave no answer.
 */
async function daneOf(
  vdns: ValidatingDns,
  exchange: string,
  evidence: Port25Evidence | undefined,
): Promise<MxDane | null | undefined> {
  const certificate = evidence?.tls ? evidence.certificate : null;
  const facts = await gatherDane(vdns, exchange, certificate);
  if (facts.lookupError !== undefined || facts.dnssec === 'unknown') return undefined;
  if (facts.records.length === 0) return null;
  const dane: MxDane = {
    records: facts.records.slice(0, MAX_TLSA_SHOWN).map(parameters),
    usable: matchTlsa(facts.records, []).usable,
    dnssec: facts.dnssec,
    matched: facts.match ? facts.match.matched : null,
    ...(facts.match?.by ? { by: parameters(facts.match.by) } : {}),
  };
  // As the domain report judges it: a server that refuses TLS fails DANE; a port blocked on our
  // side says nothing of its TLS.
  if (evidence && serverRefusedTls(evidence)) return { ...dane, matched: false, starttlsRefused: true };
  return dane;
}

export interface MxTransportSettings {
  /** DNS_RESOLVER (or DNS_SERVERS): empty for the system's resolvers. */
  postureDnsServers: string[];
  /** DNSSEC_RESOLVER: one validating resolver; null for the system's first. */
  dnssecResolver: string | null;
  extraCa?: string[];
  allowAddress?: (host: string, address: string) => string | null;
  onError?: (error: unknown) => void;
}

/** The real resolvers and fetch options, from the settings; a fresh resolver for each check. */
export function mxTransportDeps(settings: MxTransportSettings): MxTransportDeps {
  return {
    dns: () =>
      createPostureDns(settings.postureDnsServers.length > 0 ? { servers: settings.postureDnsServers } : {}),
    validatingDns: () =>
      createValidatingDns(settings.dnssecResolver !== null ? { server: settings.dnssecResolver } : {}),
    mtaSts: {
      ...(settings.allowAddress ? { allowAddress: settings.allowAddress } : {}),
      ...(settings.extraCa ? { ca: settings.extraCa } : {}),
    },
    ...(settings.onError ? { onError: settings.onError } : {}),
  };
}
