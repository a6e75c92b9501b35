import { describe, expect, test } from 'vitest';
import { diagnoseHost } from '../../src/diagnose/index.js';
import { renderPortDetails } from '../../src/render/slack-port-details.js';
import { renderPortLine, renderReport } from '../../src/render/terminal.js';
import { aContext, aHost, aPort } from '../helpers/probe-builders.js';

// Postscreen and friends greet over several lines; the probe keeps them all.
const GREETING = '220-mx.example.com ESMTP\n220-\u001b[31mno spam please\n220 mx.example.com ready';

function diagnosed(greeting: string) {
  const port = aPort({ port: 587, class: 'open-starttls', greeting });
  return diagnoseHost(aHost({ ports: [port] }), aContext());
}

describe('a multi-line greeting', () => {
  test('the final terminal report shows every line, escaped', () => {
    const report = renderReport(diagnosed(GREETING), { color: false });
    const lines = report.split('\n');
    const first = lines.findIndex((line) => line.includes('220-mx.example.com ESMTP'));
    expect(first).toBeGreaterThan(-1);
    expect(lines[first + 1]?.trim()).toBe('220-no spam please');
    expect(lines[first + 2]?.trim()).toBe('220 mx.example.com ready');
    expect(report).not.toContain('\u001b');
  });

  test('the Slack port details show every line', () => {
    const diagnosis = diagnosed(GREETING);
    const details = JSON.stringify(renderPortDetails(diagnosis.ports[0]!));
    expect(details).toContain('220-mx.example.com ESMTP');
    expect(details).toContain('no spam please');
    expect(details).toContain('220 mx.example.com ready');
    expect(details).not.toContain('\\u001b');
  });

  test('the live progress line keeps to the first line', () => {
    const line = renderPortLine(diagnosed(GREETING).ports[0]!, { color: false, maxColumns: 200 });
    expect(line).toContain('220-mx.example.com ESMTP');
    expect(line).not.toContain('ready');
  });

  test('a very long greeting is capped, saying how many lines were left out', () => {
    const long = Array.from({ length: 40 }, (_, index) => `220-line ${index}`).join('\n');
    const report = renderReport(diagnosed(`${long}\n220 end`), { color: false });
    expect(report).toContain('220-line 12');
    expect(report).not.toContain('220-line 13');
    expect(report).toContain('… 28 more greeting lines');
  });
});
