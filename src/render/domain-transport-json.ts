import type {
  DnssecNameFacts,
  MtaStsFacts,
  Port25Evidence,
  PostureFacts,
  TlsaRecord,
} from '../posture/index.js';
import type { CertificateFacts } from '../probe/index.js';
import type { DomainReportJson } from './domain-report-json.js';
import type {
  DomainJsonCertificate,
  DomainJsonDnssecName,
  DomainJsonTlsaRecord,
} from './domain-transport-json-types.js';
import { optionalKey } from '../util/optional-key.js';

// The transport sections of the domain JSON (port 25, MTA-STS, TLS-RPT, DNSSEC, DANE, reverse DNS,
// blocklists), mapped field by field like the rest of the contract: a field added to the facts
// stays out of the JSON until it is named here.

export type DomainTransportJson = Pick<
  DomainReportJson,
  'port25' | 'mtaSts' | 'tlsRpt' | 'dnssec' | 'dane' | 'reverseDns' | 'blocklists'
>;

function certificate(cert: CertificateFacts): DomainJsonCertificate {
  return {
    subject: cert.subject,
    subjectAltNames: cert.subjectAltNames,
    issuer: cert.issuer,
    validFrom: cert.validFrom,
    validTo: cert.validTo,
    daysLeft: Number.isFinite(cert.daysLeft) ? cert.daysLeft : null,
    selfSigned: cert.selfSigned,
    trusted: cert.trusted,
    verifyError: cert.verifyError,
    hostnameMatches: cert.hostnameMatches,
    fingerprint256: cert.fingerprint256,
    chainLength: cert.chainLength,
    spkiSha256: cert.chain?.[0]?.spkiSha256 ?? null,
  };
}

function port25(evidence: Port25Evidence): DomainReportJson['port25'][number] {
  return {
    exchange: evidence.exchange,
    address: evidence.address,
    port: evidence.port,
    class: evidence.class,
    greetingName: evidence.greetingName,
    ehloName: evidence.ehloName,
    tls: evidence.tls,
    certificate: evidence.certificate && certificate(evidence.certificate),
    ...optionalKey('problem', evidence.problem),
  };
}

function mtaSts(facts: MtaStsFacts): DomainReportJson['mtaSts'] {
  const { fetch, policy } = facts;
  return {
    recordName: facts.recordName,
    record: facts.record,
    records: facts.records,
    id: facts.id,
    recordProblems: facts.recordProblems,
    ...optionalKey('lookupError', facts.lookupError),
    fetch: {
      url: fetch.url,
      outcome: fetch.outcome,
      status: fetch.status ?? null,
      contentType: fetch.contentType ?? null,
      redirect: fetch.redirect ?? null,
      bytes: fetch.bytes ?? null,
      ...optionalKey('problem', fetch.problem),
    },
    policy: policy && { mode: policy.mode, maxAge: policy.maxAge, mx: policy.mx, problems: policy.problems },
    coverage: facts.coverage.map((host) => ({
      exchange: host.exchange,
      pattern: host.pattern,
      certificate: host.certificate,
    })),
  };
}

function dnssecName(name: DnssecNameFacts): DomainJsonDnssecName {
  const ede = name.extendedError;
  return {
    name: name.name,
    status: name.status,
    extendedError: ede ? { code: ede.code, name: ede.name, text: ede.text ?? null } : null,
    ...optionalKey('lookupError', name.lookupError),
  };
}

function tlsa(record: TlsaRecord): DomainJsonTlsaRecord {
  return {
    usage: record.usage,
    selector: record.selector,
    matchingType: record.matchingType,
    data: record.data,
  };
}

export function domainTransportJson(facts: PostureFacts): DomainTransportJson {
  const { tlsRpt, dnssec, blocklists } = facts;
  return {
    port25: facts.port25.map(port25),
    mtaSts: mtaSts(facts.mtaSts),
    tlsRpt: {
      name: tlsRpt.name,
      record: tlsRpt.record,
      records: tlsRpt.records,
      rua: tlsRpt.rua,
      problems: tlsRpt.problems,
      ...optionalKey('lookupError', tlsRpt.lookupError),
    },
    dnssec: {
      resolver: dnssec.resolver,
      domain: dnssecName(dnssec.domain),
      mxHosts: dnssec.mxHosts.map(dnssecName),
    },
    dane: facts.dane.map((host) => ({
      exchange: host.exchange,
      name: host.name,
      records: host.records.map(tlsa),
      dnssec: host.dnssec,
      match: host.match && {
        matched: host.match.matched,
        by: host.match.by ? tlsa(host.match.by) : null,
        usable: host.match.usable,
        reason: host.match.reason ?? null,
      },
      ...optionalKey('lookupError', host.lookupError),
    })),
    reverseDns: {
      addresses: facts.reverseDns.addresses.map((entry) => ({
        address: entry.address,
        role: entry.role,
        exchange: entry.exchange ?? null,
        ptr: entry.ptr,
        forwardConfirmed: entry.forwardConfirmed,
        greetingName: entry.greetingName ?? null,
        ehloName: entry.ehloName ?? null,
        greetingConsistent: entry.greetingConsistent,
        ...optionalKey('lookupError', entry.lookupError),
      })),
    },
    blocklists: {
      resolver: blocklists.resolver,
      zones: blocklists.zones.map((zone) => ({ zone: zone.zone, kind: zone.kind, name: zone.name })),
      results: blocklists.results.map((result) => ({
        zone: result.zone,
        name: result.name,
        subject: result.subject,
        subjectRole: result.subjectRole,
        status: result.status,
        codes: result.codes,
        meanings: result.meanings,
        text: result.text ?? null,
        ...optionalKey('problem', result.problem),
      })),
    },
  };
}
