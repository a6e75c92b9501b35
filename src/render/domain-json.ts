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
import { optionalKey } from '../util/optional-key.js';

export type * from './domain-report-json.js';

// The domain report as the JSON contract declares it: each field mapped by name, so a field added
// to the facts does not leak into the contract by accident.

/** Milliseconds to a tenth, as the host check prints them. */
function ms(value: number): number {
  return Math.round(value * 10) / 10;
}

function spfError(error: SpfError): DomainJsonSpfError {
  return {
    kind: error.kind,
    domain: error.domain,
    ...optionalKey('term', error.term),
    message: error.message,
  };
}

function spfTerm(term: SpfTerm): DomainJsonSpfTerm {
  return {
    text: term.text,
    kind: term.kind,
    ...optionalKey('qualifier', term.qualifier),
    ...optionalKey('target', term.target),
    ...optionalKey('macro', term.macro),
    lookups: term.lookups,
    voidLookups: term.voidLookups,
    ...optionalKey('mxHosts', term.mxHosts),
    ...optionalKey('unreached', term.unreached),
  };
}

function spfNode(node: SpfNode): DomainJsonSpfNode {
  return {
    domain: node.domain,
    via: node.via,
    record: node.record,
    ...optionalKey('strings', node.strings),
    terms: node.terms.map(spfTerm),
    children: node.children.map(spfNode),
    ...optionalKey('error', node.error && spfError(node.error)),
    ...optionalKey('provider', node.provider),
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
    ...optionalKey('error', result.error && spfError(result.error)),
    ...optionalKey('explanation', result.explanation),
  };
}

function destination(d: DomainReport['facts']['dmarc']['rua'][number]): DomainJsonDmarcDestination {
  return {
    uri: d.uri,
    address: d.address ?? null,
    domain: d.domain ?? null,
    external: d.external,
    authorized: d.authorized,
    ...optionalKey('authorizationName', d.authorizationName),
    ...optionalKey('problem', d.problem),
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
        ...optionalKey('cname', host.cname),
        ...optionalKey('lookupError', host.lookupError),
      })),
      nullMx: mx.nullMx,
      implicit: mx.implicit,
      ...optionalKey('lookupError', mx.lookupError),
    },
    spf: {
      record: spf.record,
      records: spf.records,
      lookups: spf.lookups,
      voidLookups: spf.voidLookups,
      worstCase: spf.worstCase,
      ...optionalKey('error', spf.error && spfError(spf.error)),
      macros: spf.macros,
      providers: spf.providers,
      tree: spf.tree && spfNode(spf.tree),
      ...optionalKey('result', spf.result && spfResult(spf.result)),
      ...optionalKey('lookupError', spf.lookupError),
    },
    dkim: facts.dkim.map((key) => ({
      selector: key.selector,
      name: key.name,
      found: key.found,
      keyType: key.keyType ?? null,
      bits: key.bits ?? null,
      testing: key.testing,
      revoked: key.revoked,
      ...optionalKey('cname', key.cname),
      source: key.source,
      ...optionalKey('provider', key.provider),
      record: key.record ?? null,
      ...optionalKey('problem', key.problem),
      ...optionalKey('lookupError', key.lookupError),
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
      ...optionalKey('treeWalk', dmarc.treeWalk),
      syntaxErrors: dmarc.syntaxErrors,
      ...optionalKey('lookupError', dmarc.lookupError),
    },
    bimi: {
      name: bimi.name,
      record: bimi.record,
      ...optionalKey('logo', bimi.logo),
      ...optionalKey('authority', bimi.authority),
      problems: bimi.problems,
      ...optionalKey('lookupError', bimi.lookupError),
    },
    ...optionalKey(
      'sendingAddress',
      facts.sendingAddress && {
        ip: facts.sendingAddress.ip,
        ptr: facts.sendingAddress.ptr,
        forwardConfirmed: facts.sendingAddress.forwardConfirmed,
        ...optionalKey('lookupError', facts.sendingAddress.lookupError),
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
