import { describe, expect, test } from 'vitest';
import type { PostureFacts } from '../../src/posture/index.js';
import type { SenderRuleId, SenderRuleStatus } from '../../src/posture-report/index.js';
import { SENDER_RULE_IDS } from '../../src/posture-report/index.js';
import { judgePosture } from '../../src/posture-report/judge-posture.js';
import { dkimKey, dkimMissing, dmarcMissing, postureFacts, spfFacts } from '../helpers/posture-builders.js';

function ruleOf(facts: PostureFacts, id: SenderRuleId) {
  const rule = judgePosture(facts).senderRules.find((candidate) => candidate.id === id);
  if (!rule) throw new Error(`no sender rule ${id}`);
  return rule;
}

const noSpf = spfFacts({ tree: null, providers: [] });
const dkimUnknown = [dkimMissing('default'), dkimMissing('google')];
/** The user named the selector their mail is signed with, and it is withdrawn. */
const dkimNo = [dkimKey({ source: 'given', revoked: true, bits: null })];
const spfFail = spfFacts({
  result: {
    ip: '198.51.100.7',
    sender: 'postmaster@example.com',
    result: 'fail',
    decidedBy: { domain: 'example.com', term: '-all' },
    path: ['example.com'],
    lookups: 1,
    voidLookups: 0,
  },
});
const spfPass = spfFacts({
  result: {
    ip: '172.217.1.1',
    sender: 'postmaster@example.com',
    result: 'pass',
    decidedBy: { domain: '_spf.google.com', term: 'ip4:172.217.0.0/19' },
    path: ['example.com', '_spf.google.com'],
    lookups: 1,
    voidLookups: 0,
  },
});

