import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { gatherBimi, isBimiRecord, parseBimiRecord } from '../../src/posture/bimi-record.js';
import { createPostureDns } from '../../src/posture/dns.js';
import { type TestDnsServer, startDnsServer } from '../helpers/dns-server.js';

const LOGO = 'https://brand.test/logo.svg';
const VMC = 'https://brand.test/vmc.pem';

describe('parseBimiRecord()', () => {
  test('logo and mark certificate', () => {
    expect(parseBimiRecord(`v=BIMI1; l=${LOGO}; a=${VMC}`)).toEqual({
      tags: { v: 'BIMI1', l: LOGO, a: VMC },
      logo: LOGO,
      authority: VMC,
      problems: [],
    });
  });

  test('an empty l= declines BIMI, which is no problem', () => {
    expect(parseBimiRecord('v=BIMI1; l=;')).toMatchObject({ logo: '', problems: [] });
  });

  test.each([
    ['v=BIMI1; a=https://brand.test/vmc.pem', 'no l= tag: the logo URL is required (empty to decline BIMI)'],
    ['v=BIMI1; l=http://brand.test/logo.svg', 'l=http://brand.test/logo.svg: must be an https: URL'],
    [
      'v=BIMI1; l=https://brand.test/logo.png',
      'l=https://brand.test/logo.png: expected an SVG Tiny PS logo (a .svg file)',
    ],
    ['v=BIMI1; l=logo.svg', 'l=logo.svg: not a URL'],
    [
      `v=BIMI1; l=${LOGO}; a=https://brand.test/vmc.crt`,
      'a=https://brand.test/vmc.crt: expected a mark certificate (a .pem file)',
    ],
    [`v=BIMI1; l=${LOGO}; a=http://brand.test/vmc.pem`, 'a=http://brand.test/vmc.pem: must be an https: URL'],
    [`v=BIMI1; l=${LOGO}; l=${LOGO}`, 'l= is given twice'],
    [`v=BIMI1; l=${LOGO}; logo`, 'logo: not a tag=value pair'],
    [`l=${LOGO}; v=BIMI1`, 'a BIMI record starts with v=BIMI1'],
  ])('%s: %s', (record, problem) => {
    expect(parseBimiRecord(record).problems).toEqual([problem]);
  });
});

describe('isBimiRecord()', () => {
  test.each([
    ['v=BIMI1; l=', true],
    ['v=BIMI1', true],
    ['v=BIMI10; l=', false],
    ['v=DMARC1; p=none', false],
  ])('%s → %s', (text, expected) => {
    expect(isBimiRecord(text)).toBe(expected);
  });
});

describe('gatherBimi()', () => {
  let server: TestDnsServer;

  beforeAll(async () => {
    server = await startDnsServer({
      'default._bimi.brand.test': { TXT: [[`v=BIMI1; l=${LOGO};`, ` a=${VMC}`]] },
      'default._bimi.declines.test': { TXT: ['v=BIMI1; l=; a='] },
      'default._bimi.twice.test': { TXT: [`v=BIMI1; l=${LOGO}`, 'v=BIMI1; l='] },
      'default._bimi.noise.test': { TXT: ['some verification token'] },
      'default._bimi.failing.test': { rcode: 'SERVFAIL' },
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  const dns = () => createPostureDns({ servers: [server.server], timeoutMs: 500, tries: 1 });

  test('a record split over strings', async () => {
    expect(await gatherBimi(dns(), 'brand.test')).toEqual({
      name: 'default._bimi.brand.test',
      record: `v=BIMI1; l=${LOGO}; a=${VMC}`,
      logo: LOGO,
      authority: VMC,
      problems: [],
    });
  });

  test('a domain that declines BIMI', async () => {
    expect(await gatherBimi(dns(), 'declines.test')).toEqual({
      name: 'default._bimi.declines.test',
      record: 'v=BIMI1; l=; a=',
      logo: '',
      problems: [],
    });
  });

  test('no record (other TXT text is not one)', async () => {
    for (const domain of ['none.test', 'noise.test']) {
      expect(await gatherBimi(dns(), domain)).toEqual({
        name: `default._bimi.${domain}`,
        record: null,
        problems: [],
      });
    }
  });

  test('several records: none is used', async () => {
    expect(await gatherBimi(dns(), 'twice.test')).toEqual({
      name: 'default._bimi.twice.test',
      record: null,
      problems: ['2 v=BIMI1 records at default._bimi.twice.test: receivers use none'],
    });
  });

  test('an unanswered lookup', async () => {
    const facts = await gatherBimi(dns(), 'failing.test');
    expect(facts.record).toBeNull();
    expect(facts.lookupError).toContain('default._bimi.failing.test');
  });
});
