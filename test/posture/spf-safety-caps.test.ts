import { describe, expect, test } from 'vitest';
import { gatherSpf } from '../../src/posture/spf/gather-spf.js';
import { includeChain, withSpfZone } from '../helpers/spf-zone.js';

// Past the limit of 10 the worst-case walk counts on, but a hostile tree cannot make it ask
// without end: it follows includes 12 records deep at most and asks nothing past 50 lookups.

describe('gatherSpf(): safety caps', () => {
  test('a chain of 40 includes is followed 12 records deep, and called a permerror', async () => {
    await withSpfZone(
      { 'example.com': { TXT: ['v=spf1 include:z1.example -all'] }, ...includeChain('z', 40) },
      async (zone) => {
        const dns = zone.dns();
        const facts = await gatherSpf(dns, 'example.com');
        expect(facts.worstCase).toBe('permerror');
        expect(facts.error?.kind).toBe('too-many-lookups');
        expect(facts.lookups).toBe(13);
        expect(dns.queries().sent).toBe(13);
      },
    );
  });

  test('60 a terms are all counted, and only the first 50 asked', async () => {
    const terms = Array.from({ length: 60 }, (_, n) => `a:h${n}.example.com`).join(' ');
    const hosts = Object.fromEntries(
      Array.from({ length: 60 }, (_, n) => [`h${n}.example.com`, { A: ['192.0.2.1'] }]),
    );
    await withSpfZone({ 'example.com': { TXT: [`v=spf1 ${terms} -all`] }, ...hosts }, async (zone) => {
      const dns = zone.dns();
      const facts = await gatherSpf(dns, 'example.com');
      expect(facts.lookups).toBe(60);
      expect(facts.error).toMatchObject({ kind: 'too-many-lookups', term: 'a:h10.example.com' });
      expect(dns.queries().log.filter((entry) => entry.type === 'A')).toHaveLength(50);
    });
  });
});
