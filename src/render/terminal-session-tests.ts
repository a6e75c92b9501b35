import type { CredentialTestResult, SendTestResult } from '../proof/index.js';
import { cleanText } from '../text/sanitize.js';

// The login and send tests in the terminal report. Every line quoting a server is cleaned of
// control characters; the transcript comes from src/proof with AUTH lines already redacted.

function transcript(lines: Array<{ direction: string; text: string }>): string[] {
  const arrow = { client: '→', server: '←', note: '·' } as Record<string, string>;
  return lines.flatMap((line) =>
    line.text
      .split('\n')
      .slice(0, 50)
      .map(
        (text, index) => `    ${index === 0 ? (arrow[line.direction] ?? ' ') : ' '} ${cleanText(text, 600)}`,
      ),
  );
}

/** What the CLI's login and send tests found. */
export interface SessionTestReport {
  credentials: CredentialTestResult[];
  send: SendTestResult | null;
  problem: string | null;
}

export function renderSessionTests(results: SessionTestReport): string {
  const out: string[] = [];
  if (results.credentials.length > 0) {
    out.push('', `Login test (nodemailer ${results.credentials[0]!.version})`);
    for (const result of results.credentials) {
      const mode = result.security === 'implicit-tls' ? 'SSL/TLS' : 'STARTTLS';
      if (result.ok) {
        out.push(
          `  ${result.port} ${mode}: logged in${result.mechanism ? ` with ${cleanText(result.mechanism, 40)}` : ''}`,
        );
      } else {
        // The reply's text is the whole reply, its code first: "535 5.7.8 Authentication failed".
        const reply = result.reply ? ` — ${cleanText(result.reply.text, 400)}` : '';
        out.push(
          `  ${result.port} ${mode}: ${result.outcome}${reply}${result.error ? ` (${cleanText(result.error, 300)})` : ''}`,
        );
        if (result.advice) {
          out.push(
            `    ${cleanText(result.advice.summary, 600)}`,
            `    Fix: ${cleanText(result.advice.fix, 600)}`,
          );
          out.push(`    Source: ${cleanText(result.advice.sourceUrl, 300)}`);
        }
      }
      for (const note of result.notes) out.push(`    Note: ${cleanText(note, 400)}`);
    }
  }
  if (results.send) {
    const send = results.send;
    out.push('', `Send test (nodemailer ${send.version}), message ${cleanText(send.messageId, 200)}`);
    out.push(...transcript(send.transcript));
    out.push(`  ${send.ok ? 'Queued' : 'Not sent'}: ${cleanText(send.explanation, 800)}`);
    if (send.advice) out.push(`  Fix: ${cleanText(send.advice.fix, 600)}`);
  }
  if (results.problem) out.push('', `Login/send test not run: ${cleanText(results.problem, 400)}`);
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}
