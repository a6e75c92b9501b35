import { describe, expect, test } from 'vitest';
import type { HostDiagnosis } from '../../src/diagnose/types.js';
import type { VantageComparison, VantageOutcome } from '../../src/diagnose/vantage-types.js';
import { displayWidth } from '../../src/render/display-width.js';
import { toJson } from '../../src/render/json.js';
import { comparisonJson, vantagesJson } from '../../src/render/json-vantages.js';
import type { SlackMessage } from '../../src/render/slack-blocks.js';
import { findLimitViolations } from '../../src/render/slack-limits.js';
import {
  formatAgo,
  renderVantageAdvice,
  renderVantageEvidence,
  renderVantageList,
  renderVantageProgress,
  renderVantageResult,
  type VantageListEntry,
} from '../../src/render/slack-vantages.js';
import { renderVantagesTerminal } from '../../src/render/terminal-vantages.js';
import { aPort, NOW } from '../helpers/probe-builders.js';
import { forbiddenCharacters, proseOf, textsOf, unsafeMarkup } from '../helpers/slack-assertions.js';
import { aDiagnosis, aDiagnosisOf, aHostileDiagnosis, HOSTILE } from '../helpers/slack-diagnoses.js';

const USER = 'U0REQUEST';
const TARGET = 'smtp.example.com';
const VERDICT_ICONS = /✅|⚠️|❌|🚫/;

const office = aDiagnosisOf({ 25: 'open-starttls', 465: 'open-implicit-tls', 587: 'open-starttls' });
const awsEu = aDiagnosisOf({ 25: 'filtered', 465: 'open-implicit-tls', 587: 'open-starttls' });

const threeMinutesAgo = new Date(NOW.getTime() - 180_000).toISOString();

const answered = (vantage: string, diagnosis: HostDiagnosis): VantageOutcome => ({
  vantage,
  kind: 'answered',
  diagnosis,
});

const SILENT: VantageOutcome[] = [
  { vantage: 'lab', kind: 'no-answer', lastSeen: threeMinutesAgo, deadlineMs: 30_000, taken: true },
  { vantage: 'branch', kind: 'no-worker', lastSeen: null },
  { vantage: 'customer-vpn', kind: 'refused', reason: '192.0.2.10 is outside ALLOW_TARGETS' },
  { vantage: 'dmz', kind: 'failed', error: 'pg-boss job expired' },
];

const OUTCOMES: VantageOutcome[] = [answered('office', office), answered('aws-eu', awsEu), ...SILENT];

const COMPARISON: VantageComparison = {
  summary: '25 blocked from aws-eu; open from office',
  findings: [
    {
      id: 'vantage-silent',
      severity: 'warning',
      port: null,
      vantages: ['lab', 'branch', 'customer-vpn', 'dmz'],
      summary: 'lab, branch, customer-vpn and dmz gave no verdict',
      advice: ['Start a worker in each of those networks'],
    },
    {
      id: 'vantage-blocks-port',
      severity: 'critical',
      port: 25,
      vantages: ['aws-eu'],
      summary: 'port 25 answers from office and is filtered from aws-eu',
      advice: ['Ask AWS to lift the port 25 block for the aws-eu account', 'Or relay through 587'],
    },
  ],
};

/** Every text a message shows, joined. */
const all = (message: SlackMessage): string => textsOf(message).join('\n');

/** The lines of the message's code blocks (the matrix tables). */
function matrixLines(message: SlackMessage): string[] {
  return [...all(message).matchAll(/```\n?([\s\S]*?)```/g)].flatMap((match) => (match[1] ?? '').split('\n'));
}

/** The matrix row of one vantage (the first table's). */
function rowOf(message: SlackMessage, vantage: string): string {
  const row = matrixLines(message).find((line) => line.startsWith(`${vantage} `));
  if (row === undefined) throw new Error(`no row for ${vantage} in\n${matrixLines(message).join('\n')}`);
  return row;
}

/** Cells of a row split on the column gap; a port's cell sits under its header. */
function cellUnder(message: SlackMessage, vantage: string, port: number): string {
  const [header = '', ...rows] = matrixLines(message);
  const row = rows.find((line) => line.startsWith(`${vantage} `)) ?? '';
  const headers = header.trim().split(/\s+/);
  const cells = row.split(/\s{2,}/).slice(1);
  return cells[headers.indexOf(String(port))] ?? '';
}

function expectSafe(message: SlackMessage): void {
  expect(findLimitViolations(message)).toEqual([]);
  expect(unsafeMarkup(message, { users: [USER] })).toEqual([]);
  expect(forbiddenCharacters(message)).toEqual([]);
  expect(message.text.length).toBeGreaterThan(0);
}

