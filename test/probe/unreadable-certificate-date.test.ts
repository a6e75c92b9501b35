import forge from 'node-forge';
import { afterEach, describe, expect, test } from 'vitest';
import { diagnoseHost } from '../../src/diagnose/index.js';
import { type ProbeLimits, probePort } from '../../src/probe/index.js';
import { createSelfSigned, type TestCertificate } from '../helpers/certs.js';
import { aContext, aHost } from '../helpers/probe-builders.js';
import { type ScriptedServer, mtaScript, startScriptedServer } from '../helpers/scripted-server.js';
import { testLimits } from '../helpers/probe-limits.js';

const HOST = 'mx.example.test';
const LIMITS: ProbeLimits = testLimits({ replyTimeoutMs: 2_000, portDeadlineMs: 8_000 });

/** A certificate whose notAfter is not a date at all, re-signed so it still parses: OpenSSL prints "Bad time value". */
function withBrokenNotAfter(base: TestCertificate): string {
  const asn1 = forge.pki.certificateToAsn1(forge.pki.certificateFromPem(base.cert));
  const parts = asn1.value as forge.asn1.Asn1[];
  const tbs = parts[0]!;
  const validity = (tbs.value as forge.asn1.Asn1[])[4]!;
  (validity.value as forge.asn1.Asn1[])[1]!.value = '991399999999Z';
  const digest = forge.md.sha256.create();
  digest.update(forge.asn1.toDer(tbs).getBytes());
  const key = forge.pki.privateKeyFromPem(base.key) as forge.pki.rsa.PrivateKey;
  parts[2]!.value = String.fromCharCode(0) + key.sign(digest);
  return forge.pem.encode({ type: 'CERTIFICATE', body: forge.asn1.toDer(asn1).getBytes() });
}

let server: ScriptedServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('a certificate with an unreadable validity date', () => {
  test('is a fact about the port, not a throw: untrusted, no invented expiry', async () => {
    const base = createSelfSigned({ commonName: HOST });
    server = await startScriptedServer(mtaScript({}), {
      tls: { key: base.key, cert: withBrokenNotAfter(base) },
    });
    const port = await probePort(
      { address: '127.0.0.1', host: HOST, port: server.port, mode: 'implicit-tls', clientName: 'probe.test' },
      LIMITS,
    );
    expect(port.class).toBe('open-implicit-tls');
    expect(port.certificate?.trusted).toBe(false);
    expect(port.certificate?.daysLeft).toBeNaN();

    const diagnosis = diagnoseHost(aHost({ target: HOST, ports: [{ ...port, port: 465 }] }), aContext());
    const ids = diagnosis.ports[0]!.findings.map((finding) => finding.id);
    expect(diagnosis.ports[0]!.usable).toBe(false);
    expect(ids).not.toContain('cert-expiring');
    expect(ids).not.toContain('cert-expired');
    expect(JSON.stringify(diagnosis)).not.toContain('NaN');
  });
});
