import { describe, expect, test } from 'vitest';
import {
  buildTimeline,
  columnGroups,
  historyWindow,
  rowSpans,
  type TimelineInput,
} from '../../src/render/timeline-model.js';
import { svgToPng } from '../../src/render/timeline-png.js';
import { renderTimelineSvg, TIMELINE_LAYOUT } from '../../src/render/timeline-svg.js';
import { rowFacts, timelineAltText, timelineComment } from '../../src/render/timeline-text.js';
import { axisTicks } from '../../src/render/zoned-time.js';
import { decodePng } from '../helpers/png.js';

// A fixed day: port 25 was blocked (filtered) 10:00–12:14 UTC; 587 seen from aws-eu only since
// 06:00; 465 never observed. Paris is UTC+2 in June.
const DAY: TimelineInput = {
  host: 'smtp.example.com',
  from: '2025-06-01T00:00:00.000Z',
  to: '2025-06-02T00:00:00.000Z',
  timeZone: 'Europe/Paris',
  rows: [
    {
      port: 25,
      vantage: null,
      changes: [
        { at: '2025-05-20T08:00:00.000Z', class: 'open-starttls', usable: true },
        { at: '2025-06-01T10:00:00.000Z', class: 'filtered', usable: false },
        { at: '2025-06-01T12:14:00.000Z', class: 'open-starttls', usable: true },
      ],
      lastAt: '2025-06-01T23:45:00.000Z',
    },
    {
      port: 587,
      vantage: 'aws-eu',
      changes: [{ at: '2025-06-01T06:00:00.000Z', class: 'open-starttls', usable: true }],
      lastAt: '2025-06-01T23:45:00.000Z',
    },
    { port: 465, vantage: null, changes: [], lastAt: null },
  ],
};

const VERMILLION: [number, number, number] = [213, 94, 0];
const BLUISH_GREEN: [number, number, number] = [0, 158, 115];
const BLACK: [number, number, number] = [0, 0, 0];
const SKY_BLUE: [number, number, number] = [86, 180, 233];

/** The picture's x for an instant of DAY, and y of the middle of a row's bar or its incident mark. */
const xAt = (iso: string): number =>
  Math.round(
    TIMELINE_LAYOUT.barX + ((Date.parse(iso) - Date.parse(DAY.from)) / 86_400_000) * TIMELINE_LAYOUT.barWidth,
  );
const barY = (row: number): number =>
  TIMELINE_LAYOUT.firstRowY + row * TIMELINE_LAYOUT.rowPitch + TIMELINE_LAYOUT.barY + 22;
const markY = (row: number): number =>
  TIMELINE_LAYOUT.firstRowY + row * TIMELINE_LAYOUT.rowPitch + TIMELINE_LAYOUT.markY + 4;

