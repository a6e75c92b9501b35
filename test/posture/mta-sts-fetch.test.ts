import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Server, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createPostureDns } from '../../src/posture/dns.js';
import { MAX_POLICY_BYTES, fetchMtaStsPolicy } from '../../src/posture/mta-sts-fetch.js';
import { fetchMtaSts, gatherMtaSts } from '../../src/posture/mta-sts.js';
import type { Port25Evidence } from '../../src/posture/transport-types.js';
import { type TestCa, type TestCertificate, createTestCa } from '../helpers/certs.js';
import { type TestDnsServer, startDnsServer } from '../helpers/dns-server.js';
import { aCertificate } from '../helpers/probe-builders.js';

// A real HTTPS server on 127.0.0.1, port 0, with a certificate from the run's test CA, and the
// test DNS server pointing mta-sts.example.test at it: the fetch runs as it does in production.

const POLICY = 'version: STSv1\r\nmode: enforce\r\nmx: *.example.test\r\nmax_age: 86400\r\n';
const PATH = '/.well-known/mta-sts.txt';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

interface PolicyServer {
  port: number;
  /** Each request: path, Host header, and the SNI name the client sent. */
  requests: Array<{ path: string; host: string | undefined; servername: string | null }>;
  /** TCP connections accepted (a refused address must open none). */
  connections: number;
  close(): Promise<void>;
}

const servers: Server[] = [];

async function startPolicyServer(certificate: TestCertificate, handler: Handler): Promise<PolicyServer> {
  const requests: PolicyServer['requests'] = [];
  const server = createServer({ key: certificate.key, cert: certificate.cert }, (request, response) => {
    const servername = (request.socket as TLSSocket).servername || null;
    requests.push({ path: request.url ?? '', host: request.headers.host, servername });
    handler(request, response);
  });
  servers.push(server);
  const state = { connections: 0 };
  server.on('connection', () => {
    state.connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    get connections() {
      return state.connections;
    },
    close: () => closeServer(server),
  };
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function textPolicy(body: string, contentType = 'text/plain; charset=utf-8'): Handler {
  return (_, response) => {
    response.writeHead(200, { 'content-type': contentType });
    response.end(body);
  };
}

let ca: TestCa;
let dnsServer: TestDnsServer;
const LOOPBACK_ONLY = (address: string) =>
  address === '127.0.0.1' ? null : 'not a loopback address in this test';

beforeAll(async () => {
  ca = createTestCa();
  dnsServer = await startDnsServer({
    'mta-sts.example.test': { A: ['127.0.0.1'] },
    '_mta-sts.example.test': { TXT: ['v=STSv1; id=20260301'] },
    'mta-sts.private.test': { A: ['10.1.2.3'] },
    'nohost.test': { A: ['127.0.0.1'] },
  });
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => (server.listening ? closeServer(server) : undefined)));
});

afterAll(async () => {
  await dnsServer?.close();
});

const dns = () => createPostureDns({ servers: [dnsServer.server], timeoutMs: 500, tries: 1 });
const goodCertificate = () => ca.issue({ commonName: 'mta-sts.example.test' });

async function fetchFrom(server: PolicyServer, overrides: { timeoutMs?: number; ca?: string[] } = {}) {
  return fetchMtaStsPolicy(dns(), 'example.test', {
    allowAddress: LOOPBACK_ONLY,
    ca: [ca.cert],
    port: server.port,
    ...overrides,
  });
}

