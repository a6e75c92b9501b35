import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface RunningServer {
  port: number;
  host: string;
  close(): Promise<void>;
}

/**
 * A real SMTP server (smtp-server) on port 0. It never accepts mail: the probe must not get that
 * far. Pass `key`/`cert` from test/helpers/certs.ts; the package's own certificate has expired.
 */
export async function startSmtpServer(
  options: SMTPServerOptions & { listenHost?: string; listenPort?: number } = {},
): Promise<RunningServer> {
  // listenPort is for namespaces only, where the real SMTP ports are free; elsewhere always port 0.
  const { listenHost = '127.0.0.1', listenPort = 0, ...serverOptions } = options;
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    // smtp-server otherwise reverse-resolves every client with the system resolver: a PTR query
    // for ::1 (not in /etc/hosts) would go to the machine's nameserver.
    disableReverseLookup: true,
    onData(_stream, _session, callback) {
      callback(new Error('the probe must never send DATA'));
    },
    ...serverOptions,
  });
  server.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(listenPort, listenHost, () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    host: listenHost,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
