import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { promises as dns } from 'node:dns';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireInfrastructure } from './postgres.js';
import { type PreparedZone, type TestZone, prepareZone } from './signed-zones.js';

// A real validating resolver for the DNSSEC and DANE tests: Unbound, behind which a second Unbound
// serves the test zones (signed by ldns-signzone) with `auth-zone`. Unbound's auth-zone answers
// with RRSIGs when DO is set and with the NSEC proofs of NODATA and NXDOMAIN, as a real
// authoritative server does, so secure, insecure and bogus verdicts are the validator's own.
// Everything listens on 127.0.0.1; the validator's root is forwarded to a closed loopback port,
// so it never tries the real root.

export type { TestZone, ZoneSigning } from './signed-zones.js';

export interface ValidatingResolver {
  /** The validating resolver, `127.0.0.1:PORT`: AD, SERVFAIL for bogus data, Extended DNS Errors. */
  server: string;
  /** The authoritative server of the zones, `127.0.0.1:PORT` (no validation, AA answers). */
  authoritative: string;
  /** The DS record configured as each signed zone's trust anchor, by origin. */
  trustAnchors: Record<string, string>;
  close(): Promise<void>;
}

const UNBOUND = existsSync('/usr/sbin/unbound') ? '/usr/sbin/unbound' : 'unbound';
// A port nothing listens on: what the validator would ask about names outside the test zones.
const CLOSED_PORT = 9;
const START_TRIES = 3;
const READY_WITHIN_MS = 10_000;
const POLL_EVERY_MS = 25;
const OUTPUT_KEPT_CHARS = 8_000;

/** Null when unbound and ldnsutils are installed; otherwise see requireInfrastructure(). */
export function requireValidatingResolver(): string | null {
  const missing = [
    [UNBOUND, '-V'],
    ['ldns-keygen', '-v'],
    ['ldns-signzone', '-v'],
  ].filter(([command, flag]) => spawnSync(command ?? '', [flag ?? ''], { stdio: 'ignore' }).error);
  const reason =
    missing.length > 0
      ? `${missing.map(([command]) => command).join(', ')} not found (apt-get install unbound ldnsutils)`
      : null;
  return requireInfrastructure('unbound and ldnsutils', reason);
}

