import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeBlocklistAnswer } from '../../src/posture/blocklist-codes.js';
import {
  DEFAULT_BLOCKLIST_ZONES,
  MAX_BLOCKLIST_LOOKUPS,
  MAX_BLOCKLIST_QUESTIONS,
  blocklistQueryName,
  gatherBlocklists,
  parseBlocklistZones,
} from '../../src/posture/blocklists.js';
import { createPostureDns } from '../../src/posture/dns.js';
import type { BlocklistZone } from '../../src/posture/transport-types.js';
import { type DnsRecords, type TestDnsServer, startDnsServer } from '../helpers/dns-server.js';

const ZEN: BlocklistZone = { zone: 'zen.spamhaus.org', kind: 'ip', name: 'Spamhaus ZEN' };
const DBL: BlocklistZone = { zone: 'dbl.spamhaus.org', kind: 'domain', name: 'Spamhaus DBL' };
const SPAMCOP: BlocklistZone = { zone: 'bl.spamcop.net', kind: 'ip', name: 'SpamCop' };
const PSBL: BlocklistZone = { zone: 'psbl.surriel.com', kind: 'ip', name: 'PSBL' };
const SURBL: BlocklistZone = { zone: 'multi.surbl.org', kind: 'domain', name: 'SURBL' };
const LOCAL: BlocklistZone = { zone: 'bl.local.test', kind: 'ip', name: 'bl.local.test' };

/** The address whose ZEN answer is `codes`: one test address per return code. */
const zenAnswers: Record<string, string[]> = {
  '192.0.2.2': ['127.0.0.2'],
  '192.0.2.3': ['127.0.0.3'],
  '192.0.2.4': ['127.0.0.4'],
  '192.0.2.5': ['127.0.0.5'],
  '192.0.2.6': ['127.0.0.6'],
  '192.0.2.7': ['127.0.0.7'],
  '192.0.2.9': ['127.0.0.9'],
  '192.0.2.10': ['127.0.0.10'],
  '192.0.2.11': ['127.0.0.11'],
  '192.0.2.30': ['127.0.0.30'],
  '192.0.2.99': ['127.0.0.99'],
  '192.0.2.20': ['127.0.0.2', '127.0.0.4', '127.0.0.10'],
  '198.51.100.252': ['127.255.255.252'],
  '198.51.100.253': ['127.255.255.253'],
  '198.51.100.254': ['127.255.255.254'],
  '198.51.100.255': ['127.255.255.255'],
  '198.51.100.1': ['127.0.0.2', '127.255.255.254'],
  '198.51.100.80': ['203.0.113.80'],
};

const dblAnswers: Record<string, string[]> = {
  'spam.test': ['127.0.1.2'],
  'phish.test': ['127.0.1.4'],
  'malware.test': ['127.0.1.5'],
  'botnet.test': ['127.0.1.6'],
  'abused-spam.test': ['127.0.1.102'],
  'abused-redirector.test': ['127.0.1.103'],
  'abused-phish.test': ['127.0.1.104'],
  'abused-malware.test': ['127.0.1.105'],
  'abused-cc.test': ['127.0.1.106'],
  'typo.test': ['127.255.255.252'],
  'public.test': ['127.255.255.254'],
  'limit.test': ['127.255.255.255'],
  'asked-an-ip.test': ['127.0.1.255'],
};

function table(): Record<string, DnsRecords> {
  const records: Record<string, DnsRecords> = {};
  for (const [address, codes] of Object.entries(zenAnswers))
    records[blocklistQueryName(address, ZEN.zone)] = { A: codes };
  for (const [domain, codes] of Object.entries(dblAnswers)) records[`${domain}.${DBL.zone}`] = { A: codes };
  records[blocklistQueryName('192.0.2.2', ZEN.zone)] = {
    A: ['127.0.0.2'],
    TXT: ['Listed by SBL, see https://check.spamhaus.org/sbl/query/SBL1'],
  };
  records[blocklistQueryName('192.0.2.40', SPAMCOP.zone)] = {
    A: ['127.0.0.2'],
    TXT: [['Blocked - see ', 'https://www.spamcop.net/bl.shtml?192.0.2.40']],
  };
  records[blocklistQueryName('192.0.2.40', LOCAL.zone)] = { A: ['127.0.0.5'] };
  records[blocklistQueryName('192.0.2.41', ZEN.zone)] = { TXT: ['a name with no A record'] };
  records[blocklistQueryName('192.0.2.42', ZEN.zone)] = { rcode: 'SERVFAIL' };
  records[blocklistQueryName('192.0.2.43', ZEN.zone)] = { silent: true };
  records[blocklistQueryName('2001:db8::25', ZEN.zone)] = { A: ['127.0.0.3'] };
  records[`bitmask.test.${SURBL.zone}`] = { A: ['127.0.0.80'] };
  records[`blocked.test.${SURBL.zone}`] = { A: ['127.0.0.1'] };
  return records;
}

