import type { ProbeHost } from '../../src/probe/index.js';
import { aHost, aPort } from './probe-builders.js';

/**
 * A probe faked at its seam (probeHost) that holds every check until the test releases it, so the
 * order in which checks start is observable. Every port answers open-starttls.
 */
export function gatedProbe() {
  const started: string[] = [];
  const gates = new Map<string, () => void>();
  const probeHost: ProbeHost = async (target, options) => {
    started.push(target);
    await new Promise<void>((resolve) => gates.set(target, resolve));
    const ports = options.ports.map((port) => aPort({ port, class: 'open-starttls' }));
    for (const port of ports) options.onPort?.(port);
    return aHost({ target, host: target, ports });
  };
  const release = (target: string) => {
    const gate = gates.get(target);
    if (!gate) throw new Error(`${target} has not started`);
    gates.delete(target);
    gate();
  };
  return { probeHost, started, release };
}
