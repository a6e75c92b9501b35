import { promises as dns } from 'node:dns';
import { expect, test } from 'vitest';
import { createResolver } from '../../src/probe/index.js';

test('a resolver left on the system servers is sent to a closed loopback port, not the network', async () => {
  expect(new dns.Resolver().getServers()).toEqual(['127.0.0.1:9']);
  expect(dns.getServers()).toEqual(['127.0.0.1:9']);
  await expect(createResolver().resolve4('example.com')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
});
