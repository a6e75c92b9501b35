// Runs inside a network namespace (see netns.ts): starts loopback servers, adds nftables rules for
// their ports, probes them, and prints one JSON line. Never run it outside a namespace: it changes
// the firewall of the namespace it runs in.
import { execFileSync } from 'node:child_process';
import { diagnoseHost } from '../../src/diagnose/index.js';
import {
  type HostProbe,
  PathEvidence,
  createResolver,
  probeHost,
  probePort,
  watchOpenSockets,
} from '../../src/probe/index.js';
import { createTestCa } from './certs.js';
import { startDnsServer } from './dns-server.js';
import { aContext } from './probe-builders.js';
import { freePort, mtaScript, startScriptedServer } from './scripted-server.js';
import { type RunningServer, startSmtpServer } from './smtp-test-server.js';
import { testLimits } from './probe-limits.js';

export interface ScenarioPort {
  port: number;
  class: string;
  durationMs: number;
  connectMs: number | null;
  failure: HostProbe['ports'][number]['failure'];
  attempts: HostProbe['ports'][number]['attempts'];
  /** The diagnosis's finding summaries for the port. */
  findings: string[];
}

export interface ScenarioResult {
  rounds: Array<{ durationMs: number; ports: ScenarioPort[]; addresses: string[] }>;
  /** 'crowded', 'shared-address': the most sockets open at once to the address. */
  peakOpen?: number;
}

function nft(rules: string): void {
  execFileSync('nft', ['-f', '-'], { input: rules, stdio: ['pipe', 'pipe', 'pipe'] });
}

// Only the client's SYNs (not the server's SYN-ACKs, which also cross the output hook on loopback).
const SYN = 'tcp flags & (syn | ack) == syn';

function table(rules: string[]): string {
  return `table inet probe {\n  chain out {\n    type filter hook output priority 0; policy accept;\n${rules.map((rule) => `    ${rule}\n`).join('')}  }\n}\n`;
}

function summary(host: HostProbe): ScenarioResult['rounds'][number] {
  const diagnosis = diagnoseHost(host, aContext());
  return {
    durationMs: host.durationMs,
    addresses: host.addresses,
    ports: host.ports.map((port) => ({
      port: port.port,
      class: port.class,
      durationMs: port.durationMs,
      connectMs: port.timings.connect ?? null,
      failure: port.failure,
      attempts: port.attempts,
      findings: (diagnosis.ports.find((p) => p.port === port.port)?.findings ?? []).map((f) => f.summary),
    })),
  };
}

const scenario = process.argv[2];
const ca = createTestCa();
const leaf = ca.issue({ commonName: 'mail.example.test' });
const servers: RunningServer[] = await Promise.all(
  [0, 1, 2].map(() => startSmtpServer({ key: leaf.key, cert: leaf.cert, name: 'mail.example.test' })),
);
const [a, b, c] = servers.map((server) => server.port) as [number, number, number];
const base = { resolver: createResolver(['127.0.0.1:9']), extraCa: [ca.cert], clientName: 'probe.test' };
const rounds: ScenarioResult['rounds'] = [];
let peakOpen: number | undefined;

