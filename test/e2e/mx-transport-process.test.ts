import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { MxTransport } from '../../src/diagnose/types.js';
import { createTestCa } from '../helpers/certs.js';
import { type TestDnsServer, startDnsServer } from '../helpers/dns-server.js';
import { type RunningServer, startSmtpServer } from '../helpers/smtp-test-server.js';
import {
  type ValidatingResolver,
  requireValidatingResolver,
  startValidatingResolver,
} from '../helpers/unbound.js';

// The wiring, as people run it: `smtp-check you@example.test` in a terminal and `/smtp-check
// you@example.test` typed into the bot's console (src/main.ts), both asking DNS_SERVERS for the MX
// hosts and DNSSEC_RESOLVER, a validating Unbound, for their TLSA records. The test server is not
// on port 25, so the probed host's certificate is not judged here (test/check/mx-transport.test.ts
// judges it); what shows is that each entry point asks and says it.

const skip = requireValidatingResolver() !== null;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const CLI = join(ROOT, 'src/cli/main.ts');
const MAIN = join(ROOT, 'src/main.ts');
const TLSA_DATA = 'cd'.repeat(32);

let smtp: RunningServer;
let dns: TestDnsServer;
let resolver: ValidatingResolver;
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (skip) return;
  const leaf = createTestCa().issue({ commonName: 'mx1.secure.test' });
  smtp = await startSmtpServer({ key: leaf.key, cert: leaf.cert });
  dns = await startDnsServer({
    'example.test': {
      MX: [
        { exchange: 'mx1.secure.test', priority: 10 },
        { exchange: 'mx2.secure.test', priority: 20 },
      ],
    },
    'mx1.secure.test': { A: ['127.0.0.1'] },
    'mx2.secure.test': { A: ['127.0.0.1'] },
  });
  resolver = await startValidatingResolver({
    zones: [{ origin: 'secure.test', signed: true, records: [`_25._tcp.mx1 TLSA 3 1 1 ${TLSA_DATA}`] }],
  });
  dir = await mkdtemp(join(tmpdir(), 'smtp-check-mx-transport-'));
}, 60_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await smtp?.close();
  await dns?.close();
  await resolver?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const settings = () => ({
  PATH: process.env.PATH ?? '',
  HOME: dir,
  NO_COLOR: '1',
  DNS_SERVERS: dns.server,
  DNSSEC_RESOLVER: resolver.server,
});

const EXPECTED: MxTransport[] = [
  {
    exchange: 'mx1.secure.test',
    probed: true,
    port: null,
    mtaSts: null,
    dane: { records: ['3 1 1'], usable: 1, dnssec: 'secure', matched: null },
  },
  { exchange: 'mx2.secure.test', probed: false, port: null, mtaSts: null, dane: null },
];

describe.skipIf(skip)('MTA-STS and DANE of the MX hosts from each entry point', () => {
  test('smtp-check you@example.test --json carries mxTransport', async () => {
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ['--import', TSX, CLI, 'you@example.test', '--ports', String(smtp.port), '--json'],
        { cwd: ROOT, env: settings(), timeout: 30_000 },
        (error, stdout, stderr) =>
          resolve({ code: typeof error?.code === 'number' ? error.code : error ? -1 : 0, stdout, stderr }),
      );
      children.push(child);
    });
    expect(run.stderr).toBe('');
    const json = JSON.parse(run.stdout) as { host: string; mxTransport?: MxTransport[] };
    expect(json.host).toBe('mx1.secure.test');
    expect(json.mxTransport).toEqual(EXPECTED);
  });

  test('/smtp-check you@example.test in the console lists each MX host with its MTA-STS and DANE', async () => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN], {
      cwd: dir,
      env: {
        ...settings(),
        DATA_FILE: join(dir, 'data.json'),
        ALLOW_TARGETS: '127.0.0.0/8',
        ALLOWED_PORTS: String(smtp.port),
        LOG_LEVEL: 'warn',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    for (const stream of [child.stdout, child.stderr])
      stream.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
      });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.stdin.end(`/smtp-check you@example.test ${smtp.port}\n`);
    expect(await exited).toBe(0);
    expect(output).toContain(
      '`mx1.secure.test` (probed): MTA-STS: no policy · DANE: TLSA 3 1 1 (DNSSEC secure), not matched: port 25 was not probed',
    );
    expect(output).toContain('`mx2.secure.test`: MTA-STS: no policy · DANE: no TLSA record');
  });
});