describe('renderVantageProgress()', () => {
  const state = {
    target: TARGET,
    userId: USER,
    vantages: ['office', 'aws-eu', 'lab'],
    ports: [25, 465, 587],
    cells: {
      office: {
        kind: 'ports' as const,
        done: [
          { port: 25, class: 'open-starttls' as const, usable: true },
          { port: 587, class: 'no-starttls' as const, usable: false },
        ],
      },
      lab: { kind: 'no-answer' as const },
    },
  };

  test('fills in finished cells with their icons and leaves the rest pending', () => {
    const message = renderVantageProgress(state);
    expect(cellUnder(message, 'office', 25)).toBe('✅');
    expect(cellUnder(message, 'office', 465)).toBe('⏳');
    expect(cellUnder(message, 'office', 587)).toBe('❌');
    expect(rowOf(message, 'aws-eu')).toMatch(/^aws-eu\s+⏳\s+⏳\s+⏳$/);
    expect(all(message)).toContain('1 of 3 vantages done');
    expect(message.text).toContain('Checking `smtp.example.com` from 3 vantages for <@U0REQUEST>');
    expectSafe(message);
  });

  test('a vantage that gave no verdict says so across its row, with no port icon', () => {
    const row = rowOf(renderVantageProgress(state), 'lab');
    expect(row).toMatch(/^lab\s+no answer$/);
    expect(row).not.toMatch(VERDICT_ICONS);
  });

  test('before the plan is known, every vantage waits', () => {
    const message = renderVantageProgress({ ...state, ports: null, cells: {} });
    expect(rowOf(message, 'office')).toContain('⏳');
    expect(all(message)).toContain('planning the ports');
  });

  test('12 ports × 8 vantages stay phone-narrow, and much more still fits Slack', () => {
    const ports = [25, 465, 587, 2525, 2465, 2587, 8025, 26, 1025, 3025, 4025, 5025];
    const vantages = Array.from({ length: 8 }, (_, index) => `vantage-number-${index}`);
    const message = renderVantageProgress({ target: TARGET, userId: USER, vantages, ports, cells: {} });
    for (const line of matrixLines(message)) expect(displayWidth(line)).toBeLessThanOrEqual(44);
    for (const port of ports) expect(matrixLines(message).join('\n')).toMatch(new RegExp(`\\b${port}\\b`));
    expectSafe(message);

    const huge = renderVantageProgress({
      target: TARGET,
      userId: USER,
      vantages: Array.from({ length: 60 }, (_, index) => `v${index}`),
      ports: Array.from({ length: 300 }, (_, index) => 10_000 + index),
      cells: {},
    });
    expectSafe(huge);
    expect(all(huge)).toContain('…truncated');
  });
});

describe('renderVantageResult()', () => {
  const message = renderVantageResult(TARGET, OUTCOMES, COMPARISON, { userId: USER });

  test('shows each answered vantage’s verdict per port', () => {
    expect(cellUnder(message, 'aws-eu', 25)).toBe('❌');
    expect(cellUnder(message, 'office', 25)).toBe('✅');
    expect(cellUnder(message, 'aws-eu', 587)).toBe('✅');
  });

  test.each([
    ['lab', 'no answer'],
    ['branch', 'no worker'],
    ['customer-vpn', 'refused'],
    ['dmz', 'failed'],
  ])('%s, silent, shows “%s” and never a port verdict', (vantage, words) => {
    const row = rowOf(message, vantage.slice(0, 12));
    expect(row.endsWith(words)).toBe(true);
    expect(row).not.toMatch(VERDICT_ICONS);
  });

  test('leads with the comparison and the worst findings first', () => {
    const text = all(message);
    expect(text).toContain('🔴 25 blocked from aws-eu; open from office');
    const blocked = text.indexOf('port 25 answers from office and is filtered from aws-eu');
    const silent = text.indexOf('lab, branch, customer-vpn and dmz gave no verdict');
    expect(blocked).toBeGreaterThan(-1);
    expect(silent).toBeGreaterThan(blocked);
    expect(message.text).toContain('25 blocked from aws-eu');
    expectSafe(message);
  });

  test('shows at most three findings and counts the rest', () => {
    const many: VantageComparison = {
      summary: 'many',
      findings: Array.from({ length: 5 }, (_, index) => ({
        id: 'vantage-blocks-port' as const,
        severity: 'warning' as const,
        port: 2525 + index,
        vantages: ['aws-eu'],
        summary: `finding ${index}`,
        advice: [],
      })),
    };
    const text = all(renderVantageResult(TARGET, OUTCOMES, many, { userId: USER }));
    expect(text).toContain('finding 2');
    expect(text).not.toContain('finding 3');
    expect(text).toContain('2 more findings in the thread');
  });
});

