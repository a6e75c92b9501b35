import { describeResolver } from '../probe/index.js';
import type { SpfError, SpfEvaluation, SpfNode, SpfTerm } from '../posture/index.js';
import type { DomainReport } from '../posture-report/index.js';
import type {
  DomainJsonDmarcDestination,
  DomainJsonSpfError,
  DomainJsonSpfNode,
  DomainJsonSpfResult,
  DomainJsonSpfTerm,
  DomainReportJson,
} from './domain-report-json.js';
import { sortFindings } from './domain-summary.js';
import { domainTransportJson } from './domain-transport-json.js';

export type * from './domain-report-json.js';

// The domain report as the JSON contract declares it: each field mapped by name, so a field added
// to the facts does not leak into the contract by accident.

/** Milliseconds to a tenth, as the host check prints them. */
function ms(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Optional keys appear only with a value, so `undefined` never reaches a consumer as a key. */
function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function spfError(error: SpfError): DomainJsonSpfError {
  return { kind: error.kind, domain: error.domain, ...optional('term', error.term), message: error.message };
}

function spfTerm(term: SpfTerm): DomainJsonSpfTerm {
  return {
    text: term.text,
    kind: term.kind,
    ...optional('qualifier', term.qualifier),
    ...optional('target', term.target),
    ...optional('macro', term.macro),
    lookups: term.lookups,
    voidLookups: term.voidLookups,
    ...optional('mxHosts', term.mxHosts),
    ...optional('unreached', term.unreached),
  };
}

function spfNode(node: SpfNode): DomainJsonSpfNode {
  return {
    domain: node.domain,
    via: node.via,
    record: node.record,
    ...optional('strings', node.strings),
    terms: node.terms.map(spfTerm),
    children: node.children.map(spfNode),
    ...optional('error', node.error && spfError(node.error)),
    ...optional('provider', node.provider),
  };
}

function spfResult(result: SpfEvaluation): DomainJsonSpfResult {
  return {
    ip: result.ip,
    sender: result.sender,
    result: result.result,
    decidedBy: result.decidedBy,
    path: result.path,
    lookups: result.lookups,
    voidLookups: result.voidLookups,
    ...optional('error', result.error && spfError(result.error)),
    ...optional('explanation', result.explanation),
  };
}

function destination(d: DomainReport['facts']['dmarc']['rua'][number]): DomainJsonDmarcDestination {
  return {
    uri: d.uri,
    address: d.address ?? null,
    domain: d.domain ?? null,
    external: d.external,
    authorized: d.authorized,
    ...optional('authorizationName', d.authorizationName),
    ...optional('problem', d.problem),
  };
}

export function domainReportJson(report: DomainReport): DomainReportJson {
  const { facts } = report;
  const { mx, spf, dmarc, bimi } = facts;
  return {
    domain: facts.request.domain,
    checkedAt: facts.checkedAt,
    durationMs: ms(facts.durationMs),
    resolver: describeResolver(facts.resolver),
    verdict: report.verdict,
    mx: {
      hosts: mx.hosts.map((host) => ({
        exchange: host.exchange,
        priority: host.priority,
        addresses: host.addresses,
        ...optional('cname', host.cname),
        ...optional('lookupError', host.lookupError),
      })),
      nullMx: mx.nullMx,
      implicit: mx.implicit,
      ...optional('lookupError', mx.lookupError),
    },
    spf: {
      record: spf.record,
      records: spf.records,
      lookups: spf.lookups,
      voidLookups: spf.voidLookups,
      worstCase: spf.worstCase,
      ...optional('error', spf.error && spfError(spf.error)),
      macros: spf.macros,
      providers: spf.providers,
      tree: spf.tree && spfNode(spf.tree),
      ...optional('result', spf.result && spfResult(spf.result)),
      ...optional('lookupError', spf.lookupError),
    },
    dkim: facts.dkim.map((key) => ({
      selector: key.selector,
      name: key.name,
      found: key.found,
      keyType: key.keyType ?? null,
      bits: key.bits ?? null,
      testing: key.testing,
      revoked: key.revoked,
      ...optional('cname', key.cname),
      source: key.source,
      ...optional('provider', key.provider),
      record: key.record ?? null,
      ...optional('problem', key.problem),
      ...optional('lookupError', key.lookupError),
    })),
    dmarc: {
      record: dmarc.record,
      records: dmarc.records,
      source: dmarc.source,
      sourceDomain: dmarc.sourceDomain,
      organizationalDomain: dmarc.organizationalDomain,
      policy: dmarc.policy,
      subdomainPolicy: dmarc.subdomainPolicy,
      pct: dmarc.pct,
      tags: dmarc.tags,
      rua: dmarc.rua.map(destination),
      ruf: dmarc.ruf.map(destination),
      alignment: dmarc.alignment,
      ...optional('treeWalk', dmarc.treeWalk),
      syntaxErrors: dmarc.syntaxErrors,
      ...optional('lookupError', dmarc.lookupError),
    },
    bimi: {
      name: bimi.name,
      record: bimi.record,
      ...optional('logo', bimi.logo),
      ...optional('authority', bimi.authority),
      problems: bimi.problems,
      ...optional('lookupError', bimi.lookupError),
    },
    ...optional(
      'sendingAddress',
      facts.sendingAddress && {
        ip: facts.sendingAddress.ip,
        ptr: facts.sendingAddress.ptr,
        forwardConfirmed: facts.sendingAddress.forwardConfirmed,
        ...optional('lookupError', facts.sendingAddress.lookupError),
      },
    ),
    ...domainTransportJson(facts),
    senderRules: report.senderRules.map((rule) => ({
      provider: rule.provider,
      rule: rule.id,
      description: rule.rule,
      appliesTo: rule.appliesTo,
      status: rule.status,
      evidence: rule.evidence,
    })),
    findings: sortFindings(report.findings).map((finding) => ({
      id: finding.id,
      severity: finding.severity,
      summary: finding.summary,
      advice: finding.advice,
    })),
    fixes: report.fixes.map((fix) => ({ name: fix.name, type: fix.type, value: fix.value, why: fix.why })),
    queries: {
      sent: facts.queries.sent,
      budget: facts.queries.budget,
      budgetExhausted: facts.queries.budgetExhausted,
      failed: facts.queries.failed,
    },
  };
}

/** One JSON object, as printed by `smtp-check domain --json`. */
export function renderDomainJson(report: DomainReport): string {
  return `${JSON.stringify(domainReportJson(report), null, 2)}\n`;
}
