import { describe, expect, test } from 'vitest';
import { gatherSpf } from '../../src/posture/spf/gather-spf.js';
import type { DnsAnswer, PostureDns } from '../../src/posture/types.js';
import { withSpfZone } from '../helpers/spf-zone.js';

// How many round trips a walk costs, counted without clocks: every answer is held back until the
// walk has asked all it can without it, then all held answers are let go at once (one "wave").

interface Waves {
  dns: PostureDns;
  run<T>(work: Promise<T>): Promise<{ value: T; waves: number }>;
}

function inWaves(inner: PostureDns): Waves {
  const held: Array<{ answer: Promise<unknown>; release: () => void }> = [];
  const gates = new Map<string, Promise<never>>();
  const gate =
    <T>(type: string, ask: (name: string) => Promise<DnsAnswer<T>>) =>
    (name: string): Promise<DnsAnswer<T>> => {
      const key = `${type} ${name}`;
      const known = gates.get(key);
      if (known) return known as Promise<DnsAnswer<T>>;
      const answer = ask(name);
      const gated = new Promise<DnsAnswer<T>>((resolve) => {
        held.push({ answer, release: () => void answer.then(resolve) });
      });
      gates.set(key, gated as Promise<never>);
      return gated;
    };
  const dns: PostureDns = {
    txt: gate('TXT', (name) => inner.txt(name)),
    mx: gate('MX', (name) => inner.mx(name)),
    a: gate('A', (name) => inner.a(name)),
    aaaa: gate('AAAA', (name) => inner.aaaa(name)),
    ptr: gate('PTR', (name) => inner.ptr(name)),
    cname: gate('CNAME', (name) => inner.cname(name)),
    resolver: inner.resolver,
    queries: () => inner.queries(),
  };
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return {
    dns,
    async run(work) {
      let done = false;
      const finished = work.then((value) => {
        done = true;
        return value;
      });
      let waves = 0;
      while (!done) {
        await settle();
        const wave = held.splice(0);
        if (wave.length === 0) continue;
        await Promise.all(wave.map((entry) => entry.answer));
        waves += 1;
        for (const entry of wave) entry.release();
      }
      return { value: await finished, waves };
    },
  };
}

describe('gatherSpf(): questions sent ahead', () => {
  test('9 lookups and 3 MX hosts over two levels cost 3 round trips, not one per lookup', async () => {
    await withSpfZone(
      {
        'example.com': {
          TXT: ['v=spf1 mx a include:i1.example include:i2.example include:i3.example ~all'],
          MX: [1, 2, 3].map((n) => ({ exchange: `mx${n}.example.com`, priority: n })),
          A: ['192.0.2.1'],
        },
        ...Object.fromEntries([1, 2, 3].map((n) => [`mx${n}.example.com`, { A: [`192.0.2.1${n}`] }])),
        'i1.example': { TXT: ['v=spf1 include:j1.example include:j2.example -all'] },
        'i2.example': { TXT: ['v=spf1 a:h.i2.example include:j3.example -all'] },
        'i3.example': { TXT: ['v=spf1 ip4:10.0.0.0/8 -all'] },
        'j1.example': { TXT: ['v=spf1 ip4:10.1.0.0/16 -all'] },
        'j2.example': { TXT: ['v=spf1 ip4:10.2.0.0/16 -all'] },
        'j3.example': { TXT: ['v=spf1 ip4:10.3.0.0/16 -all'] },
        'h.i2.example': { A: ['192.0.2.5'] },
      },
      async (zone) => {
        const waves = inWaves(zone.dns());
        const { value: facts, waves: roundTrips } = await waves.run(gatherSpf(waves.dns, 'example.com'));
        expect(facts).toMatchObject({ lookups: 9, worstCase: 'softfail' });
        // Root TXT; its terms (MX, A, three TXT); the MX hosts' A and the includes' terms (j1–j3 ask nothing).
        expect(roundTrips).toBe(3);
      },
    );
  });

  test('nothing is asked for terms after all', async () => {
    await withSpfZone(
      { 'example.com': { TXT: ['v=spf1 ip4:192.0.2.1 -all include:late.example a:late.example'] } },
      async (zone) => {
        const dns = zone.dns();
        await gatherSpf(dns, 'example.com');
        expect(dns.queries().log.map((entry) => `${entry.name} ${entry.type}`)).toEqual(['example.com TXT']);
      },
    );
  });

  test('the evaluation of an address is answered from what the walk asked', async () => {
    await withSpfZone(
      {
        'example.com': {
          TXT: ['v=spf1 a mx include:i1.example -all'],
          A: ['192.0.2.1'],
          MX: [{ exchange: 'mx.example.com', priority: 1 }],
        },
        'mx.example.com': { A: ['192.0.2.2'] },
        'i1.example': { TXT: ['v=spf1 ip4:10.0.0.0/8 -all'] },
      },
      async (zone) => {
        const dns = zone.dns();
        await gatherSpf(dns, 'example.com');
        const walked = dns.queries().sent;
        const facts = await gatherSpf(dns, 'example.com', { ip: '10.9.9.9' });
        expect(facts.result?.result).toBe('pass');
        expect(dns.queries().sent).toBe(walked);
      },
    );
  });
});
