import { describe, expect, test } from 'vitest';
import { diagnoseHost } from '../../src/diagnose/index.js';
import type { HostDiagnosis } from '../../src/diagnose/types.js';
import type { PortProbe } from '../../src/probe/types.js';
import { renderReport } from '../../src/render/terminal.js';
import { aCertificateValidFor, aContext, aHost, aPort } from '../helpers/probe-builders.js';

function report(ports: PortProbe[], host = 'smtp.example.com'): { text: string; diagnosis: HostDiagnosis } {
  const diagnosis = diagnoseHost(aHost({ target: host, host, ports }), aContext());
  return { text: renderReport(diagnosis, { color: false }), diagnosis };
}

function count(text: string, part: string): number {
  return text.toLowerCase().split(part.toLowerCase()).length - 1;
}

describe('renderReport()', () => {
  test.each<[string, PortProbe[]]>([
    ['only 25, dropped', [aPort({ port: 25, class: 'filtered' })]],
    [
      'a mixed host',
      [
        aPort({ port: 25, class: 'open-starttls' }),
        aPort({ port: 465, class: 'refused' }),
        aPort({ port: 587, class: 'no-starttls' }),
        aPort({ port: 2525, class: 'open-starttls', certificate: aCertificateValidFor(3) }),
      ],
    ],
    ['nothing usable', [aPort({ port: 465, class: 'refused' }), aPort({ port: 587, class: 'filtered' })]],
  ])('%s: every finding is said once', (_name, ports) => {
    const { text, diagnosis } = report(ports);
    const shown = [...diagnosis.findings, ...diagnosis.ports.flatMap((port) => port.findings)].filter(
      (finding) => finding.id !== 'no-usable-port',
    );
    expect(shown.length).toBeGreaterThan(0);
    for (const finding of shown) {
      expect(count(text, finding.summary), finding.summary).toBe(1);
      for (const advice of finding.advice) expect(count(text, advice), advice).toBe(1);
    }
  });

  test('nothing usable is said by the verdict, not repeated as a finding listing the same ports', () => {
    const { text, diagnosis } = report([
      aPort({ port: 465, class: 'refused' }),
      aPort({ port: 587, class: 'filtered' }),
    ]);
    expect(diagnosis.findings.map((finding) => finding.id)).toContain('no-usable-port');
    expect(text).toContain('nothing usable');
    expect(text).not.toContain('no-usable-port');
    expect(text).not.toContain('checklist below');
  });

  test('steps that add to the findings are kept (the provider’s documented ports)', () => {
    const { text } = report(
      [aPort({ port: 465, class: 'refused' }), aPort({ port: 587, class: 'open-starttls' })],
      'smtp.postmarkapp.com',
    );
    expect(text).toContain('Also check');
    expect(text).toContain('Postmark documents STARTTLS on 25, 587 and 2525');
  });

  test('only 25 probed: nothing claims that submission ports failed', () => {
    const { text, diagnosis } = report([aPort({ port: 25, class: 'open-starttls' })]);
    expect(diagnosis.recommendation?.port).toBe(25);
    expect(text).toContain('no submission port was probed');
    expect(text).not.toMatch(/no submission port (probed )?works/);
  });

  test('only 25 probed and dropped: the checklist names 587 and 465 as not probed', () => {
    const { diagnosis } = report([aPort({ port: 25, class: 'filtered' })]);
    expect(diagnosis.advice.join('\n')).toContain(
      'check 587 (STARTTLS) and 465 (implicit TLS) too (not probed here)',
    );
  });

  test('587 and 465 probed and failing: the checklist does not send the user to them', () => {
    const { diagnosis } = report([
      aPort({ port: 25, class: 'filtered' }),
      aPort({ port: 465, class: 'filtered' }),
      aPort({ port: 587, class: 'filtered' }),
    ]);
    const advice = diagnosis.advice.join('\n');
    expect(advice).not.toContain('submit through 587 (STARTTLS) or 465 (implicit TLS) instead');
    expect(advice).toContain('neither works from here either');
  });

  test('a capitalised host name is shown in one spelling everywhere', () => {
    const { text, diagnosis } = report(
      [
        aPort({ port: 25, class: 'filtered' }),
        aPort({ port: 587, class: 'open-starttls', greeting: '220 mx.other.net ESMTP' }),
      ],
      'SMTP.Example.COM',
    );
    expect(diagnosis.host).toBe('smtp.example.com');
    expect(text).not.toContain('SMTP.Example.COM');
    const spellings = new Set(text.match(/smtp\.example\.com/gi));
    expect([...spellings]).toEqual(['smtp.example.com']);
  });
});
