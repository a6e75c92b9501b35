import { lookupReverseDns } from './reverse-dns.js';
import type { PostureDns, SendingAddressFacts } from './types.js';

// Forward-confirmed reverse DNS (FCrDNS) of `--ip`: the address's PTR names, and whether one of
// them resolves back to the address. Gmail, Yahoo and Outlook.com ask it of every sender. The
// lookup itself is reverse-dns.ts's, shared with the MX addresses of the transport checks.

export async function gatherSendingAddress(dns: PostureDns, ip: string): Promise<SendingAddressFacts> {
  return { ip, ...(await lookupReverseDns(dns, ip)) };
}
