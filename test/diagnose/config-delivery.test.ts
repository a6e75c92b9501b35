import type { AddressInfo } from 'node:net';
import { createTransport } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { diagnoseHost } from '../../src/diagnose/index.js';
import type { PortClass, ProbeMode } from '../../src/probe/types.js';
import { createTestCa, type TestCa, type TestCertificate } from '../helpers/certs.js';
import { aCertificate, aContext, aHost, aPort } from '../helpers/probe-builders.js';

// The recommended nodemailer options are checked for real: a local smtp-server configured like the
// probed host must accept a message sent with them, over TLS. Traffic stays on 127.0.0.1.

const HOST = '127.0.0.1';
const USER = 'deliverability';
const PASS = 'correct horse';

interface Received {
  secure: boolean;
  user: unknown;
  from: string | undefined;
  to: string[];
  message: string;
}

interface RunningServer {
  port: number;
  received: Received[];
  close(): Promise<void>;
}

async function startServer(secure: boolean, certificate: TestCertificate): Promise<RunningServer> {
  const received: Received[] = [];
  const server = new SMTPServer({
    secure,
    key: certificate.key,
    cert: certificate.cert,
    logger: false,
    // No PTR query for the client through the system resolver (see smtp-test-server.ts).
    disableReverseLookup: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (auth.username === USER && auth.password === PASS) callback(null, { user: USER });
      else callback(new Error('invalid credentials'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom;
        received.push({
          secure: session.secure,
          user: session.user,
          from: from ? from.address : undefined,
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          message: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return { port, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The facts the probe reports for that server: TLS in the given mode, our CA trusted. */
function probeOf(port: number, portClass: PortClass, mode: ProbeMode) {
  const observedMode: ProbeMode = portClass === 'open-starttls' ? 'starttls' : 'implicit-tls';
  return aHost({
    target: HOST,
    host: HOST,
    addresses: [HOST],
    ports: [
      aPort({
        port,
        class: portClass,
        mode,
        observedMode,
        address: HOST,
        greeting: `220 ${HOST} ESMTP`,
        tls: { protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', servername: null },
        certificate: aCertificate({
          subject: `CN=${HOST}`,
          subjectAltNames: [HOST],
          issuer: 'CN=smtp-check test CA',
          trusted: true,
          hostnameMatches: true,
        }),
      }),
    ],
  });
}

describe('recommended nodemailer options against a real server', () => {
  let ca: TestCa;
  let certificate: TestCertificate;
  let server: RunningServer | undefined;

  beforeAll(() => {
    ca = createTestCa();
    certificate = ca.issue({ commonName: HOST, ips: [HOST] });
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  test.each<[string, boolean, PortClass, ProbeMode]>([
    ['implicit TLS', true, 'open-implicit-tls', 'implicit-tls'],
    ['STARTTLS', false, 'open-starttls', 'starttls'],
    ['implicit TLS found on a port probed for STARTTLS', true, 'implicit-tls-on-starttls-port', 'starttls'],
  ])('%s: the message is accepted over TLS', async (_name, secure, portClass, mode) => {
    server = await startServer(secure, certificate);
    const diagnosis = diagnoseHost(probeOf(server.port, portClass, mode), aContext());
    const recommendation = diagnosis.recommendation;
    expect(recommendation?.port).toBe(server.port);
    const options = recommendation?.config.nodemailer ?? {};
    expect(options.host).toBe(HOST);

    // Only what the user fills in: credentials, and the CA this test's certificates come from.
    const tls = (options.tls ?? {}) as Record<string, unknown>;
    const transporter = createTransport({
      ...options,
      auth: { user: USER, pass: PASS },
      tls: { ...tls, ca: [ca.cert] },
    });
    try {
      const info = await transporter.sendMail({
        from: 'support@example.com',
        to: 'customer@example.net',
        subject: 'smtp-check config works',
        text: 'Sent with the recommended options.',
      });
      expect(info.accepted).toEqual(['customer@example.net']);
    } finally {
      transporter.close();
    }

    expect(server.received).toHaveLength(1);
    const [message] = server.received;
    expect(message?.secure).toBe(true);
    expect(message?.user).toBe(USER);
    expect(message?.from).toBe('support@example.com');
    expect(message?.to).toEqual(['customer@example.net']);
    expect(message?.message).toContain('Subject: smtp-check config works');
  });
});