describe('renderVantageEvidence()', () => {
  test('an answered vantage: its name, when it checked, and every port’s evidence', () => {
    const message = renderVantageEvidence(answered('aws-eu', awsEu), NOW);
    const text = all(message);
    expect(text).toContain('*Evidence from *aws-eu**');
    expect(text).toContain('checked 2026-03-01 12:00 UTC');
    for (const port of awsEu.ports) expect(text).toContain(`*Port ${port.port}*`);
    expect(text).toContain('connect timed out after 5000 ms');
    expectSafe(message);
  });

  test('hostile server text is escaped, and every port still appears within the limits', () => {
    // Eight hostile ports make far more than Slack's 50 blocks: each port gets its share.
    const ports = aHostileDiagnosis().ports;
    const hostile = aDiagnosis([...ports, ...ports.map((port) => ({ ...port, port: port.port + 10_000 }))]);
    const message = renderVantageEvidence(answered('aws-eu', hostile), NOW);
    expect(hostile.ports).toHaveLength(8);
    expectSafe(message);
    expect(proseOf(message)).not.toContain('evil.example');
    for (const port of hostile.ports) expect(all(message)).toContain(`*Port ${port.port}*`);
  });

  test('a greeting with a broadcast, backticks and controls arrives as inert text', () => {
    const diagnosis = aDiagnosis([
      aPort({ port: 587, class: 'open-starttls', greeting: '220 <!channel> ```x``` \u0007\u001b[31mred mx' }),
    ]);
    const message = renderVantageEvidence(answered('office', diagnosis), NOW);
    const text = all(message);
    expect(text).toContain("```220 &lt;!channel&gt; '''x''' red mx```");
    expect(text).not.toContain('<!channel>');
    expect(forbiddenCharacters(message)).toEqual([]);
  });

  test.each<[VantageOutcome, string, string]>([
    [
      SILENT[0]!,
      'No answer from *lab* within 30 s (last seen 3 min ago): its worker took the check and did not finish.',
      '`smtp-check worker --vantage lab`',
    ],
    [
      { vantage: 'lab', kind: 'no-answer', lastSeen: null, deadlineMs: 30_000, taken: false },
      'No answer from *lab* within 30 s (never seen): no worker took the check.',
      'Start `smtp-check worker --vantage lab` in that network',
    ],
    [
      SILENT[1]!,
      'No worker is live for *branch* (never seen), so it was not asked.',
      'Start `smtp-check worker --vantage branch` in that network',
    ],
    [
      SILENT[2]!,
      '*customer-vpn* refused to probe this target: 192.0.2.10 is outside ALLOW_TARGETS.',
      '`ALLOW_TARGETS`',
    ],
    [
      SILENT[3]!,
      '*dmz*’s worker took the check and failed before it had any facts: `pg-boss job expired`.',
      'log',
    ],
  ])('a silent vantage gets one sentence and what to do (%#)', (outcome, sentence, todo) => {
    const message = renderVantageEvidence(outcome, NOW);
    expect(message.text).toBe(sentence);
    expect(all(message)).toContain(todo);
    expect(all(message)).not.toMatch(VERDICT_ICONS);
    expectSafe(message);
  });

  test('a worker’s reason and error are escaped', () => {
    for (const outcome of [
      { vantage: 'x', kind: 'refused', reason: HOSTILE },
      { vantage: 'x', kind: 'failed', error: HOSTILE },
    ] satisfies VantageOutcome[]) {
      const message = renderVantageEvidence(outcome, NOW);
      expectSafe(message);
      expect(proseOf(message)).not.toContain('evil.example');
    }
  });
});

describe('renderVantageAdvice()', () => {
  test('lists every finding with its advice, worst first', () => {
    const message = renderVantageAdvice(COMPARISON);
    const text = all(message);
    expect(text).toContain('25 blocked from aws-eu; open from office');
    expect(text).toContain('• Ask AWS to lift the port 25 block for the aws-eu account');
    expect(text).toContain('• Start a worker in each of those networks');
    expect(text.indexOf('vantage-blocks-port')).toBeLessThan(text.indexOf('vantage-silent'));
    expectSafe(message);
  });

  test('says so when the vantages agree', () => {
    expect(all(renderVantageAdvice({ summary: 'same from everywhere', findings: [] }))).toContain(
      'Every vantage saw the same',
    );
  });
});

