import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MAX_DKIM_SELECTORS, dkimSelectorsToTry, gatherDkim } from '../../src/posture/dkim-keys.js';
import { dkimKeyBits, isDkimRecord, parseDkimRecord } from '../../src/posture/dkim-record.js';
import { createPostureDns } from '../../src/posture/dns.js';
import { COMMON_DKIM_SELECTORS } from '../../src/posture/providers.js';
import { type TestDnsServer, startDnsServer } from '../helpers/dns-server.js';

// Keys are made for the run: the sizes are read from real keys, never from fixtures.
function rsaKey(bits: number, type: 'spki' | 'pkcs1' = 'spki'): string {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return publicKey.export({ type, format: 'der' }).toString('base64');
}

function ed25519Key(): string {
  const { x } = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
  return Buffer.from(x!, 'base64url').toString('base64');
}

/** A record cut into character-strings of at most 255 bytes, as publishers split long keys. */
function chunked(text: string, size = 200): string[] {
  const chunks: string[] = [];
  for (let start = 0; start < text.length; start += size) chunks.push(text.slice(start, start + size));
  return chunks;
}

const rsa512 = rsaKey(512);
const rsa1024 = rsaKey(1024);
const rsa2048 = rsaKey(2048);
const pkcs1 = rsaKey(1024, 'pkcs1');
const ed25519 = ed25519Key();

describe('dkimKeyBits()', () => {
  test.each([
    ['rsa', rsa512, 512],
    ['rsa', rsa1024, 1024],
    ['rsa', rsa2048, 2048],
    ['rsa', pkcs1, 1024],
    ['ed25519', ed25519, 256],
  ])('%s key → %i bits', (keyType, key, bits) => {
    expect(dkimKeyBits(keyType, key)).toEqual({ bits });
  });

  test.each([
    ['rsa', 'AAAA', 'p= does not parse as an RSA public key'],
    ['rsa', 'not base64!', 'p= is not base64'],
    [
      'rsa',
      generateKeyPairSync('ec', { namedCurve: 'P-256' })
        .publicKey.export({ type: 'spki', format: 'der' })
        .toString('base64'),
      'p= holds an ec key, not an RSA one',
    ],
    ['ed25519', rsa1024, /^the ed25519 key is \d+ bytes, not 32$/],
    ['future', 'AAAA', 'k=future is a key type verifiers do not know'],
  ])('%s %s: a problem', (keyType, key, problem) => {
    const result = dkimKeyBits(keyType, key);
    expect(result.bits).toBeNull();
    expect(result.problem).toMatch(problem);
  });
});

describe('parseDkimRecord()', () => {
  test('rsa is the default key type, and the key may be folded with spaces', () => {
    const folded = `${rsa1024.slice(0, 60)} ${rsa1024.slice(60, 120)}\t${rsa1024.slice(120)}`;
    expect(parseDkimRecord(`p=${folded}`)).toMatchObject({
      keyType: 'rsa',
      bits: 1024,
      testing: false,
      revoked: false,
    });
  });

  test.each([
    ['v=DKIM1; t=y; p=%', { testing: true }],
    ['v=DKIM1; t=s:y; p=%', { testing: true }],
    ['v=DKIM1; t=s; p=%', { testing: false }],
    ['v=DKIM1; p=', { revoked: true, bits: null }],
    ['v=DKIM1; k=ed25519; p=AAAA', { keyType: 'ed25519', bits: null }],
    ['v=DKIM1; k=Future; p=AAAA', { keyType: 'Future', bits: null }],
  ])('%s', (record, expected) => {
    expect(parseDkimRecord(record.replace('%', rsa1024))).toMatchObject(expected);
  });

  test.each([
    ['v=DKIM1; k=rsa', 'no p= tag'],
    [`k=rsa; v=DKIM1; p=${rsa1024}`, 'v= must be the first tag'],
    [`v=DKIM2; p=${rsa1024}`, 'v=DKIM2 is not DKIM1: verifiers discard it'],
    [`v=DKIM1; p=${rsa1024}; p=${rsa512}`, 'p given twice'],
  ])('%s: %s', (record, problem) => {
    expect(parseDkimRecord(record).problem).toBe(problem);
  });

  test('a revoked key is no problem: the record says what it means', () => {
    expect(parseDkimRecord('v=DKIM1; p=').problem).toBeUndefined();
  });
});

describe('isDkimRecord()', () => {
  test.each([
    ['v=DKIM1; p=abc', true],
    ['p=abc', true],
    ['v=DKIM1', true],
    ['v=spf1 -all', false],
    ['google-site-verification=abc', false],
  ])('%s → %s', (text, expected) => {
    expect(isDkimRecord(text)).toBe(expected);
  });
});