describe('fetchMtaStsPolicy()', () => {
  test('fetches the policy over HTTPS, naming the policy host in SNI and Host', async () => {
    const server = await startPolicyServer(goodCertificate(), textPolicy(POLICY));
    const download = await fetchFrom(server);
    expect(download).toEqual({
      fetch: {
        url: 'https://mta-sts.example.test/.well-known/mta-sts.txt',
        outcome: 'fetched',
        status: 200,
        contentType: 'text/plain; charset=utf-8',
        bytes: Buffer.byteLength(POLICY),
      },
      text: POLICY,
    });
    expect(server.requests).toEqual([
      { path: PATH, host: 'mta-sts.example.test', servername: 'mta-sts.example.test' },
    ]);
  });

  test('does not follow a redirect, and says where it pointed', async () => {
    const server = await startPolicyServer(goodCertificate(), (request, response) => {
      if (request.url === PATH) response.writeHead(301, { location: '/moved.txt' }).end();
      else textPolicy(POLICY)(request, response);
    });
    const { fetch, text } = await fetchFrom(server);
    expect(text).toBeNull();
    expect(fetch).toMatchObject({ outcome: 'unreachable', status: 301, redirect: '/moved.txt' });
    expect(fetch.problem).toBe(
      'answered HTTP 301 Moved Permanently to /moved.txt: senders do not follow redirects (RFC 8461 §3.3)',
    );
    expect(server.requests.map((request) => request.path)).toEqual([PATH]);
  });

  test('refuses a policy served as another media type', async () => {
    const server = await startPolicyServer(goodCertificate(), textPolicy(POLICY, 'text/html; charset=utf-8'));
    const { fetch, text } = await fetchFrom(server);
    expect(text).toBeNull();
    expect(fetch).toMatchObject({
      outcome: 'unreachable',
      status: 200,
      contentType: 'text/html; charset=utf-8',
      problem: 'the policy is served as text/html; charset=utf-8: senders need text/plain (RFC 8461 §3.3)',
    });
  });

  test('stops reading a policy larger than 64 KB, even without a Content-Length', async () => {
    const server = await startPolicyServer(goodCertificate(), (_, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      // Chunked: the size is only known by reading.
      for (let chunk = 0; chunk < 70; chunk += 1) response.write(`${'#'.repeat(1023)}\n`);
      response.end(POLICY);
    });
    const { fetch, text } = await fetchFrom(server);
    expect(text).toBeNull();
    expect(fetch).toMatchObject({
      outcome: 'unreachable',
      status: 200,
      problem: 'the policy is larger than 64 KB: senders stop reading it',
    });
  });

  test('refuses a declared size over 64 KB before reading', async () => {
    const body = 'x'.repeat(MAX_POLICY_BYTES + 1);
    const server = await startPolicyServer(goodCertificate(), (_, response) => {
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length }).end(body);
    });
    const { fetch } = await fetchFrom(server);
    expect(fetch.problem).toBe(
      `the policy is larger than 64 KB (${MAX_POLICY_BYTES + 1} bytes): senders stop reading it`,
    );
  });

  test('reads a policy of exactly 64 KB', async () => {
    const body = `${POLICY}${'#'.repeat(MAX_POLICY_BYTES - POLICY.length)}`;
    const server = await startPolicyServer(goodCertificate(), textPolicy(body, 'text/plain'));
    const { fetch, text } = await fetchFrom(server);
    expect(fetch).toMatchObject({ outcome: 'fetched', bytes: MAX_POLICY_BYTES });
    expect(text).toBe(body);
  });

  test('refuses a certificate for another name', async () => {
    const server = await startPolicyServer(ca.issue({ commonName: 'www.example.test' }), textPolicy(POLICY));
    const { fetch, text } = await fetchFrom(server);
    expect(text).toBeNull();
    expect(fetch.outcome).toBe('unreachable');
    expect(fetch.problem).toBe(
      'the certificate is not valid for mta-sts.example.test: it names www.example.test (ERR_TLS_CERT_ALTNAME_INVALID)',
    );
    expect(server.requests).toEqual([]);
  });

  test('refuses a certificate from an issuer senders do not trust', async () => {
    const stranger = createTestCa('a CA no sender trusts');
    const server = await startPolicyServer(
      stranger.issue({ commonName: 'mta-sts.example.test' }),
      textPolicy(POLICY),
    );
    const { fetch } = await fetchFrom(server);
    expect(fetch.outcome).toBe('unreachable');
    expect(fetch.problem).toMatch(
      /^the certificate of mta-sts\.example\.test comes from an issuer senders do not trust/,
    );
    expect(fetch.problem).toMatch(/\(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)$/);
    expect(server.requests).toEqual([]);
  });

  test('trusts the test CA only when it is passed: Node bundled roots alone refuse it', async () => {
    const server = await startPolicyServer(goodCertificate(), textPolicy(POLICY));
    const { fetch } = await fetchFrom(server, { ca: [] });
    expect(fetch.outcome).toBe('unreachable');
    expect(fetch.problem).toMatch(/\(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)$/);
  });

  test('reports a 404 with its status', async () => {
    const server = await startPolicyServer(goodCertificate(), (_, response) => {
      response.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not here</h1>');
    });
    const { fetch } = await fetchFrom(server);
    expect(fetch).toMatchObject({
      outcome: 'unreachable',
      status: 404,
      problem: 'answered HTTP 404 Not Found: senders need 200 OK',
    });
  });

  test('gives up on a server that never answers', async () => {
    const server = await startPolicyServer(goodCertificate(), () => {});
    const { fetch, text } = await fetchFrom(server, { timeoutMs: 500 });
    expect(text).toBeNull();
    expect(fetch.outcome).toBe('unreachable');
    expect(fetch.problem).toBe('no complete answer from 127.0.0.1 within 0.5 s');
  });

  test('never dials an address the target policy refuses', async () => {
    const server = await startPolicyServer(goodCertificate(), textPolicy(POLICY));
    const { fetch } = await fetchMtaStsPolicy(dns(), 'example.test', {
      allowAddress: (address) => `${address} is a loopback address`,
      ca: [ca.cert],
      port: server.port,
    });
    expect(fetch).toEqual({
      url: 'https://mta-sts.example.test/.well-known/mta-sts.txt',
      outcome: 'unreachable',
      problem:
        'mta-sts.example.test resolves only to addresses that are not dialled: 127.0.0.1 (127.0.0.1 is a loopback address)',
    });
    expect(server.connections).toBe(0);
  });

  test('names each refused address with the target policy reason', async () => {
    const { fetch } = await fetchMtaStsPolicy(dns(), 'private.test', { allowAddress: LOOPBACK_ONLY });
    expect(fetch.problem).toBe(
      'mta-sts.private.test resolves only to addresses that are not dialled: 10.1.2.3 (not a loopback address in this test)',
    );
  });

  test('says so when the policy host does not resolve', async () => {
    const { fetch } = await fetchMtaStsPolicy(dns(), 'nohost.test', { allowAddress: LOOPBACK_ONLY });
    expect(fetch).toMatchObject({
      outcome: 'unreachable',
      problem: 'mta-sts.nohost.test does not exist (NXDOMAIN): senders cannot fetch the policy',
    });
  });

  test('reports a refused connection', async () => {
    const server = await startPolicyServer(goodCertificate(), textPolicy(POLICY));
    await server.close();
    const { fetch } = await fetchFrom(server);
    expect(fetch).toMatchObject({
      outcome: 'unreachable',
      problem: `127.0.0.1 refused the connection on port ${server.port} (ECONNREFUSED)`,
    });
  });
});

