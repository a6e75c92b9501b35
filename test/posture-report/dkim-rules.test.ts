import { describe, expect, test } from 'vitest';
import type { DkimKey, PostureFacts } from '../../src/posture/index.js';
import type { PostureFindingId } from '../../src/posture-report/index.js';
import { judgePosture } from '../../src/posture-report/judge-posture.js';
import { dkimKey, dkimMissing, postureFacts, spfFacts } from '../helpers/posture-builders.js';

function findingOf(facts: PostureFacts, id: PostureFindingId) {
  return judgePosture(facts).findings.find((finding) => finding.id === id);
}

function withKeys(...dkim: DkimKey[]): PostureFacts {
  return postureFacts({ dkim });
}

const given = { source: 'given' as const, provider: undefined };

describe('DKIM rules', () => {
  test.each<[string, PostureFacts, PostureFindingId, 'critical' | 'warning' | null]>([
    [
      'no selector answered',
      withKeys(dkimMissing('default'), dkimMissing('google', { source: 'provider' })),
      'dkim-not-found',
      'warning',
    ],
    ['one key found', withKeys(dkimKey(), dkimMissing('default')), 'dkim-not-found', null],
    [
      'only a revoked key found',
      withKeys(dkimKey({ revoked: true, bits: null }), dkimMissing('default')),
      'dkim-not-found',
      null,
    ],
    ['1023 bits', withKeys(dkimKey({ bits: 1023 })), 'dkim-weak-key', 'critical'],
    ['1024 bits', withKeys(dkimKey({ bits: 1024 })), 'dkim-weak-key', 'warning'],
    ['2047 bits', withKeys(dkimKey({ bits: 2047 })), 'dkim-weak-key', 'warning'],
    ['2048 bits', withKeys(dkimKey({ bits: 2048 })), 'dkim-weak-key', null],
    [
      'an ed25519 key (256 bits)',
      withKeys(dkimKey({ keyType: 'ed25519', bits: 256 })),
      'dkim-weak-key',
      null,
    ],
    ['a key size that cannot be read', withKeys(dkimKey({ bits: null })), 'dkim-weak-key', null],
    [
      'a revoked usual selector',
      withKeys(dkimKey(), dkimKey({ selector: 'old', revoked: true, bits: null })),
      'dkim-revoked',
      'warning',
    ],
    [
      'the only selector given is revoked',
      withKeys(dkimKey({ ...given, revoked: true, bits: null })),
      'dkim-revoked',
      'critical',
    ],
    [
      'a given selector is revoked, another given one works',
      withKeys(
        dkimKey({ ...given, selector: 'old', revoked: true, bits: null }),
        dkimKey({ ...given, selector: 'new' }),
      ),
      'dkim-revoked',
      'warning',
    ],
    ['no revoked key', withKeys(dkimKey()), 'dkim-revoked', null],
    ['t=y', withKeys(dkimKey({ testing: true })), 'dkim-testing', 'warning'],
    [
      't=y on a revoked key',
      withKeys(dkimKey({ testing: true, revoked: true, bits: null })),
      'dkim-testing',
      null,
    ],
    ['no t=y', withKeys(dkimKey()), 'dkim-testing', null],
  ])('%s: %s is %s', (_name, facts, id, severity) => {
    expect(findingOf(facts, id)?.severity ?? null).toBe(severity);
  });

  test('not found says only a DKIM-Signature header names the selector, and which were tried', () => {
    const finding = findingOf(withKeys(dkimMissing('default'), dkimMissing('mail')), 'dkim-not-found');
    expect(finding?.summary).toContain('not "no DKIM"');
    expect(finding?.summary).toContain('DKIM-Signature header (s=)');
    expect(finding?.summary).toContain('default and mail');
    expect(finding?.advice[0]).toContain('s= (the selector)');
  });

  test('not found points to where a provider with per-customer selectors shows them', () => {
    const facts = postureFacts({
      spf: spfFacts({ providers: ['Amazon SES'] }),
      dkim: [dkimMissing('default')],
    });
    expect(findingOf(facts, 'dkim-not-found')?.advice.join(' ')).toContain('the SES console lists them');
  });

  test('not found names the selector the user gave', () => {
    const finding = findingOf(withKeys(dkimMissing('mysel', { source: 'given' })), 'dkim-not-found');
    expect(finding?.summary).toContain('mysel._domainkey.example.com');
  });

  test('a weak key names its selector and size', () => {
    expect(findingOf(withKeys(dkimKey({ bits: 1024 })), 'dkim-weak-key')?.summary).toContain(
      'google (1024 bits)',
    );
  });

  test('a revoked key names its selector', () => {
    const facts = withKeys(dkimKey(), dkimKey({ selector: 'old', revoked: true, bits: null }));
    expect(findingOf(facts, 'dkim-revoked')?.summary).toContain('old');
  });
});