describe('gatherBlocklists()', () => {
  let server: TestDnsServer;

  beforeAll(async () => {
    server = await startDnsServer(table());
  });

  afterAll(async () => {
    await server?.close();
  });

  const dns = () => createPostureDns({ servers: [server.server], timeoutMs: 300, tries: 1 });
  const askIp = async (address: string, list = ZEN) => {
    const facts = await gatherBlocklists(dns(), [list], {
      sendingIp: address,
      mxAddresses: [],
      domain: 'x.test',
    });
    expect(facts.results).toHaveLength(1);
    return facts.results[0]!;
  };
  const askDomain = async (domain: string, list = DBL) => {
    const facts = await gatherBlocklists(dns(), [list], { mxAddresses: [], domain });
    expect(facts.results).toHaveLength(1);
    return facts.results[0]!;
  };

  test.each([
    ['192.0.2.2', /^SBL:/],
    ['192.0.2.3', /^SBL CSS:/],
    ['192.0.2.4', /^XBL:/],
    ['192.0.2.5', /^XBL:/],
    ['192.0.2.6', /^XBL:/],
    ['192.0.2.7', /^XBL:/],
    ['192.0.2.9', /^DROP:/],
    ['192.0.2.10', /^PBL \(set by the network owner\)/],
    ['192.0.2.11', /^PBL \(set by Spamhaus\)/],
    ['192.0.2.30', /^BCL:/],
    ['192.0.2.99', /^listed \(code 127\.0\.0\.99, which Spamhaus ZEN does not document\)$/],
  ])('ZEN: %s is listed, and its code says which list', async (address, meaning) => {
    const result = await askIp(address);
    expect(result).toMatchObject({
      zone: 'zen.spamhaus.org',
      name: 'Spamhaus ZEN',
      subject: address,
      subjectRole: 'sending',
      status: 'listed',
      codes: zenAnswers[address],
    });
    expect(result.meanings).toHaveLength(1);
    expect(result.meanings[0]).toMatch(meaning);
  });

  test('ZEN: several codes in one answer are each decoded', async () => {
    const result = await askIp('192.0.2.20');
    expect(result.status).toBe('listed');
    expect(result.meanings.map((meaning) => meaning.split(/[ :]/)[0])).toEqual(['SBL', 'XBL', 'PBL']);
  });

  test("a listing carries the list's TXT reason, chunks joined", async () => {
    expect(await askIp('192.0.2.2')).toMatchObject({
      text: 'Listed by SBL, see https://check.spamhaus.org/sbl/query/SBL1',
    });
    expect(await askIp('192.0.2.40', SPAMCOP)).toMatchObject({
      status: 'listed',
      meanings: [expect.stringMatching(/^SpamCop:/)],
      text: 'Blocked - see https://www.spamcop.net/bl.shtml?192.0.2.40',
    });
  });

  test.each([
    ['198.51.100.252', /malformed/],
    ['198.51.100.253', /error code 127\.255\.255\.253/],
    ['198.51.100.254', /public or open resolver/],
    ['198.51.100.255', /too many queries/],
    ['198.51.100.1', /public or open resolver/],
  ])('Spamhaus refusal from %s: refused, never listed', async (address, meaning) => {
    const result = await askIp(address);
    expect(result.status).toBe('refused');
    expect(result.meanings.join(' ')).toMatch(meaning);
    expect(result.meanings.join(' ')).toMatch(/not a listing/);
    expect(result).not.toHaveProperty('text');
  });

  test.each([
    ['spam.test', 'listed', /spam domain/],
    ['phish.test', 'listed', /phishing domain/],
    ['malware.test', 'listed', /malware domain/],
    ['botnet.test', 'listed', /command-and-control/],
    ['abused-spam.test', 'listed', /legitimate domain abused for spam/],
    ['abused-redirector.test', 'listed', /abused as a redirector/],
    ['abused-phish.test', 'listed', /abused for phishing/],
    ['abused-malware.test', 'listed', /abused to spread malware/],
    ['abused-cc.test', 'listed', /abused for botnet command and control/],
    ['typo.test', 'refused', /malformed/],
    ['public.test', 'refused', /public or open resolver/],
    ['limit.test', 'refused', /too many queries/],
    ['asked-an-ip.test', 'refused', /IP address was asked of a domain list/],
  ])('DBL: %s is %s', async (domain, status, meaning) => {
    const result = await askDomain(domain);
    expect(result).toMatchObject({
      subject: domain,
      subjectRole: 'domain',
      status,
      codes: dblAnswers[domain],
    });
    expect(result.meanings[0]).toMatch(meaning);
  });

  test('an answer outside 127.0.0.0/8 is an error that names NXDOMAIN rewriting, not a listing', async () => {
    const result = await askIp('198.51.100.80');
    expect(result.status).toBe('error');
    expect(result.codes).toEqual(['203.0.113.80']);
    expect(result.problem).toMatch(/outside 127\.0\.0\.0\/8.*rewrites "no such name"/);
  });

  test('NXDOMAIN, or a name without an A record, is not listed', async () => {
    expect(await askIp('192.0.2.200')).toMatchObject({ status: 'not-listed', codes: [], meanings: [] });
    expect(await askIp('192.0.2.41')).toMatchObject({ status: 'not-listed' });
    expect(await askDomain('clean.test')).toMatchObject({ status: 'not-listed' });
  });

  test('SERVFAIL and a timeout are errors, with the question named', async () => {
    const servfail = await askIp('192.0.2.42');
    expect(servfail.status).toBe('error');
    expect(servfail.problem).toContain('SERVFAIL');
    const timeout = await askIp('192.0.2.43');
    expect(timeout.status).toBe('error');
    expect(timeout.problem).toContain(blocklistQueryName('192.0.2.43', ZEN.zone));
  });

  test('a list smtp-check does not know: any 127 code is a listing', async () => {
    expect(await askIp('192.0.2.40', LOCAL)).toMatchObject({
      status: 'listed',
      meanings: ['listed (code 127.0.0.5)'],
    });
  });

  test('SURBL: the last octet is decoded as a bitmask; 127.0.0.1 is a refusal', async () => {
    expect(await askDomain('bitmask.test', SURBL)).toMatchObject({
      status: 'listed',
      meanings: ['SURBL: MW (malware), ABUSE (spam)'],
    });
    expect(await askDomain('blocked.test', SURBL)).toMatchObject({ status: 'refused' });
  });

  test('IPv6: asked as 32 reversed nibbles, of ZEN only (SpamCop and PSBL publish no IPv6 data)', async () => {
    const before = server.queries.length;
    const facts = await gatherBlocklists(dns(), [ZEN, SPAMCOP, PSBL], {
      mxAddresses: [{ address: '2001:0DB8::25' }],
      domain: 'x.test',
    });
    expect(facts.results).toEqual([
      expect.objectContaining({ zone: 'zen.spamhaus.org', subjectRole: 'mx', status: 'listed' }),
    ]);
    expect(server.queries.slice(before)).toEqual([
      `5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org A`,
      `5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org TXT`,
    ]);
  });

  test('every subject against its lists: sending, each MX address once, then the domain; resolver named', async () => {
    const facts = await gatherBlocklists(dns(), [ZEN, SPAMCOP, DBL], {
      sendingIp: '192.0.2.2',
      mxAddresses: [{ address: '192.0.2.40' }, { address: '192.0.2.40' }, { address: '192.0.2.200' }],
      domain: 'Spam.Test.',
    });
    expect(facts.resolver).toBe(server.server);
    expect(facts.zones).toEqual([ZEN, SPAMCOP, DBL]);
    expect(
      facts.results.map((result) => [result.subjectRole, result.subject, result.zone, result.status]),
    ).toEqual([
      ['sending', '192.0.2.2', 'zen.spamhaus.org', 'listed'],
      ['sending', '192.0.2.2', 'bl.spamcop.net', 'not-listed'],
      ['mx', '192.0.2.40', 'zen.spamhaus.org', 'not-listed'],
      ['mx', '192.0.2.40', 'bl.spamcop.net', 'listed'],
      ['mx', '192.0.2.200', 'zen.spamhaus.org', 'not-listed'],
      ['mx', '192.0.2.200', 'bl.spamcop.net', 'not-listed'],
      ['domain', 'spam.test', 'dbl.spamhaus.org', 'listed'],
    ]);
  });

  test('bounded: the sending address and domain always asked, MX addresses until the limit, the rest said', async () => {
    const resolver = dns();
    const mxAddresses = Array.from({ length: 40 }, (_, index) => ({ address: `203.0.113.${index + 1}` }));
    const facts = await gatherBlocklists(resolver, [ZEN, SPAMCOP, PSBL, DBL], {
      sendingIp: '192.0.2.2',
      mxAddresses,
      domain: 'spam.test',
    });
    expect(facts.results).toHaveLength(3 + 40 * 3 + 1);
    const notAsked = facts.results.filter((result) => result.problem?.startsWith('not asked'));
    expect(notAsked.length).toBe(3 + 40 * 3 + 1 - MAX_BLOCKLIST_LOOKUPS);
    expect(notAsked.every((result) => result.status === 'error' && result.subjectRole === 'mx')).toBe(true);
    expect(resolver.queries().sent).toBeLessThanOrEqual(MAX_BLOCKLIST_QUESTIONS);
    expect(resolver.queries().log.filter((entry) => entry.type === 'A')).toHaveLength(MAX_BLOCKLIST_LOOKUPS);
  });

  test('a sending address that is not an address is said, and nothing asked for it', async () => {
    const before = server.queries.length;
    const facts = await gatherBlocklists(dns(), [ZEN], {
      sendingIp: 'mail.x.test',
      mxAddresses: [],
      domain: 'x',
    });
    expect(facts.results).toEqual([
      expect.objectContaining({ status: 'error', problem: 'not asked: mail.x.test is not an IP address' }),
    ]);
    expect(server.queries.length).toBe(before);
  });
});

