import { describe, expect, test } from 'vitest';
import { domainReportJson, renderDomainJson } from '../../src/render/domain-json.js';
import { aDomainReport } from '../helpers/domain-report-builder.js';
import {
  hostileTransportFacts,
  MX1_SPKI,
  MX2_NEW_SPKI,
  MX2_OLD_SPKI,
  mxCertificate,
  port25Evidence,
  troubledTransportFacts,
} from '../helpers/posture-builders.js';
import { HOSTILE } from '../helpers/slack-diagnoses.js';

const sorted = (value: object): string[] => Object.keys(value).sort();
const troubled = domainReportJson(aDomainReport(troubledTransportFacts()));

describe('domainReportJson(): the transport sections', () => {
  test('has every key of the contract in each section, at every level', () => {
    const { port25, mtaSts, tlsRpt, dnssec, dane, reverseDns, blocklists } = troubled;
    expect(sorted(port25[0]!)).toEqual(
      ['address', 'certificate', 'class', 'ehloName', 'exchange', 'greetingName', 'port', 'tls'].sort(),
    );
    expect(sorted(port25[0]!.certificate!)).toEqual(
      [
        'chainLength',
        'daysLeft',
        'fingerprint256',
        'hostnameMatches',
        'issuer',
        'selfSigned',
        'spkiSha256',
        'subject',
        'subjectAltNames',
        'trusted',
        'validFrom',
        'validTo',
        'verifyError',
      ].sort(),
    );
    expect(sorted(mtaSts)).toEqual(
      ['coverage', 'fetch', 'id', 'policy', 'record', 'recordName', 'recordProblems', 'records'].sort(),
    );
    expect(sorted(mtaSts.fetch)).toEqual(['bytes', 'contentType', 'outcome', 'redirect', 'status', 'url']);
    expect(sorted(mtaSts.policy!)).toEqual(['maxAge', 'mode', 'mx', 'problems']);
    expect(sorted(mtaSts.coverage[0]!)).toEqual(['certificate', 'exchange', 'pattern']);
    expect(sorted(tlsRpt)).toEqual(['name', 'problems', 'record', 'records', 'rua']);
    expect(sorted(dnssec)).toEqual(['domain', 'mxHosts', 'resolver']);
    expect(sorted(dnssec.mxHosts[1]!)).toEqual(['extendedError', 'name', 'status']);
    expect(sorted(dane[0]!)).toEqual(['dnssec', 'exchange', 'match', 'name', 'records']);
    expect(sorted(dane[0]!.match!)).toEqual(['by', 'matched', 'reason', 'usable']);
    expect(sorted(dane[0]!.records[0]!)).toEqual(['data', 'matchingType', 'selector', 'usage']);
    expect(sorted(reverseDns.addresses[0]!)).toEqual(
      [
        'address',
        'ehloName',
        'exchange',
        'forwardConfirmed',
        'greetingConsistent',
        'greetingName',
        'ptr',
        'role',
      ].sort(),
    );
    expect(sorted(blocklists)).toEqual(['resolver', 'results', 'zones']);
    expect(sorted(blocklists.zones[0]!)).toEqual(['kind', 'name', 'zone']);
    expect(sorted(blocklists.results[0]!)).toEqual(
      ['codes', 'meanings', 'name', 'status', 'subject', 'subjectRole', 'text', 'zone'].sort(),
    );
  });

  test('gives each MX host its port-25 evidence and the certificate with the key a 3 1 1 record holds', () => {
    expect(troubled.port25[1]).toMatchObject({
      exchange: 'mx2.example.net',
      address: '203.0.113.26',
      port: 25,
      class: 'open-starttls',
      greetingName: 'smtp.hosting.example',
      ehloName: 'smtp.hosting.example',
      tls: true,
      certificate: {
        subjectAltNames: ['smtp.hosting.example', 'www.hosting.example'],
        hostnameMatches: false,
        trusted: true,
        daysLeft: 48,
        spkiSha256: MX2_NEW_SPKI,
      },
    });
    // The digests of the whole chain stay out of the contract: the leaf's key is what DANE needs.
    expect(troubled.port25[1]!.certificate).not.toHaveProperty('chain');
  });

  test('says which MX host the MTA-STS policy misses and whose certificate fails', () => {
    expect(troubled.mtaSts.policy).toEqual({
      mode: 'enforce',
      maxAge: 86400,
      mx: ['mx1.example.com', '*.mail.example.net'],
      problems: [],
    });
    expect(troubled.mtaSts.coverage).toEqual([
      { exchange: 'mx1.example.com', pattern: 'mx1.example.com', certificate: 'valid' },
      { exchange: 'mx2.example.net', pattern: null, certificate: 'name-mismatch' },
    ]);
    expect(troubled.mtaSts.fetch).toEqual({
      url: 'https://mta-sts.example.com/.well-known/mta-sts.txt',
      outcome: 'fetched',
      status: 200,
      contentType: 'text/plain',
      redirect: null,
      bytes: 80,
    });
    expect(troubled.tlsRpt.rua).toEqual(['mailto:tls-reports@example.com']);
  });

  test('gives DNSSEC with the Extended DNS Error, and DANE with the record that matched or why none did', () => {
    expect(troubled.dnssec.mxHosts[1]).toEqual({
      name: 'mx2.example.net',
      status: 'bogus',
      extendedError: { code: 7, name: 'Signature Expired', text: 'RRSIG expired 2026-11-30' },
    });
    expect(troubled.dnssec.domain).toEqual({ name: 'example.com', status: 'secure', extendedError: null });
    expect(troubled.dane[0]!.match).toEqual({
      matched: true,
      by: { usage: 3, selector: 1, matchingType: 1, data: MX1_SPKI },
      usable: 1,
      reason: null,
    });
    expect(troubled.dane[1]).toMatchObject({
      dnssec: 'secure',
      records: [{ usage: 3, selector: 1, matchingType: 1, data: MX2_OLD_SPKI }],
      match: { matched: false, by: null, usable: 1 },
    });
  });

  test('gives reverse DNS per address and each blocklist answer, a refusal as refused', () => {
    expect(troubled.reverseDns.addresses[0]).toEqual({
      address: '198.51.100.7',
      role: 'sending',
      exchange: null,
      ptr: [],
      forwardConfirmed: false,
      greetingName: null,
      ehloName: null,
      greetingConsistent: null,
    });
    expect(troubled.reverseDns.addresses[2]).toMatchObject({
      exchange: 'mx2.example.net',
      forwardConfirmed: false,
      greetingConsistent: false,
    });
    const refused = troubled.blocklists.results.find((result) => result.codes[0] === '127.255.255.254');
    expect(refused).toMatchObject({
      status: 'refused',
      subject: '203.0.113.25',
      subjectRole: 'mx',
      text: null,
    });
    expect(troubled.blocklists.results[0]).toMatchObject({
      status: 'listed',
      codes: ['127.0.0.4'],
      meanings: ['XBL: an exploited or infected machine (botnet, proxy, malware)'],
    });
    expect(troubled.blocklists.resolver).toBe('8.8.8.8');
  });

  test('an absent value is null, not a missing key', () => {
    const json = domainReportJson(
      aDomainReport({
        port25: [
          port25Evidence({ tls: false, certificate: null, class: 'filtered', greetingName: null }),
          port25Evidence({ certificate: mxCertificate({ daysLeft: Number.NaN }) }),
        ],
      }),
    );
    expect(json.port25[0]).toMatchObject({ certificate: null, greetingName: null, tls: false });
    expect(json.port25[1]!.certificate).toMatchObject({ daysLeft: null, spkiSha256: null });
    // No MTA-STS record: nothing fetched, no policy.
    expect(json.mtaSts).toMatchObject({ record: null, id: null, policy: null, coverage: [] });
    expect(json.mtaSts.fetch).toMatchObject({
      outcome: 'not-asked',
      status: null,
      contentType: null,
      redirect: null,
      bytes: null,
    });
    expect(json.tlsRpt.record).toBeNull();
    expect(json.dane[0]).toMatchObject({ records: [], match: null });
    expect(json.blocklists.results[0]).toMatchObject({ status: 'not-listed', text: null });
    expect(json.mtaSts).not.toHaveProperty('lookupError');
  });

  test('round-trips hostile network text unchanged: the JSON carries it as data', () => {
    const report = aDomainReport(hostileTransportFacts(HOSTILE));
    const json = domainReportJson(report);
    expect(JSON.parse(renderDomainJson(report))).toEqual(json);
    expect(json.port25[0]!.greetingName).toBe(HOSTILE);
    expect(json.mtaSts.fetch.redirect).toBe(HOSTILE);
    expect(json.blocklists.results[0]!.text).toBe(HOSTILE);
  });
});
