import { describe, expect, test } from 'vitest';
import { diagnoseHost, matchProvider } from '../../src/diagnose/index.js';
import type { DiagnoseContext, Finding, Severity } from '../../src/diagnose/types.js';
import { PORT_CLASSES, type PortClass, type PortProbe } from '../../src/probe/types.js';
import { aContext, aHost, aPort } from '../helpers/probe-builders.js';

/** The findings on one port, diagnosed beside a healthy 587 as a real host would be. */
function findingsOn(port: PortProbe, context: Partial<DiagnoseContext> = {}, target?: string): Finding[] {
  const siblings = port.port === 587 ? [] : [aPort({ port: 587, class: 'open-starttls' })];
  const probe = aHost({ ...(target ? { target, host: target } : {}), ports: [port, ...siblings] });
  const diagnosis = diagnoseHost(probe, aContext(context));
  return diagnosis.ports.find((candidate) => candidate.port === port.port)?.findings ?? [];
}

const HEALTHY: PortClass[] = ['open-starttls', 'open-implicit-tls'];
/** Reported once for the host, not per port. */
const HOST_WIDE: PortClass[] = ['dns-failed', 'denied-by-policy'];
const PER_PORT = PORT_CLASSES.filter((cls) => !HEALTHY.includes(cls) && !HOST_WIDE.includes(cls));