describe('the timeline model', () => {
  test('time before the oldest kept change is no data, not usable; the last state holds until now', () => {
    const [, aws] = buildTimeline(DAY).rows;
    expect(aws!.spans.map((span) => [span.group, new Date(span.start).toISOString()])).toEqual([
      ['no-data', '2025-06-01T00:00:00.000Z'],
      ['usable', '2025-06-01T06:00:00.000Z'],
    ]);
    expect(aws!.uptime).toBe(1);
    expect(aws!.knownMs).toBe(18 * 3_600_000);
  });

  test('a series the bot stopped re-testing turns to no data after two hours', () => {
    const spans = rowSpans(
      { ...DAY.rows[1]!, lastAt: '2025-06-01T12:00:00.000Z' },
      Date.parse(DAY.from),
      Date.parse(DAY.to),
      2 * 3_600_000,
    );
    expect(spans.at(-1)).toMatchObject({ group: 'no-data', start: Date.parse('2025-06-01T12:00:00.000Z') });
  });

  test('uptime counts usable time over time with data; the outage is one incident', () => {
    const [port25] = buildTimeline(DAY).rows;
    expect(port25!.uptime).toBeCloseTo(1 - 134 / 1_440, 6);
    expect(port25!.incidents).toEqual([
      {
        start: Date.parse('2025-06-01T10:00:00.000Z'),
        end: Date.parse('2025-06-01T12:14:00.000Z'),
        class: 'filtered',
      },
    ]);
  });

  test('a port that never worked has no incident, as alerts have none', () => {
    const model = buildTimeline({
      ...DAY,
      rows: [
        {
          port: 2525,
          vantage: null,
          changes: [{ at: '2025-05-30T00:00:00.000Z', class: 'refused', usable: false }],
          lastAt: '2025-06-01T23:45:00.000Z',
        },
      ],
    });
    expect(model.rows[0]!.incidents).toEqual([]);
    expect(model.rows[0]!.uptime).toBe(0);
  });

  test('a 15-minute outage in 30 days still gets a column of its own (the worst group wins)', () => {
    const from = Date.parse('2025-05-01T00:00:00.000Z');
    const to = from + 30 * 86_400_000;
    const outage = from + 17 * 86_400_000;
    const spans = rowSpans(
      {
        port: 25,
        vantage: null,
        changes: [
          { at: new Date(from).toISOString(), class: 'open-starttls', usable: true },
          { at: new Date(outage).toISOString(), class: 'filtered', usable: false },
          { at: new Date(outage + 900_000).toISOString(), class: 'open-starttls', usable: true },
        ],
        lastAt: new Date(to).toISOString(),
      },
      from,
      to,
      7_200_000,
    );
    const columns = columnGroups(spans, from, to, 160);
    expect(columns.filter((group) => group === 'no-answer')).toHaveLength(1);
    expect(columns.filter((group) => group === 'usable')).toHaveLength(159);
  });

  test('the window is the kept history, at least a day and at most 30 days', () => {
    const to = '2025-06-02T00:00:00.000Z';
    const options = { maxMs: 30 * 86_400_000, minMs: 86_400_000 };
    expect(historyWindow(DAY.rows, to, options).from).toBe('2025-05-20T08:00:00.000Z');
    expect(historyWindow(DAY.rows.slice(1), to, options).from).toBe('2025-06-01T00:00:00.000Z');
    const old = [
      { ...DAY.rows[0]!, changes: [{ ...DAY.rows[0]!.changes[0]!, at: '2024-01-01T00:00:00.000Z' }] },
    ];
    expect(historyWindow(old, to, options).from).toBe('2025-05-03T00:00:00.000Z');
  });

  test('axis ticks fall on whole local hours, also in a zone half an hour off UTC', () => {
    const ticks = axisTicks(Date.parse(DAY.from), Date.parse(DAY.to), 'Asia/Kolkata');
    expect(ticks.map((tick) => tick.label)).toEqual(['06:00', '12:00', '18:00', '2 Jun']);
    expect(new Date(ticks[0]!.time).toISOString()).toBe('2025-06-01T00:30:00.000Z');
  });
});

describe('the timeline SVG', () => {
  const svg = renderTimelineSvg(DAY);

  test('one row per port and network, labelled, in the order given', () => {
    const rows = [...svg.matchAll(/<g class="row" data-port="(\d+)"(?: data-vantage="([^"]+)")?>/g)].map(
      (match) => [match[1], match[2] ?? null],
    );
    expect(rows).toEqual([
      ['25', null],
      ['587', 'aws-eu'],
      ['465', null],
    ]);
    expect(svg).toContain('<title>587 · aws-eu</title>');
    expect(svg).toContain('<text class="vantage"');
    expect(svg).toMatch(/>aws-eu</);
  });

  test('the incident is marked on port 25 only, from its start', () => {
    const marks = [...svg.matchAll(/<rect class="incident" data-start="([^"]+)"/g)].map((match) => match[1]);
    expect(marks).toEqual(['2025-06-01T10:00:00.000Z']);
    expect(svg).toContain('incident on 25: 1 Jun 12:00 – 1 Jun 14:14');
  });

  test('uptime per row, the time zone, axis labels in local time, and a legend', () => {
    const uptimes = [...svg.matchAll(/<text class="uptime"[^>]*>([^<]+)</g)].map((match) => match[1]);
    expect(uptimes).toEqual(['90.6%', '100%', '—']);
    expect(svg).toContain('times in Europe/Paris');
    expect([...svg.matchAll(/<text class="tick"[^>]*>([^<]+)</g)].map((match) => match[1])).toEqual([
      '06:00',
      '12:00',
      '18:00',
      '2 Jun',
    ]);
    for (const label of ['usable', 'degraded', 'blocked', 'no answer', 'not probed', 'no data', 'incident']) {
      expect(svg).toContain(`>${label}</text>`);
    }
  });

  test('colours come from the colour-blind-safe palette, blocked spans where the outage was', () => {
    const spans = [
      ...svg.matchAll(/<rect class="span" data-group="([a-z-]+)" x="([\d.]+)"[^>]*fill="([^"]+)"/g),
    ];
    const row25 = spans.slice(0, 3).map((match) => [match[1], match[3]]);
    expect(row25).toEqual([
      ['usable', '#009E73'],
      ['no-answer', '#CC79A7'],
      ['usable', '#009E73'],
    ]);
  });

  test('a host name cannot inject markup', () => {
    const hostile = renderTimelineSvg({ ...DAY, host: 'evil"><script>alert(1)</script>&.example' });
    expect(hostile).not.toContain('<script>');
    expect(hostile).toContain('evil&quot;&gt;&lt;script&gt;');
  });
});

