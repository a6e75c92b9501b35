import { describe, expect, test } from 'vitest';
import { diagnoseHost, EXIT_OK, EXIT_PROBLEM, exitCodeFor } from '../../src/diagnose/index.js';
import type { PortProbe } from '../../src/probe/types.js';
import { aCertificateValidFor, aContext, aHost, aPort } from '../helpers/probe-builders.js';

// The exit code is decided by diagnose, next to the verdict it mirrors: 0 exactly when the
// verdict is "ok".
describe('exitCodeFor()', () => {
  test.each<[string, PortProbe[], number]>([
    ['a usable submission port', [aPort({ port: 587, class: 'open-starttls' })], EXIT_OK],
    ['relay on 25 only', [aPort({ port: 25, class: 'open-starttls' })], EXIT_PROBLEM],
    ['nothing usable', [aPort({ port: 587, class: 'filtered' })], EXIT_PROBLEM],
    [
      'usable, but a certificate expiring this week',
      [aPort({ port: 587, class: 'open-starttls', certificate: aCertificateValidFor(3) })],
      EXIT_PROBLEM,
    ],
  ])('%s', (_name, ports, expected) => {
    const diagnosis = diagnoseHost(aHost({ ports }), aContext());
    expect(exitCodeFor(diagnosis)).toBe(expected);
    expect(exitCodeFor(diagnosis) === EXIT_OK).toBe(diagnosis.verdict.status === 'ok');
  });
});
