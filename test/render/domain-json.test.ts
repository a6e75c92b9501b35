import { describe, expect, test } from 'vitest';
import { domainReportJson, renderDomainJson } from '../../src/render/domain-json.js';
import { aHostileReport, aTypicalReport } from '../helpers/domain-render-reports.js';
import { dkimMissing, dmarcMissing, postureFacts } from '../helpers/posture-builders.js';

const sorted = (value: object): string[] => Object.keys(value).sort();

describe('domainReportJson()', () => {
  test('round-trips through JSON unchanged', () => {
    for (const report of [aTypicalReport(), aHostileReport()]) {
      const json = domainReportJson(report);
      expect(JSON.parse(renderDomainJson(report))).toEqual(json);
    }
  });

  test('has every key of the contract, at every level', () => {
    const json = domainReportJson(aTypicalReport());
    expect(sorted(json)).toEqual(
      [
        'domain',
        'checkedAt',
        'durationMs',
        'resolver',
        'verdict',
        'mx',
        'spf',
        'dkim',
        'dmarc',
        'bimi',
        'sendingAddress',
        'port25',
        'mtaSts',
        'tlsRpt',
        'dnssec',
        'dane',
        'reverseDns',
        'blocklists',
        'senderRules',
        'findings',
        'fixes',
        'queries',
      ].sort(),
    );
    expect(sorted(json.mx)).toEqual(['hosts', 'implicit', 'nullMx']);
    expect(sorted(json.mx.hosts[0]!)).toEqual(['addresses', 'exchange', 'priority']);
    expect(sorted(json.spf)).toEqual(
      [
        'lookups',
        'macros',
        'providers',
        'record',
        'records',
        'result',
        'tree',
        'voidLookups',
        'worstCase',
      ].sort(),
    );
    expect(sorted(json.spf.tree!)).toEqual(['children', 'domain', 'record', 'terms', 'via']);
    expect(sorted(json.spf.tree!.children[0]!)).toEqual([
      'children',
      'domain',
      'provider',
      'record',
      'terms',
      'via',
    ]);
    expect(sorted(json.spf.result!)).toEqual(
      ['decidedBy', 'ip', 'lookups', 'path', 'result', 'sender', 'voidLookups'].sort(),
    );
    expect(sorted(json.dkim[0]!)).toEqual(
      [
        'bits',
        'found',
        'keyType',
        'name',
        'provider',
        'record',
        'revoked',
        'selector',
        'source',
        'testing',
      ].sort(),
    );
    expect(sorted(json.dmarc)).toEqual(
      [
        'alignment',
        'organizationalDomain',
        'pct',
        'policy',
        'record',
        'records',
        'rua',
        'ruf',
        'source',
        'sourceDomain',
        'subdomainPolicy',
        'syntaxErrors',
        'tags',
      ].sort(),
    );
    expect(sorted(json.dmarc.rua[1]!)).toEqual(
      ['address', 'authorizationName', 'authorized', 'domain', 'external', 'uri'].sort(),
    );
    expect(sorted(json.bimi)).toEqual(['name', 'problems', 'record']);
    expect(sorted(json.sendingAddress!)).toEqual(['forwardConfirmed', 'ip', 'ptr']);
    expect(sorted(json.senderRules[0]!)).toEqual(
      ['appliesTo', 'description', 'evidence', 'provider', 'rule', 'status'].sort(),
    );
    expect(sorted(json.findings[0]!)).toEqual(['advice', 'id', 'severity', 'summary']);
    expect(sorted(json.fixes[0]!)).toEqual(['name', 'type', 'value', 'why']);
    expect(json.queries).toEqual({ sent: 14, budget: 150, budgetExhausted: false, failed: 0 });
  });

  test('an absent value is null, not a missing key', () => {
    const json = domainReportJson(
      aTypicalReport({ facts: postureFacts({ dmarc: dmarcMissing(), dkim: [dkimMissing('default')] }) }),
    );
    expect(json.dmarc).toMatchObject({
      record: null,
      policy: null,
      subdomainPolicy: null,
      source: null,
      sourceDomain: null,
    });
    expect(json.dkim[0]).toMatchObject({ found: false, keyType: null, bits: null, record: null });
    expect(json).not.toHaveProperty('sendingAddress');
    expect(json.spf).not.toHaveProperty('result');
  });

  test('names the rule by id and says what it asks', () => {
    const json = domainReportJson(aTypicalReport());
    expect(json.senderRules[1]).toEqual({
      provider: 'Yahoo',
      rule: 'yahoo-dmarc',
      description: 'Bulk senders publish a DMARC record, at least p=none',
      appliesTo: 'bulk',
      status: 'no',
      evidence: 'no DMARC record applies',
    });
  });

  test('lists findings worst first', () => {
    const json = domainReportJson(aTypicalReport());
    expect(json.findings.map((finding) => finding.severity)).toEqual(['critical', 'warning', 'info']);
  });

  test.each([
    [{ servers: ['127.0.0.1:5353'], system: false }, 'the resolver 127.0.0.1:5353'],
    [{ servers: ['127.0.0.53'], system: true }, 'the system resolver (127.0.0.53)'],
  ])('describes the resolver %j as a sentence', (resolver, sentence) => {
    expect(domainReportJson(aTypicalReport({ facts: postureFacts({ resolver }) })).resolver).toBe(sentence);
  });
});