describe('port class rules', () => {
  test.each<[PortClass, number, Severity]>([
    ['filtered', 25, 'warning'],
    ['filtered', 587, 'warning'],
    ['filtered', 2525, 'info'],
    ['refused', 25, 'warning'],
    ['refused', 465, 'warning'],
    ['refused', 2525, 'info'],
    ['unreachable', 25, 'warning'],
    ['unreachable', 587, 'warning'],
    ['no-banner', 25, 'warning'],
    ['no-banner', 587, 'critical'],
    ['slow-banner', 25, 'info'],
    ['slow-banner', 587, 'info'],
    ['greeting-rejected', 25, 'warning'],
    ['greeting-rejected', 587, 'critical'],
    ['tls-handshake-failed', 25, 'warning'],
    ['tls-handshake-failed', 465, 'critical'],
    ['implicit-tls-on-starttls-port', 587, 'warning'],
    ['plaintext-on-implicit-tls-port', 465, 'warning'],
    ['starttls-stripped', 25, 'warning'],
    ['starttls-stripped', 587, 'critical'],
    ['not-smtp', 25, 'warning'],
    ['not-smtp', 2525, 'critical'],
    ['intercepted', 25, 'warning'],
    ['intercepted', 587, 'critical'],
    ['oversized-response', 25, 'warning'],
    ['oversized-response', 587, 'critical'],
    ['no-starttls', 25, 'warning'],
    ['no-starttls', 587, 'critical'],
  ])('%s on %i is %s', (cls, port, severity) => {
    const found = findingsOn(aPort({ port, class: cls })).filter((finding) => finding.id === cls);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity, port });
    expect(found[0]?.summary).toContain(String(port));
    expect(found[0]?.advice.length).toBeGreaterThan(0);
  });

  test.each(PER_PORT)('%s fires only for its own class', (cls) => {
    const ids = findingsOn(aPort({ port: 587, class: cls })).map((finding) => finding.id);
    const classIds = ids.filter((id) => (PORT_CLASSES as readonly string[]).includes(id));
    expect(classIds).toEqual([cls]);
  });

  test.each(HEALTHY)('a healthy %s port has no finding at all', (cls) => {
    expect(findingsOn(aPort({ port: cls === 'open-starttls' ? 587 : 465, class: cls }))).toEqual([]);
  });

  test('filtered cites the wait and the sibling that answered', () => {
    const [found] = findingsOn(aPort({ port: 25, class: 'filtered' }));
    expect(found?.summary).toMatch(/^no answer on 25 after 5 s while 587 answered in 40 ms/);
  });

  test('filtered without any answering sibling does not claim a firewall on the way', () => {
    const probe = aHost({
      ports: [aPort({ port: 25, class: 'filtered' }), aPort({ port: 587, class: 'filtered' })],
    });
    const [found] = diagnoseHost(probe, aContext()).ports[0]?.findings ?? [];
    expect(found?.summary).toContain('no other port answered either');
  });

  test('a port the provider does not document is only information', () => {
    const postmark = matchProvider('smtp.postmarkapp.com');
    const [found] = findingsOn(
      aPort({ port: 465, class: 'refused' }),
      { provider: postmark },
      'smtp.postmarkapp.com',
    );
    expect(found).toMatchObject({ id: 'refused', severity: 'info' });
    expect(found?.advice[0]).toContain('Postmark does not document port 465');
  });

  test('421 is a temporary warning even on a submission port, 554 names the prober IP', () => {
    const busy = aPort({
      port: 587,
      class: 'greeting-rejected',
      greeting: '421 4.7.0 Try again later',
      greetingCode: 421,
    });
    expect(findingsOn(busy)[0]).toMatchObject({ severity: 'warning' });
    expect(findingsOn(busy)[0]?.summary).toContain('421');
    const blocked = findingsOn(aPort({ port: 587, class: 'greeting-rejected' }))[0];
    expect(blocked?.summary).toContain('554');
    expect(blocked?.summary).toContain('zen.spamhaus.org');
    expect(blocked?.summary).toContain('IP address this check runs from');
  });

  test('tls-handshake-failed cites the alert number and name', () => {
    const [found] = findingsOn(aPort({ port: 465, class: 'tls-handshake-failed' }));
    expect(found?.summary).toContain('alert 40 (handshake_failure)');
  });

  test('plain SMTP on 465 without any TLS is critical', () => {
    const port = aPort({ port: 465, class: 'plaintext-on-implicit-tls-port', tls: null, certificate: null });
    expect(findingsOn(port).find((f) => f.id === 'plaintext-on-implicit-tls-port')?.severity).toBe(
      'critical',
    );
  });

  test('starttls-stripped names the masked evidence and ESMTP inspection', () => {
    const [found] = findingsOn(aPort({ port: 587, class: 'starttls-stripped' }));
    expect(found?.summary).toContain('XXXXXXXA');
    expect(found?.advice.join(' ')).toContain('ESMTP inspection');
  });

  test.each(HOST_WIDE)('%s is one host finding, not one per port', (cls) => {
    const probe = aHost({
      ports: [aPort({ port: 25, class: cls }), aPort({ port: 587, class: cls })],
      resolveFailure: aPort({ port: 25, class: cls }).failure,
    });
    const diagnosis = diagnoseHost(probe, aContext());
    expect(diagnosis.ports.flatMap((port) => port.findings)).toEqual([]);
    expect(diagnosis.findings.filter((finding) => finding.id === cls)).toHaveLength(1);
    expect(diagnosis.findings.find((finding) => finding.id === cls)?.port).toBeNull();
  });

  test('dns-failed is critical and cites the resolver error', () => {
    const probe = aHost({ ports: [aPort({ port: 587, class: 'dns-failed' })] });
    const found = diagnoseHost(probe, aContext()).findings.find((finding) => finding.id === 'dns-failed');
    expect(found?.severity).toBe('critical');
    expect(found?.summary).toContain('ENOTFOUND');
  });

  test('denied-by-policy names only the refused ports when others were probed', () => {
    const probe = aHost({
      ports: [aPort({ port: 587, class: 'open-starttls' }), aPort({ port: 8025, class: 'denied-by-policy' })],
    });
    const found = diagnoseHost(probe, aContext()).findings.find(
      (finding) => finding.id === 'denied-by-policy',
    );
    expect(found?.summary).toContain('smtp.example.com on 8025');
  });
});
