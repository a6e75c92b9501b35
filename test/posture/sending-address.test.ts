import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPostureDns, reverseName } from '../../src/posture/dns.js';
import { gatherSendingAddress } from '../../src/posture/sending-address.js';
import { type TestDnsServer, startDnsServer } from '../helpers/dns-server.js';

describe('gatherSendingAddress()', () => {
  let server: TestDnsServer;

  beforeAll(async () => {
    server = await startDnsServer({
      [reverseName('192.0.2.1')]: { PTR: ['elsewhere.sender.test', 'Mail.Sender.Test.'] },
      'elsewhere.sender.test': { A: ['192.0.2.99'] },
      'mail.sender.test': { A: ['192.0.2.1'] },
      [reverseName('192.0.2.2')]: { PTR: ['liar.sender.test'] },
      'liar.sender.test': { A: ['192.0.2.3'] },
      [reverseName('2001:db8::25')]: { PTR: ['v6.sender.test'] },
      'v6.sender.test': { AAAA: ['2001:0db8:0:0::25'], A: ['192.0.2.25'] },
      [reverseName('192.0.2.4')]: { PTR: ['broken.sender.test'] },
      'broken.sender.test': { rcode: 'SERVFAIL' },
      [reverseName('192.0.2.5')]: { rcode: 'SERVFAIL' },
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  const dns = () => createPostureDns({ servers: [server.server], timeoutMs: 500, tries: 1 });

  test('forward-confirmed when one PTR name resolves back to the address', async () => {
    expect(await gatherSendingAddress(dns(), '192.0.2.1')).toEqual({
      ip: '192.0.2.1',
      ptr: ['elsewhere.sender.test', 'mail.sender.test'],
      forwardConfirmed: true,
    });
  });

  test('not confirmed when the PTR name resolves elsewhere', async () => {
    expect(await gatherSendingAddress(dns(), '192.0.2.2')).toEqual({
      ip: '192.0.2.2',
      ptr: ['liar.sender.test'],
      forwardConfirmed: false,
    });
  });

  test('IPv6: AAAA asked, spellings compared as addresses', async () => {
    expect(await gatherSendingAddress(dns(), '2001:0DB8:0::25')).toMatchObject({
      ptr: ['v6.sender.test'],
      forwardConfirmed: true,
    });
    expect(server.queries).not.toContain('v6.sender.test A');
  });

  test('no PTR record', async () => {
    expect(await gatherSendingAddress(dns(), '192.0.2.77')).toEqual({
      ip: '192.0.2.77',
      ptr: [],
      forwardConfirmed: false,
    });
  });

  test('an unanswered forward lookup is said when nothing confirmed', async () => {
    const facts = await gatherSendingAddress(dns(), '192.0.2.4');
    expect(facts.forwardConfirmed).toBe(false);
    expect(facts.lookupError).toContain('broken.sender.test');
  });

  test('an unanswered PTR lookup', async () => {
    const facts = await gatherSendingAddress(dns(), '192.0.2.5');
    expect(facts).toMatchObject({ ptr: [], forwardConfirmed: false });
    expect(facts.lookupError).toContain('in-addr.arpa');
  });

  test('not an address: said, nothing asked', async () => {
    const before = server.queries.length;
    expect(await gatherSendingAddress(dns(), 'mail.sender.test')).toEqual({
      ip: 'mail.sender.test',
      ptr: [],
      forwardConfirmed: false,
      lookupError: 'mail.sender.test is not an IP address',
    });
    expect(server.queries.length).toBe(before);
  });
});
