import { describe, expect, test } from 'vitest';
import { diagnoseHost } from '../../src/diagnose/index.js';
import type { HostProbe } from '../../src/probe/types.js';
import { renderReport } from '../../src/render/terminal.js';
import { aContext, aHost, aPort } from '../helpers/probe-builders.js';

function reportWith(mx: HostProbe['mx']): string {
  const probe = aHost({
    target: 'example.com',
    host: 'example.com',
    mx,
    ports: [aPort({ port: 25, class: 'open-starttls' })],
  });
  return renderReport(diagnoseHost(probe, aContext()), { color: false });
}

describe('the MX line of the terminal report', () => {
  test('a domain without MX records: says its own address is the implicit MX, no empty list', () => {
    const report = reportWith({ hosts: [], reason: 'forced', implicit: true });
    expect(report).toContain("no MX records: the domain's own address is its implicit MX (RFC 5321)");
    expect(report).not.toMatch(/MX hosts:\s*$/m);
  });

  test('a domain with MX records still lists them', () => {
    const report = reportWith({ hosts: [{ exchange: 'mx1.example.com', priority: 10 }], reason: 'forced' });
    expect(report).toContain('MX hosts: mx1.example.com (10)');
    expect(report).not.toContain('implicit MX');
  });
});
