import { describe, expect, test } from 'vitest';
import { diagnoseHost } from '../../src/diagnose/index.js';
import { aCanary, aContext, aHost, aPort } from '../helpers/probe-builders.js';

// When the egress canary reaches 25 from here, this network does not block outbound 25: the advice
// must not blame clouds and ISPs, or send the reader to ask their network owner to lift a block.
describe('25 filtered while the egress canary answered on 25', () => {
  const probe = aHost({
    ports: [aPort({ port: 25, class: 'filtered' }), aPort({ port: 587, class: 'open-starttls' })],
  });

  test('the filtered finding cites the canary and blames the target side, not the network', () => {
    const diagnosis = diagnoseHost(probe, aContext({ egressCanary: aCanary('open-starttls', 25) }));
    const filtered = diagnosis.ports[0]!.findings.find((finding) => finding.id === 'filtered')!;
    expect(filtered.summary).toContain('the egress canary gmail-smtp-in.l.google.com:25 answered on 25');
    expect(filtered.summary).toContain('this network lets 25 out');
    expect(filtered.advice.join(' ')).not.toContain('Many networks block outbound 25');
    expect(diagnosis.findings.map((finding) => finding.id)).not.toContain('egress-blocked');
  });

  test('the checklist does not say outbound 25 is commonly blocked, but names the firewall step', () => {
    const diagnosis = diagnoseHost(probe, aContext({ egressCanary: aCanary('open-starttls', 25) }));
    const advice = diagnosis.advice.join('\n');
    expect(advice).not.toContain('commonly blocked by clouds and ISPs');
    expect(advice).toContain('No answer on 25 (filtered)');
  });

  test('without a canary the clouds-and-ISPs step stays', () => {
    const diagnosis = diagnoseHost(probe, aContext());
    expect(diagnosis.advice.join('\n')).toContain('commonly blocked by clouds and ISPs');
  });
});
