// One SMTP server process answering for the whole watched fleet: smtp-server on 0.0.0.0 ports 25,
// 465 (implicit TLS), 587 and 2525, so every 127.x.y.z address reaches it. Run only inside the
// bench's namespace (0.0.0.0 there is loopback only). Prints "ready" once listening.
import { readFileSync } from 'node:fs';
import { assertLoopbackOnly } from './loopback-only.js';
import { startSmtpServer } from '../test/helpers/smtp-test-server.js';

assertLoopbackOnly('bench/fleet-server.ts');

const { key, cert } = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as { key: string; cert: string };
const servers = await Promise.all(
  [25, 465, 587, 2525].map((port) =>
    startSmtpServer({
      key,
      cert,
      name: 'mx.fleet.bench.test',
      secure: port === 465,
      listenHost: '0.0.0.0',
      listenPort: port,
    }),
  ),
);
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void Promise.all(servers.map((server) => server.close())).then(() => process.exit(0));
});
