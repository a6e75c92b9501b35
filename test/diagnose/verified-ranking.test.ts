import { describe, expect, test } from 'vitest';
import { diagnoseHost } from '../../src/diagnose/index.js';
import type { PortVerification } from '../../src/diagnose/types.js';
import { aContext, aHost, aPort } from '../helpers/probe-builders.js';

// With verifications, recommend() picks the best configuration nodemailer accepted, never one it
// refused, and says which it refused on the way.

const accepted = (port: number): PortVerification => ({
  port,
  verification: { by: 'nodemailer', version: '10.6.1', ok: true },
  certificateRefused: false,
});
const refused = (port: number, error: string, certificateRefused = false): PortVerification => ({
  port,
  verification: { by: 'nodemailer', version: '10.6.1', ok: false, error },
  certificateRefused,
});

const probe = aHost({
  ports: [aPort({ port: 587, class: 'open-starttls' }), aPort({ port: 465, class: 'open-implicit-tls' })],
});

describe('diagnoseHost() with verifications', () => {
  test('without verifications the best-ranked port is recommended, unverified', () => {
    const diagnosis = diagnoseHost(probe, aContext());
    expect(diagnosis.recommendation?.port).toBe(587);
    expect(diagnosis.recommendation?.verified).toBeUndefined();
  });

  test('the first candidate accepted is recommended, with its proof', () => {
    const diagnosis = diagnoseHost(probe, aContext({ verifications: [accepted(587)] }));
    expect(diagnosis.recommendation).toMatchObject({ port: 587, verified: { ok: true } });
  });

  test('a refused candidate is passed over and named in the reason', () => {
    const diagnosis = diagnoseHost(
      probe,
      aContext({ verifications: [refused(587, 'timed out after EHLO'), accepted(465)] }),
    );
    expect(diagnosis.recommendation?.port).toBe(465);
    expect(diagnosis.recommendation?.reason).toContain('nodemailer refused 587 (timed out after EHLO)');
  });

  test('nothing accepted: no recommendation, a critical no-verified-config, exit code 1 territory', () => {
    const diagnosis = diagnoseHost(
      probe,
      aContext({ verifications: [refused(587, 'greeting never came'), refused(465, 'connection reset')] }),
    );
    expect(diagnosis.recommendation).toBeNull();
    const found = diagnosis.findings.find((finding) => finding.id === 'no-verified-config');
    expect(found?.severity).toBe('critical');
    expect(found?.summary).toContain('587: greeting never came; 465: connection reset');
    expect(diagnosis.verdict.status).toBe('failing');
  });

  test('a certificate refusal says no verifying client can send, and the fix', () => {
    const diagnosis = diagnoseHost(
      probe,
      aContext({
        verifications: [
          { ...refused(587, 'its certificate expired on 2026-10-01', true), certificateIsOnlyProblem: true },
        ],
      }),
    );
    const found = diagnosis.findings.find((finding) => finding.id === 'no-verified-config');
    expect(found?.summary).toContain('no client that checks certificates can send through');
    expect(found?.summary).toContain('its certificate expired on 2026-10-01');
    expect(found?.advice.at(-1)).toContain('Diagnostic only, not a configuration');
  });
});