describe('dkimSelectorsToTry()', () => {
  test('given selectors only, when there are any', () => {
    expect(dkimSelectorsToTry(['S1', 'mine', 's1', ' '], ['SendGrid'], ['aspmx.l.google.com'])).toEqual([
      { selector: 's1', source: 'given' },
      { selector: 'mine', source: 'given' },
    ]);
  });

  test("the providers' selectors first (SPF, then MX), then the common ones, each once", () => {
    expect(dkimSelectorsToTry([], ['SendGrid', 'Unknown Co'], ['ASPMX.L.GOOGLE.COM.'])).toEqual([
      { selector: 's1', source: 'provider', provider: 'SendGrid' },
      { selector: 's2', source: 'provider', provider: 'SendGrid' },
      { selector: 'google', source: 'provider', provider: 'Google Workspace' },
      ...COMMON_DKIM_SELECTORS.filter((selector) => selector !== 's1').map((selector) => ({
        selector,
        source: 'common',
      })),
    ]);
  });

  test(`at most ${MAX_DKIM_SELECTORS}`, () => {
    const many = Array.from({ length: 40 }, (_, index) => `s${index}`);
    expect(dkimSelectorsToTry(many, [], [])).toHaveLength(MAX_DKIM_SELECTORS);
    const providers = ['Mailgun', 'Mailchimp / Mandrill', 'Brevo', 'Fastmail', 'Microsoft 365', 'Zoho Mail'];
    const chosen = dkimSelectorsToTry([], providers, []);
    expect(chosen).toHaveLength(MAX_DKIM_SELECTORS);
    expect(chosen[0]).toEqual({ selector: 'k1', source: 'provider', provider: 'Mailgun' });
  });
});

describe('gatherDkim()', () => {
  let server: TestDnsServer;
  const domain = 'keys.test';
  const at = (selector: string) => `${selector}._domainkey.${domain}`;

  beforeAll(async () => {
    server = await startDnsServer({
      [at('rsa512')]: { TXT: [`v=DKIM1; k=rsa; p=${rsa512}`] },
      [at('rsa1024')]: { TXT: [`v=DKIM1; k=rsa; p=${rsa1024}`] },
      [at('rsa2048')]: { TXT: [chunked(`v=DKIM1; k=rsa; p=${rsa2048}`)] },
      [at('ed')]: { TXT: [`v=DKIM1; k=ed25519; p=${ed25519}`] },
      [at('revoked')]: { TXT: ['v=DKIM1; p='] },
      [at('testing')]: { TXT: [`v=DKIM1; t=y; p=${rsa1024}`] },
      [at('twice')]: { TXT: [`v=DKIM1; p=${rsa1024}`, `v=DKIM1; p=${rsa2048}`] },
      [at('broken')]: { TXT: ['v=DKIM1; p=QUJDRA=='] },
      [at('noise')]: { TXT: ['v=spf1 -all'] },
      [at('failing')]: { rcode: 'SERVFAIL' },
      [at('delegated')]: { CNAME: 's1.domainkey.u1.wl.sender.test' },
      's1.domainkey.u1.wl.sender.test': { CNAME: 'keys.sender.test' },
      'keys.sender.test': { TXT: [`v=DKIM1; p=${rsa2048}`] },
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  const dns = () => createPostureDns({ servers: [server.server], timeoutMs: 500, tries: 1 });
  const gather = async (selector: string) => {
    const [key] = await gatherDkim(dns(), domain, [{ selector, source: 'given' }]);
    return key!;
  };

  test.each([
    ['rsa512', 'rsa', 512],
    ['rsa1024', 'rsa', 1024],
    ['rsa2048', 'rsa', 2048],
    ['ed', 'ed25519', 256],
  ])('%s: a %s key of %i bits', async (selector, keyType, bits) => {
    const key = await gather(selector);
    expect(key).toMatchObject({ selector, name: at(selector), source: 'given', found: true, keyType, bits });
    expect(key.problem).toBeUndefined();
  });

  test('joins a key split over several strings', async () => {
    expect((await gather('rsa2048')).record).toBe(`v=DKIM1; k=rsa; p=${rsa2048}`);
  });

  test('a revoked key', async () => {
    expect(await gather('revoked')).toMatchObject({ found: true, revoked: true, bits: null });
  });

  test('a key in testing (t=y)', async () => {
    expect(await gather('testing')).toMatchObject({ found: true, testing: true, revoked: false, bits: 1024 });
  });

  test('a selector delegated by CNAME: the chain followed to its end', async () => {
    const key = await gather('delegated');
    expect(key).toMatchObject({ found: true, cname: 'keys.sender.test', bits: 2048 });
  });

  test('several key records are a problem', async () => {
    expect((await gather('twice')).problem).toBe('2 key records at the name: verifiers may use any one');
  });

  test('a key that does not parse is a problem', async () => {
    expect(await gather('broken')).toMatchObject({
      found: true,
      bits: null,
      problem: 'p= does not parse as an RSA public key',
    });
  });

  test('no key: not found, no problem', async () => {
    for (const selector of ['absent', 'noise']) {
      const key = await gather(selector);
      expect(key).toMatchObject({ found: false, testing: false, revoked: false });
      expect(key.problem).toBeUndefined();
      expect(key.lookupError).toBeUndefined();
    }
  });

  test('an unanswered lookup says so', async () => {
    const key = await gather('failing');
    expect(key.found).toBe(false);
    expect(key.lookupError).toContain(at('failing'));
  });

  test('keeps the order and the reasons of the selectors', async () => {
    const keys = await gatherDkim(dns(), domain, [
      { selector: 'rsa1024', source: 'provider', provider: 'SendGrid' },
      { selector: 'absent', source: 'common' },
    ]);
    expect(
      keys.map(({ selector, source, provider, found }) => ({ selector, source, provider, found })),
    ).toEqual([
      { selector: 'rsa1024', source: 'provider', provider: 'SendGrid', found: true },
      { selector: 'absent', source: 'common', provider: undefined, found: false },
    ]);
  });
});