describe('renderVantageList()', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  const entries: VantageListEntry[] = [
    { name: 'office', local: false, workers: 0, versions: [], lastSeen: '2026-03-01T09:00:00Z', live: false },
    {
      name: 'aws-eu',
      local: false,
      workers: 2,
      versions: ['0.1.0', '0.2.0'],
      lastSeen: '2026-03-01T11:59:48Z',
      live: true,
    },
    { name: 'bot', local: true, workers: 0, versions: ['0.2.0'], lastSeen: null, live: true },
  ];

  test('shows each vantage: the bot’s own first, live or not, heartbeat, versions, workers', () => {
    const message = renderVantageList(entries, now);
    const text = all(message);
    expect(text).toContain('🏠 *bot* — this bot’s own network · live');
    expect(text).toContain(
      '🟢 *aws-eu* — live · 2 workers · versions `0.1.0`, `0.2.0` · last heartbeat 12 s ago',
    );
    expect(text).toContain('⚪ *office* — not live · no live worker · last heartbeat 3 h ago');
    expect(text.indexOf('*bot*')).toBeLessThan(text.indexOf('*aws-eu*'));
    expect(text.indexOf('*aws-eu*')).toBeLessThan(text.indexOf('*office*'));
    expectSafe(message);
  });

  test('an empty list says how to start a worker, and what happens without DATABASE_URL', () => {
    const message = renderVantageList([], now);
    expect(message.text).toContain('`smtp-check worker --vantage NAME`');
    expect(message.text).toContain('`DATABASE_URL`');
    expect(message.text).toContain('Without `DATABASE_URL` there is only the bot’s own vantage');
  });

  test.each([
    ['2026-03-01T11:59:59.600Z', 'just now'],
    ['2026-03-01T11:59:48Z', '12 s ago'],
    ['2026-03-01T11:57:00Z', '3 min ago'],
    ['2026-02-27T12:00:00Z', '2 days ago'],
    ['not a date', 'at an unreadable time'],
  ])('formatAgo(%s) is “%s”', (iso, expected) => {
    expect(formatAgo(iso, now)).toBe(expected);
  });
});

describe('every vantage message, with hostile vantage names', () => {
  const name = HOSTILE;
  const outcomes: VantageOutcome[] = [
    answered(name, awsEu),
    { vantage: name, kind: 'no-answer', lastSeen: HOSTILE, deadlineMs: 30_000, taken: false },
  ];
  const comparison: VantageComparison = {
    summary: HOSTILE,
    findings: [
      {
        id: 'vantage-intercepts',
        severity: 'critical',
        port: 25,
        vantages: [name],
        summary: HOSTILE,
        advice: [HOSTILE],
      },
    ],
  };
  test.each<[string, SlackMessage]>([
    [
      'progress',
      renderVantageProgress({
        target: HOSTILE,
        userId: USER,
        vantages: [name],
        ports: [25],
        cells: { [name]: { kind: 'ports', done: [{ port: 25, class: 'filtered' }] } },
      }),
    ],
    ['result', renderVantageResult(HOSTILE, outcomes, comparison, { userId: USER })],
    ['evidence (answered)', renderVantageEvidence(outcomes[0]!, NOW)],
    ['evidence (silent)', renderVantageEvidence(outcomes[1]!, NOW)],
    ['advice', renderVantageAdvice(comparison)],
    [
      'list',
      renderVantageList(
        [{ name, local: false, workers: 1, versions: [HOSTILE], lastSeen: HOSTILE, live: true }],
        NOW,
      ),
    ],
  ])('%s mentions, links and breaks nothing', (_name, message) => {
    expectSafe(message);
    expect(proseOf(message)).not.toContain('evil.example');
  });
});

