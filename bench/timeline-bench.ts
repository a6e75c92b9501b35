import { svgToPng } from '../src/render/timeline-png.js';
import { renderTimelineSvg } from '../src/render/timeline-svg.js';
import type { TimelineRow } from '../src/render/timeline-model.js';
import type { PortClass } from '../src/probe/index.js';
import { summarize, type Summary } from './stats.js';

// The history picture at the size the store keeps: 30 days of re-tests every 15 minutes on 4 ports,
// each port with its maximum of kept class changes (100): a flapping port, not a quiet one, so the
// SVG has as many spans as it can get. Measured: SVG and PNG together, as the bot draws it.

const DAY_MS = 86_400_000;
const TICK_MS = 15 * 60_000;

function flappingRow(
  port: number,
  vantage: string | null,
  from: number,
  to: number,
  seed: number,
): TimelineRow {
  const classes: PortClass[] = [
    'open-starttls',
    'filtered',
    'open-starttls',
    'slow-banner',
    'open-starttls',
    'refused',
  ];
  const changes = [];
  // 100 changes spread over the month at tick boundaries, a different rhythm per port.
  for (let index = 0; index < 100; index += 1) {
    const ticks = Math.floor(((index + (seed % 3) / 3) * (to - from)) / 100 / TICK_MS);
    const cls = classes[(index + seed) % classes.length]!;
    changes.push({
      at: new Date(from + ticks * TICK_MS).toISOString(),
      class: cls,
      usable: cls === 'open-starttls',
    });
  }
  return { port, vantage, changes, lastAt: new Date(to).toISOString() };
}

export interface TimelineBench {
  renderMs: Summary;
  pngBytes: number;
}

export async function timelineBench(runs = 20): Promise<TimelineBench> {
  const to = Date.parse('2026-03-31T00:00:00.000Z');
  const from = to - 30 * DAY_MS;
  const input = {
    host: 'smtp.example.com',
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    timeZone: 'Europe/Paris',
    rows: [
      flappingRow(25, null, from, to, 0),
      flappingRow(465, null, from, to, 1),
      flappingRow(587, null, from, to, 2),
      flappingRow(2525, 'aws-eu', from, to, 4),
    ],
  };
  // The first render loads resvg and the fonts: measured apart from the rest, as a bot's first picture.
  let png = await svgToPng(renderTimelineSvg(input));
  const samples: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    png = await svgToPng(renderTimelineSvg(input));
    samples.push(performance.now() - started);
  }
  return { renderMs: summarize(samples), pngBytes: png.length };
}