describe('sender rules', () => {
  test('every rule once, in the declared order', () => {
    expect(judgePosture(postureFacts()).senderRules.map((rule) => rule.id)).toEqual([...SENDER_RULE_IDS]);
  });

  test.each<[string, PostureFacts, SenderRuleId, SenderRuleStatus]>([
    ['SPF and DKIM', postureFacts(), 'gmail-spf-or-dkim', 'yes'],
    ['DKIM only', postureFacts({ spf: noSpf }), 'gmail-spf-or-dkim', 'yes'],
    [
      'SPF only, DKIM not under the usual selectors',
      postureFacts({ dkim: dkimUnknown }),
      'gmail-spf-or-dkim',
      'yes',
    ],
    [
      'no SPF, DKIM not under the usual selectors',
      postureFacts({ spf: noSpf, dkim: dkimUnknown }),
      'gmail-spf-or-dkim',
      'unknown',
    ],
    [
      'no SPF, the given selector revoked',
      postureFacts({ spf: noSpf, dkim: dkimNo }),
      'gmail-spf-or-dkim',
      'no',
    ],
    ['no sending address', postureFacts(), 'gmail-reverse-dns', 'unknown'],
    [
      'forward-confirmed reverse DNS',
      postureFacts({
        sendingAddress: { ip: '198.51.100.7', ptr: ['mail.example.com'], forwardConfirmed: true },
      }),
      'gmail-reverse-dns',
      'yes',
    ],
    [
      'no PTR',
      postureFacts({ sendingAddress: { ip: '198.51.100.7', ptr: [], forwardConfirmed: false } }),
      'gmail-reverse-dns',
      'no',
    ],
    [
      'a PTR that does not resolve back',
      postureFacts({
        sendingAddress: { ip: '198.51.100.7', ptr: ['x.isp.example'], forwardConfirmed: false },
      }),
      'gmail-reverse-dns',
      'no',
    ],
    [
      'a PTR lookup without answer',
      postureFacts({
        sendingAddress: { ip: '198.51.100.7', ptr: [], forwardConfirmed: false, lookupError: 'ETIMEOUT' },
      }),
      'gmail-reverse-dns',
      'unknown',
    ],
    ['SPF and DKIM', postureFacts(), 'gmail-bulk-spf-and-dkim', 'yes'],
    ['no SPF', postureFacts({ spf: noSpf }), 'gmail-bulk-spf-and-dkim', 'no'],
    [
      'DKIM not under the usual selectors',
      postureFacts({ dkim: dkimUnknown }),
      'gmail-bulk-spf-and-dkim',
      'unknown',
    ],
    ['SPF fails for the address given', postureFacts({ spf: spfFail }), 'yahoo-spf-and-dkim', 'no'],
    ['DMARC p=reject', postureFacts(), 'gmail-bulk-dmarc', 'yes'],
    ['no DMARC', postureFacts({ dmarc: dmarcMissing() }), 'gmail-bulk-dmarc', 'no'],
    [
      'no DMARC answer',
      postureFacts({ dmarc: dmarcMissing({ lookupError: 'ETIMEOUT' }) }),
      'gmail-bulk-dmarc',
      'unknown',
    ],
    ['no DMARC', postureFacts({ dmarc: dmarcMissing() }), 'yahoo-dmarc', 'no'],
    ['no DMARC', postureFacts({ dmarc: dmarcMissing() }), 'outlook-dmarc', 'no'],
    ['SPF and DKIM', postureFacts(), 'gmail-bulk-alignment', 'unknown'],
    [
      'no SPF, the given selector revoked',
      postureFacts({ spf: noSpf, dkim: dkimNo }),
      'gmail-bulk-alignment',
      'no',
    ],
    [
      'no SPF, DKIM not under the usual selectors',
      postureFacts({ spf: noSpf, dkim: dkimUnknown }),
      'yahoo-alignment',
      'unknown',
    ],
    ['anything', postureFacts(), 'gmail-bulk-one-click-unsubscribe', 'unknown'],
    ['anything', postureFacts(), 'yahoo-one-click-unsubscribe', 'unknown'],
    ['anything', postureFacts(), 'gmail-bulk-spam-rate', 'unknown'],
    ['anything', postureFacts(), 'yahoo-spam-rate', 'unknown'],
    ['SPF passes for the address given', postureFacts({ spf: spfPass }), 'outlook-spf', 'yes'],
    ['SPF fails for the address given', postureFacts({ spf: spfFail }), 'outlook-spf', 'no'],
    [
      'SPF with too many lookups',
      postureFacts({
        spf: spfFacts({
          lookups: 12,
          error: { kind: 'too-many-lookups', domain: 'example.com', message: '12 lookups' },
        }),
      }),
      'outlook-spf',
      'no',
    ],
    ['a 2048-bit key', postureFacts(), 'outlook-dkim', 'yes'],
    [
      'a 512-bit key only',
      postureFacts({ dkim: [dkimKey({ source: 'given', bits: 512 })] }),
      'outlook-dkim',
      'no',
    ],
    ['DKIM not under the usual selectors', postureFacts({ dkim: dkimUnknown }), 'outlook-dkim', 'unknown'],
  ])('%s: %s is %s', (_name, facts, id, status) => {
    expect(ruleOf(facts, id).status).toBe(status);
  });

  test.each<[SenderRuleId, RegExp]>([
    ['gmail-reverse-dns', /ip\/--ip/],
    ['gmail-bulk-alignment', /Authentication-Results/],
    ['gmail-bulk-one-click-unsubscribe', /List-Unsubscribe-Post/],
    ['gmail-bulk-spam-rate', /Google Postmaster Tools/],
    ['yahoo-spam-rate', /Yahoo Sender Hub/],
    ['outlook-dkim', /DKIM-Signature header \(s=\)/],
  ])('unknown %s says where to look', (id, where) => {
    const rule = ruleOf(postureFacts({ dkim: dkimUnknown }), id);
    expect(rule.status).toBe('unknown');
    expect(rule.evidence).toMatch(where);
  });

  test.each<[string, PostureFacts, `sender-${SenderRuleId}`, 'critical' | 'warning']>([
    [
      'no SPF, the given selector revoked',
      postureFacts({ spf: noSpf, dkim: dkimNo }),
      'sender-gmail-spf-or-dkim',
      'critical',
    ],
    ['no SPF', postureFacts({ spf: noSpf }), 'sender-gmail-bulk-spf-and-dkim', 'warning'],
    ['no DMARC', postureFacts({ dmarc: dmarcMissing() }), 'sender-outlook-dmarc', 'warning'],
  ])('%s: a rule not met is the finding %s, %s', (_name, facts, id, severity) => {
    const finding = judgePosture(facts).findings.find((candidate) => candidate.id === id);
    expect(finding?.severity).toBe(severity);
    expect(finding?.advice.length).toBeGreaterThan(0);
  });

  test("Gmail's reverse-DNS rule not met is said once, by ptr-missing, beside the MX addresses", () => {
    const report = judgePosture(
      postureFacts({
        sendingAddress: { ip: '198.51.100.7', ptr: [], forwardConfirmed: false },
        reverseDns: {
          addresses: [
            {
              address: '198.51.100.7',
              role: 'sending',
              ptr: [],
              forwardConfirmed: false,
              greetingConsistent: null,
            },
          ],
        },
      }),
    );
    expect(report.senderRules.find((rule) => rule.id === 'gmail-reverse-dns')?.status).toBe('no');
    expect(report.findings.map((finding) => finding.id)).not.toContain('sender-gmail-reverse-dns');
    const finding = report.findings.find((candidate) => candidate.id === 'ptr-missing');
    expect(finding?.severity).toBe('critical');
    expect(finding?.summary).toContain('198.51.100.7');
  });

  test('rules met or unknown are no findings', () => {
    const findings = judgePosture(postureFacts({ dkim: dkimUnknown })).findings;
    expect(findings.filter((finding) => finding.id.startsWith('sender-'))).toEqual([]);
  });
});