describe('renderVantagesTerminal()', () => {
  const plain = renderVantagesTerminal(OUTCOMES, COMPARISON, { width: 80, color: false });
  const lines = plain.split('\n');

  test('a matrix row per vantage: verdicts for those that answered, words for the silent ones', () => {
    const header = lines.find((line) => /^\s+25\s+465\s+587$/.test(line));
    expect(header).toBeDefined();
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}aws-eu\s+fail\s+ok\s+ok$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}office\s+ok\s+ok\s+ok$/));
    for (const [vantage, words] of [
      ['lab', 'no answer'],
      ['branch', 'no worker'],
      ['customer-vpn', 'refused'],
      ['dmz', 'failed'],
    ] as const) {
      const row = lines.find((line) => line.startsWith(`  ${vantage} `));
      expect(row?.trim()).toMatch(new RegExp(`^${vantage}\\s+${words}$`));
    }
  });

  test('says why each silent vantage is silent, and the comparative findings with advice', () => {
    const flowing = plain.replace(/\s+/g, ' ');
    expect(flowing).toContain('lab: no answer within 30 s');
    expect(flowing).toContain('its worker took the check and did not finish');
    expect(flowing).toContain('branch: no live worker (never seen)');
    expect(flowing).toContain('smtp-check worker --vantage branch');
    expect(plain).toMatch(/CRITICAL 25 vantage-blocks-port: port 25 answers from office/);
    expect(plain).toContain('→ Ask AWS to lift the port 25 block');
    expect(plain.indexOf('vantage-blocks-port')).toBeLessThan(plain.indexOf('vantage-silent'));
  });

  test('fits 80 columns even with long names, many ports and long findings', () => {
    const manyPorts = aDiagnosisOf(
      Object.fromEntries(
        [25, 465, 587, 2525, 2465, 2587, 8025, 26, 1025, 3025, 4025, 5025].map((port) => [port, 'filtered']),
      ),
    );
    const wide = renderVantagesTerminal(
      [
        answered('a-very-long-vantage-name-of-32ch', manyPorts),
        { vantage: 'x', kind: 'refused', reason: `${'long reason '.repeat(40)}` },
      ],
      { summary: 'word '.repeat(60), findings: [{ ...COMPARISON.findings[1]!, summary: 'z'.repeat(200) }] },
      { width: 80, color: true },
    );
    for (const line of [...lines, ...wide.split('\n')]) expect(displayWidth(line)).toBeLessThanOrEqual(80);
    for (const port of [25, 5025]) expect(wide).toMatch(new RegExp(`\\b${port}\\b`));
  });

  test('plain without colour; coloured with it; server text never drives the terminal', () => {
    expect(plain).not.toContain('\u001b');
    expect(renderVantagesTerminal(OUTCOMES, COMPARISON, { width: 80, color: true })).toContain(
      '\u001b[31mfail',
    );
    const hostile = renderVantagesTerminal(
      [{ vantage: 'x', kind: 'failed', error: HOSTILE }],
      { summary: HOSTILE, findings: [] },
      { width: 80, color: false },
    );
    expect(hostile).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
  });
});

describe('vantagesJson() and comparisonJson()', () => {
  const json = vantagesJson(OUTCOMES);

  test('an answered vantage’s ports and findings have exactly the top-level shapes', () => {
    const nothingWorks = aDiagnosisOf({ 465: 'refused', 587: 'filtered' });
    const [entry] = vantagesJson([answered('aws-eu', nothingWorks)]);
    const top = toJson(nothingWorks);
    expect(entry?.name).toBe('aws-eu');
    expect(entry?.status).toBe('answered');
    expect(entry?.checkedAt).toBe(nothingWorks.checkedAt);
    expect(entry?.ports).toEqual(top.ports);
    expect(entry?.findings).toEqual(top.findings);
    expect(entry?.findings.length).toBeGreaterThan(0);
    expect(entry?.ports.flatMap((port) => port.findings).length).toBeGreaterThan(0);
  });

  test('a silent vantage has no verdict, only why', () => {
    expect(json.slice(2)).toEqual([
      {
        name: 'lab',
        status: 'no-answer',
        checkedAt: null,
        ports: [],
        findings: [],
        lastSeen: threeMinutesAgo,
        deadlineMs: 30_000,
        taken: true,
      },
      { name: 'branch', status: 'no-worker', checkedAt: null, ports: [], findings: [], lastSeen: null },
      {
        name: 'customer-vpn',
        status: 'refused',
        checkedAt: null,
        ports: [],
        findings: [],
        reason: '192.0.2.10 is outside ALLOW_TARGETS',
      },
      {
        name: 'dmz',
        status: 'failed',
        checkedAt: null,
        ports: [],
        findings: [],
        error: 'pg-boss job expired',
      },
    ]);
  });

  test('the comparison carries its summary and findings with the vantages they name', () => {
    expect(comparisonJson(COMPARISON)).toEqual({
      summary: COMPARISON.summary,
      findings: COMPARISON.findings.map(({ id, severity, port, vantages, summary, advice }) => ({
        id,
        severity,
        port,
        vantages,
        summary,
        advice,
      })),
    });
    expect(JSON.parse(JSON.stringify({ vantages: json }))).toEqual({ vantages: json });
  });
});
