import { describe, expect, test } from 'vitest';
import { diagnoseHost, formatMs } from '../../src/diagnose/index.js';
import { renderPortDetails } from '../../src/render/slack-port-details.js';
import { renderReport } from '../../src/render/terminal.js';
import { aContext, aHost, aPort } from '../helpers/probe-builders.js';

describe('formatMs()', () => {
  test.each([
    [40, '40 ms'],
    [999.4, '999 ms'],
    [999.6, '1 s'],
    [1_500, '1.5 s'],
    [5_000, '5 s'],
    [5_040, '5 s'],
    [9_960, '10 s'],
    [12_345, '12 s'],
    [Number.NaN, '—'],
  ])('%d ms reads "%s"', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });
});

describe('one way to say a duration', () => {
  test('the terminal, the Slack port details and the finding all say "5 s" for five seconds', () => {
    const port = aPort({ port: 587, class: 'filtered', durationMs: 5_000 });
    const diagnosis = diagnoseHost(aHost({ ports: [port] }), aContext());
    const terminal = renderReport(diagnosis, { color: false });
    expect(terminal).toMatch(/587\s+filtered\s+5 s/);
    expect(terminal).not.toContain('5.0 s');
    const slack = JSON.stringify(renderPortDetails(diagnosis.ports[0]!));
    expect(slack).toContain('5 s in all');
    expect(slack).not.toContain('5.0 s');
  });
});
