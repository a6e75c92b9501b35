// Runs inside a network namespace (see vantage-harness.ts) as root: the mail server this
// "network" sees on 127.0.0.1 — a postscreen-like MTA with STARTTLS on 25 that drops clients
// talking before the greeting, smtp-server with STARTTLS on 587 — and, with --drop 25, an nftables rule that
// drops outbound SYNs to port 25, the way a cloud provider blocks it. Prints one JSON line when
// ready, then runs until stdin closes. Never run it outside a namespace.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startPostscreenServer } from './postscreen-server.js';
import { mtaScript, startScriptedServer } from './scripted-server.js';
import { startSmtpServer } from './smtp-test-server.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const keyFile = option('--key');
const certFile = option('--cert');
if (!keyFile || !certFile) throw new Error('--key and --cert are required');
const key = readFileSync(keyFile, 'utf8');
const cert = readFileSync(certFile, 'utf8');

const drop = option('--drop');
if (drop) {
  const rules = `table inet vantage {\n  chain out {\n    type filter hook output priority 0; policy accept;\n    tcp dport ${Number(drop)} tcp flags & (syn | ack) == syn drop\n  }\n}\n`;
  execFileSync('nft', ['-f', '-'], { input: rules, stdio: ['pipe', 'pipe', 'pipe'] });
}

const closers: Array<() => Promise<void>> = [];
const relay = await startPostscreenServer({ greetWaitMs: 200, listenPort: 25, starttls: { key, cert } });
closers.push(() => relay.close());
// --greet-after MS: 587 accepts and greets only after MS (a job that is still running when the
// worker is stopped, or killed).
const greetAfter = option('--greet-after');
if (greetAfter) {
  const slow = await startScriptedServer(mtaScript({ greetDelayMs: Number(greetAfter) }), {
    listenPort: 587,
  });
  closers.push(() => slow.close());
} else {
  const submission = await startSmtpServer({ key, cert, name: 'mail.example.test', listenPort: 587 });
  closers.push(() => submission.close());
}
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void Promise.all(closers.map((close) => close())).then(() => process.exit(0));
});
