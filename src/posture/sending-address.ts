import { isIP } from 'node:net';
import { describeFailure } from './describe-failure.js';
import type { PostureDns, SendingAddressFacts } from './types.js';

// Forward-confirmed reverse DNS (FCrDNS): the address's PTR names, and whether one of them resolves
// back to the address. Gmail, Yahoo and Outlook.com ask it of every sender.

/** A PTR set longer than this is a misconfiguration; checking a few is enough to say so. */
const MAX_PTR_NAMES = 10;

/** One spelling per address, so `2001:db8::1` and `2001:0db8:0:0::1` compare equal. */
function canonical(address: string): string {
  try {
    return new URL(`http://[${address}]/`).hostname;
  } catch {
    return new URL(`http://${address}/`).hostname;
  }
}

export async function gatherSendingAddress(dns: PostureDns, ip: string): Promise<SendingAddressFacts> {
  const family = isIP(ip);
  if (family === 0)
    return { ip, ptr: [], forwardConfirmed: false, lookupError: `${ip} is not an IP address` };
  const answer = await dns.ptr(ip);
  if (answer.kind === 'error') {
    return { ip, ptr: [], forwardConfirmed: false, lookupError: describeFailure('PTR', ip, answer) };
  }
  const ptr =
    answer.kind === 'records' ? answer.records.map((name) => name.toLowerCase().replace(/\.$/, '')) : [];
  const wanted = canonical(ip);
  const type = family === 4 ? 'A' : 'AAAA';
  const checks = await Promise.all(
    ptr.slice(0, MAX_PTR_NAMES).map(async (name) => {
      const forward = family === 4 ? await dns.a(name) : await dns.aaaa(name);
      return {
        confirmed:
          forward.kind === 'records' && forward.records.some((address) => canonical(address) === wanted),
        error: forward.kind === 'error' ? describeFailure(type, name, forward) : undefined,
      };
    }),
  );
  const forwardConfirmed = checks.some((check) => check.confirmed);
  // A failed forward lookup matters only when no other name confirmed the address.
  const errors = forwardConfirmed ? [] : checks.flatMap((check) => (check.error ? [check.error] : []));
  return { ip, ptr, forwardConfirmed, ...(errors.length > 0 ? { lookupError: errors.join('; ') } : {}) };
}