describe('fetchMtaSts() and gatherMtaSts()', () => {
  const evidence: Port25Evidence = {
    exchange: 'mx1.example.test',
    address: '192.0.2.25',
    port: 25,
    class: 'open-starttls',
    greetingName: 'mx1.example.test',
    ehloName: 'mx1.example.test',
    tls: true,
    certificate: aCertificate({ subjectAltNames: ['mx1.example.test'] }),
  };

  test('record, policy, then each MX host against it', async () => {
    const server = await startPolicyServer(goodCertificate(), textPolicy(POLICY));
    const options = { allowAddress: LOOPBACK_ONLY, ca: [ca.cert], port: server.port };
    const facts = await gatherMtaSts(
      dns(),
      'example.test',
      ['mx1.example.test', 'mx.other.test'],
      [evidence],
      options,
    );
    expect(facts).toMatchObject({
      recordName: '_mta-sts.example.test',
      record: 'v=STSv1; id=20260301',
      id: '20260301',
      recordProblems: [],
      fetch: { outcome: 'fetched', status: 200 },
      policy: { mode: 'enforce', maxAge: 86400, mx: ['*.example.test'], problems: [] },
      coverage: [
        { exchange: 'mx1.example.test', pattern: '*.example.test', certificate: 'valid' },
        { exchange: 'mx.other.test', pattern: null, certificate: 'not-probed' },
      ],
    });
  });

  test('fetches nothing without a usable record', async () => {
    const server = await startPolicyServer(goodCertificate(), textPolicy(POLICY));
    const facts = await fetchMtaSts(dns(), 'nohost.test', { allowAddress: LOOPBACK_ONLY, port: server.port });
    expect(facts).toMatchObject({
      record: null,
      fetch: { url: 'https://mta-sts.nohost.test/.well-known/mta-sts.txt', outcome: 'not-asked' },
      policy: null,
    });
    expect(server.connections).toBe(0);
  });
});