/** Signs the zones, starts the authoritative server and the validator, and waits until both answer. */
export async function startValidatingResolver(options: { zones: TestZone[] }): Promise<ValidatingResolver> {
  const dir = mkdtempSync(join(tmpdir(), 'smtp-check-unbound-'));
  const running: RunningUnbound[] = [];
  try {
    const zones = options.zones.map((zone) => prepareZone(zone, dir));
    const authoritative = await startUnbound(dir, 'authoritative', (port) =>
      authoritativeConfig(dir, port, zones),
    );
    running.push(authoritative);
    const validator = await startUnbound(dir, 'validator', (port) =>
      validatorConfig(dir, port, authoritative.port, zones),
    );
    running.push(validator);
    const trustAnchors = Object.fromEntries(
      zones.flatMap((zone) => (zone.trustAnchor ? [[zone.origin, zone.trustAnchor]] : [])),
    );
    return {
      server: `127.0.0.1:${validator.port}`,
      authoritative: `127.0.0.1:${authoritative.port}`,
      trustAnchors,
      close: async () => {
        await Promise.all(running.map((server) => server.stop()));
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.all(running.map((server) => server.stop()));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Settings both servers share: foreground, as the current user, no chroot, loopback only. */
function commonServer(dir: string, port: number, modules: string): string[] {
  return [
    'server:',
    '  username: ""',
    '  chroot: ""',
    '  pidfile: ""',
    `  directory: "${dir}"`,
    '  do-daemonize: no',
    '  use-syslog: no',
    '  logfile: ""',
    '  verbosity: 1',
    '  num-threads: 1',
    `  interface: 127.0.0.1@${port}`,
    '  outgoing-interface: 127.0.0.1',
    '  do-ip6: no',
    '  do-not-query-localhost: no',
    `  module-config: "${modules}"`,
    // Unbound answers these reserved names itself by default (RFC 6761); here they are test zones.
    '  local-zone: "test." nodefault',
    '  local-zone: "invalid." nodefault',
  ];
}

const closedRoot = ['forward-zone:', '  name: "."', `  forward-addr: 127.0.0.1@${CLOSED_PORT}`];

function authoritativeConfig(dir: string, port: number, zones: PreparedZone[]): string {
  const authZones = zones.flatMap((zone) => [
    'auth-zone:',
    `  name: "${zone.origin}"`,
    `  zonefile: "${zone.file}"`,
    '  for-downstream: yes',
    '  for-upstream: no',
  ]);
  return [
    ...commonServer(dir, port, 'iterator'),
    'remote-control:',
    '  control-enable: no',
    ...authZones,
    ...closedRoot,
  ]
    .join('\n')
    .concat('\n');
}

function validatorConfig(
  dir: string,
  port: number,
  authoritativePort: number,
  zones: PreparedZone[],
): string {
  const anchors = zones.flatMap((zone) =>
    zone.trustAnchor ? [`  trust-anchor: "${zone.trustAnchor}"`] : [],
  );
  const stubs = zones.flatMap((zone) => [
    'stub-zone:',
    `  name: "${zone.origin}"`,
    `  stub-addr: 127.0.0.1@${authoritativePort}`,
  ]);
  return [
    ...commonServer(dir, port, 'validator iterator'),
    '  ede: yes',
    '  val-log-level: 2',
    // No RFC 8145 key-tag queries or root sentinel: nothing but the tests' own questions upstream.
    '  trust-anchor-signaling: no',
    '  root-key-sentinel: no',
    ...anchors,
    'remote-control:',
    '  control-enable: no',
    ...stubs,
    ...closedRoot,
  ]
    .join('\n')
    .concat('\n');
}

interface RunningUnbound {
  port: number;
  stop(): Promise<void>;
}

/**
 * Unbound cannot listen on port 0 and say which port it got, so a port free for both UDP and TCP
 * is picked and handed to it; when another process takes it first, unbound exits and the start
 * is tried again with another.
 */
async function startUnbound(
  dir: string,
  role: string,
  config: (port: number) => string,
): Promise<RunningUnbound> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < START_TRIES; attempt += 1) {
    const port = await freeUdpAndTcpPort();
    const file = join(dir, `${role}.conf`);
    writeFileSync(file, config(port));
    const child = spawn(UNBOUND, ['-d', '-c', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    // Drained for the life of the process (a full pipe would stall unbound), the tail kept for errors.
    let output = '';
    const keep = (chunk: Buffer) => {
      output = `${output}${chunk.toString()}`.slice(-OUTPUT_KEPT_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('error', (error) => keep(Buffer.from(`\n${error.message}`)));
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    const stop = () => stopProcess(child, killOnExit);
    try {
      await answersOn(port, child);
      return { port, stop };
    } catch (error) {
      await stop();
      lastError = new Error(`unbound (${role}) did not start: ${(error as Error).message}\n${output}`);
    }
  }
  throw lastError;
}

function stopProcess(child: ChildProcess, killOnExit: () => void): Promise<void> {
  process.removeListener('exit', killOnExit);
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * Resolves once the server answers a question (`localhost`, which unbound answers itself), or
 * rejects when the process exits first or stays silent past READY_WITHIN_MS.
 */
async function answersOn(port: number, child: ChildProcess): Promise<void> {
  const resolver = new dns.Resolver({ timeout: 200, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  const deadline = Date.now() + READY_WITHIN_MS;
  let exited = false;
  const gone = () => {
    exited = true;
  };
  child.once('exit', gone);
  child.once('error', gone);
  while (!exited && Date.now() < deadline) {
    const answered = await resolver.resolve4('localhost').then(
      () => true,
      () => false,
    );
    if (answered) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_EVERY_MS));
  }
  throw new Error(exited ? `it exited (code ${child.exitCode})` : `no answer on port ${port}`);
}

/** A port free on 127.0.0.1 for TCP and for UDP at the moment of asking. */
async function freeUdpAndTcpPort(): Promise<number> {
  for (;;) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const udp = createSocket('udp4');
    const udpFree = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    if (udpFree) udp.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (udpFree) return port;
  }
}
