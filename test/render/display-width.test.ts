import stringWidth from 'string-width';
import { describe, expect, test } from 'vitest';
import type { CheckHooks, CheckRequest } from '../../src/check/types.js';
import { runCli } from '../../src/cli/run-cli.js';
import { diagnoseHost } from '../../src/diagnose/index.js';
import { displayWidth, fitColumns, wrapColumns } from '../../src/render/display-width.js';
import { renderVantageWaitLines } from '../../src/render/terminal-progress.js';
import { aContext, aHost, aPort } from '../helpers/probe-builders.js';

// Columns as a terminal draws them. A line one column wider than counted wraps, and the live
// redraw (one row up per line) then overwrites the wrong rows.

const STAR = '⭐';
const THUMB_TONE = '👍🏽';
const FAMILY = '👨‍👩‍👧';
const CJK = '漢字';
const COMBINING = 'e\u0301';

describe('displayWidth()', () => {
  test.each([
    ['⭐ (wide by Unicode, once counted as one)', STAR, 2],
    ['👍🏽 (emoji with a skin tone: one cell)', THUMB_TONE, 2],
    ['👨‍👩‍👧 (joined with ZWJ: one cell)', FAMILY, 2],
    ['CJK', CJK, 4],
    ['a combining mark takes no column', COMBINING, 1],
    ['zero-width space', 'a\u200bb', 2],
    ['colour sequences take none', '\u001b[31mred\u001b[0m', 3],
    ['cursor sequences take none', '\u001b[2A\r\u001b[Jab', 2],
    ['plain ASCII', 'port 587', 8],
  ])('%s', (_name, text, columns) => {
    expect(displayWidth(text)).toBe(columns);
  });
});

describe('fitColumns() and wrapColumns()', () => {
  const text = `${STAR} ${THUMB_TONE} ${FAMILY} ${CJK} cafe\u0301 ${STAR}${STAR}${FAMILY}${CJK}`;

  test.each(Array.from({ length: 30 }, (_, index) => index + 1))(
    'cut to %i columns: fits, and no joined character is split',
    (columns) => {
      const cut = fitColumns(text, columns);
      expect(displayWidth(cut)).toBeLessThanOrEqual(columns);
      // Whatever is kept is whole: the family stays one cell, the skin tone stays on its thumb.
      expect(cut.replace('…', '')).toBe(text.slice(0, cut.replace('…', '').length));
      expect(cut).not.toMatch(/\u200d…|\u200d$|👍…/);
      // Wrapping needs room for the indent and one wide cell.
      const wrapAt = Math.max(columns, 4);
      for (const line of wrapColumns(`${text} ${text}`, wrapAt)) {
        expect(displayWidth(line)).toBeLessThanOrEqual(wrapAt);
      }
    },
  );
});

describe('a live redraw of lines with emoji, CJK and combining marks', () => {
  const greeting = `220 ${STAR} mail.例え.test ${THUMB_TONE}${FAMILY} ESMTP cafe\u0301 ${'⭐漢'.repeat(20)}`;
  const ports = [
    aPort({ port: 587, class: 'open-starttls', greeting }),
    aPort({ port: 25, class: 'open-starttls', greeting: `220 ${FAMILY.repeat(40)}` }),
  ];
  const check = async (_request: CheckRequest, hooks: CheckHooks = {}) => {
    hooks.onPlan?.({ target: 'smtp.example.com', ports: [587, 25], providerName: null });
    for (const port of ports) hooks.onPort?.(port);
    return diagnoseHost(aHost({ target: 'smtp.example.com', host: 'smtp.example.com', ports }), aContext());
  };

  test.each([20, 33, 47, 61, 80, 101])('never wider than %i columns', async (columns) => {
    const chunks: string[] = [];
    await runCli(
      ['smtp.example.com'],
      {
        stdout: { isTTY: true, columns, write: (text: string) => chunks.push(text) },
        stderr: { write: () => undefined },
        noColor: false,
      },
      check,
    );
    const output = chunks.join('');
    const live = output.slice(0, output.indexOf('smtp-check smtp.example.com')).split('\n');
    // Narrow terminals drop the greeting altogether; wider ones show part of it.
    if (columns >= 47) expect(live.some((line) => line.includes(STAR) || line.includes(FAMILY))).toBe(true);
    // Measured by the library directly, as the terminal would draw it, not by what is under test.
    for (const line of live) expect(stringWidth(line), line).toBeLessThan(columns);
  });

  test.each([12, 20, 33])('vantage lines with wide names fit %i columns', (columns) => {
    const lines = renderVantageWaitLines([{ vantage: `${STAR}${CJK}${FAMILY}`.repeat(3), secondsLeft: 9 }], {
      maxColumns: columns,
    });
    for (const line of lines) expect(stringWidth(line)).toBeLessThan(columns);
  });
});
