import type { HostDiagnosis, PortDiagnosis } from '../../src/diagnose/types.js';
import type { PortClass } from '../../src/probe/types.js';
import { aCertificate, aPort } from '../helpers/probe-builders.js';

// Small builders for the diagnoses a scripted RunCheck returns. Only what the watch engine reads
// is meaningful; the rest is filled with plausible values.

export interface PortSketch {
  port: number;
  class?: PortClass;
  usable?: boolean;
  daysLeft?: number | null;
  failureMessage?: string;
  greeting?: string;
}

export function aPortDiagnosis(sketch: PortSketch): PortDiagnosis {
  const cls = sketch.class ?? 'open-starttls';
  const usable = sketch.usable ?? (cls === 'open-starttls' || cls === 'open-implicit-tls');
  const daysLeft = sketch.daysLeft === undefined ? (usable ? 90 : null) : sketch.daysLeft;
  // The probe-level builder fills the facts; only what the watch engine reads is set here.
  const probe = aPort({
    port: sketch.port,
    class: cls,
    observedMode: usable ? (sketch.port === 465 ? 'implicit-tls' : 'starttls') : null,
    address: '127.0.0.1',
    timings: { connect: 1 },
    durationMs: usable ? 12 : 5_000,
    greeting: sketch.greeting ?? (usable ? '220 mx.example.test ESMTP' : null),
    greetingCode: usable ? 220 : null,
    certificate:
      daysLeft === null
        ? null
        : aCertificate({ subject: 'CN=mx.example.test', subjectAltNames: ['mx.example.test'], daysLeft }),
    failure: usable
      ? null
      : { stage: 'connect', kind: 'timeout', message: sketch.failureMessage ?? 'no answer after 5 s' },
  });
  return { ...probe, role: sketch.port === 25 ? 'relay' : 'submission', usable, findings: [] };
}

export function aDiagnosis(host: string, ports: PortSketch[]): HostDiagnosis {
  const diagnosed = ports.map(aPortDiagnosis);
  const usablePorts = diagnosed.filter((port) => port.usable).map((port) => port.port);
  return {
    target: host,
    host,
    mx: null,
    addresses: ['127.0.0.1'],
    checkedAt: '2026-03-01T12:00:00.000Z',
    durationMs: 20,
    provider: null,
    ports: diagnosed,
    findings: [],
    recommendation: null,
    verdict: {
      status:
        usablePorts.length === diagnosed.length ? 'ok' : usablePorts.length > 0 ? 'degraded' : 'failing',
      summary: `${usablePorts.length} of ${diagnosed.length} ports usable`,
      usablePorts,
    },
    advice:
      usablePorts.length === diagnosed.length ? [] : ['Ask the network team whether outbound 25 is blocked.'],
    egressCanary: null,
  };
}