describe('the timeline PNG', () => {
  test('decodes to the SVG size, with the outage, the hatch before the data, and the incident mark', async () => {
    const svg = renderTimelineSvg({
      ...DAY,
      // Blocked (refused) instead of filtered, to see the blocked colour.
      rows: [
        {
          ...DAY.rows[0]!,
          changes: DAY.rows[0]!.changes.map((change) =>
            change.class === 'filtered' ? { ...change, class: 'refused' as const } : change,
          ),
        },
        ...DAY.rows.slice(1),
      ],
    });
    const height = Number(/height="(\d+)"/.exec(svg)?.[1]);
    const png = decodePng(await svgToPng(svg));
    expect([png.width, png.height]).toEqual([1000, height]);
    expect(png.rgb(xAt('2025-06-01T11:00:00.000Z'), barY(0))).toEqual(VERMILLION);
    expect(png.rgb(xAt('2025-06-01T16:00:00.000Z'), barY(0))).toEqual(BLUISH_GREEN);
    expect(png.rgb(xAt('2025-06-01T11:00:00.000Z'), markY(0))).toEqual(BLACK);
    expect(png.rgb(xAt('2025-06-01T16:00:00.000Z'), markY(0))).toEqual([255, 255, 255]);
    // No data before 06:00 on the aws-eu row: the light hatch, never a state's colour.
    const hatch = new Set(
      Array.from({ length: 12 }, (_, i) => png.rgb(xAt('2025-06-01T03:00:00.000Z') + i, barY(1)).join(',')),
    );
    expect(
      [...hatch].every((rgb) => ['238,238,238', '208,208,208'].includes(rgb) || /^2[0-3]\d,/.test(rgb)),
    ).toBe(true);
    expect(hatch.size).toBeGreaterThan(1);
    expect(png.rgb(xAt('2025-06-01T16:00:00.000Z'), barY(1))).toEqual(BLUISH_GREEN);
  });
});

describe('muted stretches', () => {
  // Port 25 muted 14:00–18:00 while it stayed usable: its own colour, and still usable time.
  const MUTED: TimelineInput = {
    ...DAY,
    rows: [
      {
        port: 25,
        vantage: null,
        changes: [
          { at: '2025-05-20T08:00:00.000Z', class: 'open-starttls', usable: true },
          { at: '2025-06-01T14:00:00.000Z', class: 'open-starttls', usable: true, muted: true },
          { at: '2025-06-01T18:00:00.000Z', class: 'open-starttls', usable: true },
        ],
        lastAt: '2025-06-01T23:45:00.000Z',
      },
    ],
  };

  test('are a group of their own that still counts toward uptime, with a legend entry', async () => {
    const [row] = buildTimeline(MUTED).rows;
    expect(row?.spans.map((span) => span.group)).toEqual(['usable', 'muted', 'usable']);
    expect(row?.uptime).toBe(1);
    const svg = renderTimelineSvg(MUTED);
    expect(svg).toMatch(/>muted</);
    const png = decodePng(await svgToPng(svg));
    expect(png.rgb(xAt('2025-06-01T16:00:00.000Z'), barY(0))).toEqual(SKY_BLUE);
    expect(png.rgb(xAt('2025-06-01T12:00:00.000Z'), barY(0))).toEqual(BLUISH_GREEN);
  });
});

describe('the timeline in words', () => {
  const model = buildTimeline(DAY);

  test('each row says its uptime, incidents and state now, in the configured zone', () => {
    expect(model.rows.map((row) => rowFacts(row, model))).toEqual([
      '25: usable 90.6% of the time · 1 incident (2 h 14 min from 1 Jun 12:00) · now usable: STARTTLS upgrade worked',
      '587 · aws-eu: usable 100% of the time (data from 1 Jun 08:00) · no incidents · now usable: STARTTLS upgrade worked',
      '465: no data in this window',
    ]);
  });

  test('the message text carries the same facts, with the host escaped; alt text fits Slack', () => {
    const comment = timelineComment(buildTimeline({ ...DAY, host: '<!channel>' }));
    expect(comment).toContain('`&lt;!channel&gt;`');
    expect(comment).toContain('• 25: usable 90.6% of the time');
    expect(comment).toContain('times in Europe/Paris');
    expect(timelineAltText(model).length).toBeLessThanOrEqual(1_000);
    expect(timelineAltText(model)).toContain('1 incident (2 h 14 min');
  });
});