switch (scenario) {
  case 'filtered': {
    // Port a drops every SYN; b and c answer; d is alive but greets only after 2.5 s.
    const slow = await startScriptedServer(mtaScript({ greetDelayMs: 2_500 }));
    nft(table([`tcp dport ${a} ${SYN} drop`]));
    // A connect timeout far above the 1.1 s floor (30 s), so "ended early" can be told apart with
    // seconds to spare either way on a busy machine.
    const limits = testLimits({ slowBannerMs: 1_000, connectTimeoutMs: 30_000 });
    rounds.push(summary(await probeHost('127.0.0.1', { ...base, ports: [a, b, c, slow.port], limits })));
    await slow.close();
    break;
  }
  case 'all-filtered': {
    nft(table([`tcp dport { ${a}, ${b}, ${c} } ${SYN} drop`]));
    const limits = testLimits({ connectTimeoutMs: 2_500 });
    rounds.push(summary(await probeHost('127.0.0.1', { ...base, ports: [a, b, c], limits })));
    break;
  }
  case 'crowded': {
    // Six silent ports on one address: without the per-address cap, 6 × 8 staggered attempts.
    const ports = [a, b, c, ...(await Promise.all([freePort(), freePort(), freePort()]))];
    nft(table([`tcp dport { ${ports.join(', ')} } ${SYN} drop`]));
    const path = new PathEvidence();
    const limits = testLimits({ connectTimeoutMs: 2_500 });
    const watch = watchOpenSockets('127.0.0.1');
    await Promise.all(
      ports.map((port) =>
        probePort({ address: '127.0.0.1', host: '127.0.0.1', port, mode: 'starttls' }, limits, { path }),
      ),
    );
    peakOpen = watch.peak;
    watch.stop();
    break;
  }
  case 'shared-address': {
    // Two names for one address, checked at the same time: six silent ports each. The cap is on the
    // address, so together they stay under it (per check, they would reach 2 × 16).
    const ports = [a, b, c, ...(await Promise.all([freePort(), freePort(), freePort()]))];
    nft(table([`tcp dport { ${ports.join(', ')} } ${SYN} drop`]));
    const dns = await startDnsServer({
      'one.example.test': { A: ['127.0.0.1'] },
      'two.example.test': { A: ['127.0.0.1'] },
    });
    const limits = testLimits({ connectTimeoutMs: 2_500 });
    const resolver = createResolver([dns.server]);
    const watch = watchOpenSockets('127.0.0.1');
    const hosts = await Promise.all(
      ['one.example.test', 'TWO.example.test.'].map((name) =>
        probeHost(name, { ...base, resolver, ports, limits }),
      ),
    );
    peakOpen = watch.peak;
    watch.stop();
    for (const host of hosts) rounds.push(summary(host));
    await dns.close();
    break;
  }
  case 'split-addresses': {
    // One name, four addresses; one server listening on all of them; SYNs to two addresses dropped.
    const server = await startSmtpServer({
      key: leaf.key,
      cert: leaf.cert,
      name: 'mail.example.test',
      listenHost: '::',
    });
    nft(table([`ip daddr { 127.0.0.2, 127.0.0.3 } tcp dport ${server.port} ${SYN} drop`]));
    const dns = await startDnsServer({
      'mail.example.test': { A: ['127.0.0.1', '127.0.0.2', '127.0.0.3'], AAAA: ['::1'] },
    });
    const limits = testLimits({ connectTimeoutMs: 2_500 });
    rounds.push(
      summary(
        await probeHost('mail.example.test', {
          ...base,
          resolver: createResolver([dns.server]),
          ports: [server.port],
          limits,
        }),
      ),
    );
    await Promise.all([dns.close(), server.close()]);
    break;
  }
  case 'lost-syns': {
    // The first two SYNs to port a vanish (numgen inc counts only packets reaching it): the
    // kernel's own retransmit would come at 1 s and 3 s, too late to matter: staggered attempts must connect.
    nft(table([`tcp dport ${a} ${SYN} numgen inc mod 1000000 < 2 drop`]));
    rounds.push(summary(await probeHost('127.0.0.1', { ...base, ports: [a, b, c] })));
    break;
  }
  case 'lossy': {
    // A third of all SYNs to every port are lost, at random; several rounds.
    nft(table([`tcp dport { ${a}, ${b}, ${c} } ${SYN} numgen random mod 3 0 drop`]));
    for (let round = 0; round < Number(process.argv[3] ?? 5); round += 1) {
      rounds.push(summary(await probeHost('127.0.0.1', { ...base, ports: [a, b, c] })));
    }
    break;
  }
  case 'unreachable': {
    nft(table([`tcp dport ${a} ${SYN} reject with icmpx type host-unreachable`]));
    rounds.push(summary(await probeHost('127.0.0.1', { ...base, ports: [a, b] })));
    break;
  }
  case 'localhost': {
    // The system resolver: this namespace has no route off loopback, so its DNS query cannot leave,
    // and `localhost` must come from /etc/hosts through the lookup fallback.
    rounds.push(summary(await probeHost('localhost', { ...base, resolver: createResolver(), ports: [a] })));
    break;
  }
  default:
    throw new Error(`unknown scenario ${scenario}`);
}

await Promise.all(servers.map((server) => server.close()));
process.stdout.write(
  `${JSON.stringify({ rounds, ...(peakOpen === undefined ? {} : { peakOpen }) } satisfies ScenarioResult)}\n`,
);