describe('blocklistQueryName()', () => {
  test('IPv4: reversed octets under the zone', () => {
    expect(blocklistQueryName('192.0.2.99', 'zen.spamhaus.org')).toBe('99.2.0.192.zen.spamhaus.org');
  });

  test('IPv6: 32 nibbles, least significant first', () => {
    const name = blocklistQueryName('2001:db8:1::ab', 'zen.spamhaus.org');
    expect(name).toBe('b.a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org');
    expect(name.split('.').length - 3).toBe(32);
  });
});

describe('decodeBlocklistAnswer()', () => {
  test('a refusal code is never a listing, even beside a listing code', () => {
    expect(decodeBlocklistAnswer(ZEN, ['127.0.0.4', '127.255.255.255']).status).toBe('refused');
  });

  test('a foreign address beside a listing code: listed, with the foreign one as a problem', () => {
    const decoded = decodeBlocklistAnswer(SPAMCOP, ['127.0.0.2', '198.51.100.9']);
    expect(decoded.status).toBe('listed');
    expect(decoded.problem).toContain('198.51.100.9');
  });
});

describe('parseBlocklistZones()', () => {
  test('known lists get their kind and name, in the order written', () => {
    expect(parseBlocklistZones('zen.spamhaus.org, bl.spamcop.net  DBL.Spamhaus.org.')).toEqual({
      zones: [ZEN, SPAMCOP, DBL],
    });
  });

  test('the defaults are ZEN, SpamCop, PSBL and DBL', () => {
    expect(DEFAULT_BLOCKLIST_ZONES).toEqual([ZEN, SPAMCOP, PSBL, DBL]);
  });

  test('an unknown zone is an IP list named by its zone; domain: makes it a domain list', () => {
    expect(parseBlocklistZones('bl.local.test,domain:uribl.local.test,ip:other.local.test')).toEqual({
      zones: [
        LOCAL,
        { zone: 'uribl.local.test', kind: 'domain', name: 'uribl.local.test' },
        { zone: 'other.local.test', kind: 'ip', name: 'other.local.test' },
      ],
    });
  });

  test('a zone written twice is asked once; "none" asks nothing', () => {
    expect(parseBlocklistZones('zen.spamhaus.org zen.spamhaus.org')).toEqual({ zones: [ZEN] });
    expect(parseBlocklistZones('none')).toEqual({ zones: [] });
  });

  test('garbage: each bad entry named, and how to write the setting', () => {
    const parsed = parseBlocklistZones('zen.spamhaus.org, http://bl.example, bad_zone-.test');
    expect(parsed).toHaveProperty('error');
    const { error } = parsed as { error: string };
    expect(error).toContain('"http://bl.example" is not a DNS zone name');
    expect(error).toContain('"bad_zone-.test" is not a DNS zone name');
    expect(error).toContain('separated by commas or spaces');
    expect(error).toContain('domain:zone.example');
  });

  test('a known list with the wrong kind written, an empty setting, too many lists', () => {
    expect(parseBlocklistZones('domain:zen.spamhaus.org')).toEqual({
      error: expect.stringContaining('zen.spamhaus.org is a list of addresses: write it without "domain:"'),
    });
    expect(parseBlocklistZones(' , ')).toEqual({ error: expect.stringContaining('no zone is named') });
    const many = Array.from({ length: 9 }, (_, index) => `bl${index}.local.test`).join(',');
    expect(parseBlocklistZones(many)).toEqual({ error: expect.stringContaining('at most 8') });
  });
});
