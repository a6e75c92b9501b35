import type { DnsAnswer } from '../types.js';

// RFC 7208 §4.5: of a name's TXT records, the ones that are SPF records. A record split into
// several character-strings is read with the strings joined and no space added (§3.3).

export type SpfRecordLookup =
  | { kind: 'record'; record: string; strings: string[] }
  /** No v=spf1 record; `void` when the name has no TXT record at all (NXDOMAIN or no data). */
  | { kind: 'none'; void: boolean }
  | { kind: 'multiple'; records: string[] }
  | { kind: 'error'; message: string };

const VERSION = /^v=spf1(?: |$)/i;

/** The SPF record among a TXT answer's records. */
export function selectSpfRecord(answer: DnsAnswer<string[]>): SpfRecordLookup {
  switch (answer.kind) {
    case 'nxdomain':
    case 'nodata':
      return { kind: 'none', void: true };
    case 'error':
      return { kind: 'error', message: answer.message };
    case 'records': {
      const found = answer.records.filter((strings) => VERSION.test(strings.join('')));
      if (found.length === 0) return { kind: 'none', void: false };
      if (found.length > 1) return { kind: 'multiple', records: found.map((strings) => strings.join('')) };
      const strings = found[0] ?? [];
      return { kind: 'record', record: strings.join(''), strings };
    }
  }
}
