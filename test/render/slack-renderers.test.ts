import { describe, expect, test } from 'vitest';
import type { HostDiagnosis } from '../../src/diagnose/types.js';
import { renderAdvice, renderConfig } from '../../src/render/slack-advice.js';
import type { SlackMessage } from '../../src/render/slack-blocks.js';
import { renderChanges } from '../../src/render/slack-changes.js';
import { findLimitViolations, TRUNCATED_NOTE } from '../../src/render/slack-limits.js';
import {
  renderCheckFailed,
  renderHome,
  renderNoEarlierResult,
  renderNotInChannel,
  renderSlackRefused,
} from '../../src/render/slack-notices.js';
import { renderParent } from '../../src/render/slack-parent.js';
import { renderPortDetails } from '../../src/render/slack-port-details.js';
import { renderProgress } from '../../src/render/slack-progress.js';
import { renderUsage, renderWatchesUnavailable } from '../../src/render/slack-usage.js';
import { aPort } from '../helpers/probe-builders.js';
import { forbiddenCharacters, proseOf, textsOf, unsafeMarkup } from '../helpers/slack-assertions.js';
import { aDiagnosisOf, aHostileDiagnosis, aTypicalDiagnosis, HOSTILE } from '../helpers/slack-diagnoses.js';

const USER = 'U0REQUEST';
const typical = aTypicalDiagnosis();
const hostile = aHostileDiagnosis();
const hostileTarget: HostDiagnosis = { ...hostile, target: HOSTILE, host: HOSTILE };

/** Every renderer, for one diagnosis: what a check can put in front of Slack. */
function everyMessage(diagnosis: HostDiagnosis): Array<[string, SlackMessage]> {
  return [
    [
      'progress (planning)',
      renderProgress({ target: diagnosis.target, userId: USER, ports: null, done: [] }),
    ],
    [
      'progress (half done)',
      renderProgress({
        target: diagnosis.target,
        userId: USER,
        ports: diagnosis.ports.map((port) => port.port),
        done: diagnosis.ports.slice(0, 2),
      }),
    ],
    ['parent', renderParent(diagnosis, { userId: USER })],
    ['parent (re-checked)', renderParent(diagnosis, { userId: USER, recheckedBy: 'U0OTHER' })],
    ...diagnosis.ports.map((port): [string, SlackMessage] => [`port ${port.port}`, renderPortDetails(port)]),
    ['advice', renderAdvice(diagnosis)],
    ['config', renderConfig(diagnosis)],
    ['changes', renderChanges(typical, diagnosis, USER)],
    ['check failed', renderCheckFailed(diagnosis.target, HOSTILE)],
  ];
}

const cases = [
  ...everyMessage(typical).map(([name, message]) => [`typical ${name}`, message] as const),
  ...everyMessage(hostile).map(([name, message]) => [`hostile ${name}`, message] as const),
  ...everyMessage(hostileTarget).map(([name, message]) => [`hostile target ${name}`, message] as const),
  ['usage', renderUsage()] as const,
  ['usage with hostile input', renderUsage(`\`${HOSTILE}\` is not a valid host name`)] as const,
  ['watches unavailable', renderWatchesUnavailable('mute')] as const,
  ['not in channel', renderNotInChannel()] as const,
  ['slack refused', renderSlackRefused(HOSTILE)] as const,
  ['no earlier result', renderNoEarlierResult()] as const,
];

describe('Slack renderers', () => {
  test.each(cases)('%s stays inside every Block Kit limit', (_name, message) => {
    expect(findLimitViolations(message)).toEqual([]);
    expect(message.blocks.length).toBeGreaterThan(0);
    expect(message.text.length).toBeGreaterThan(0);
  });

  test.each(cases)('%s mentions and links nobody', (_name, message) => {
    expect(unsafeMarkup(message, { users: [USER, 'U0OTHER'], linkPrefixes: ['https://'] })).toEqual([]);
    // Slack links a bare URL in prose, so server text may appear only inside code.
    expect(proseOf(message)).not.toContain('evil.example');
  });

  test.each(cases)('%s carries no control, bidi or broken characters', (_name, message) => {
    expect(forbiddenCharacters(message)).toEqual([]);
  });

  test('the home view fits the Home tab limits', () => {
    const home = renderHome();
    expect(findLimitViolations({ text: 'home', blocks: home.blocks }, 100)).toEqual([]);
  });

  test('a hostile port reply is cut with a visible note, not rejected', () => {
    const details = renderPortDetails(hostile.ports[0]!);
    const all = textsOf(details).join('\n');
    expect(all).toMatch(/more lines? truncated|…truncated/);
    expect(all).toContain('&lt;!channel&gt;');
    expect(all).not.toContain('<!channel>');
  });

  test('server text is shown in code spans', () => {
    const port = aDiagnosisOf({ 587: 'open-starttls' }).ports[0]!;
    const details = renderPortDetails({ ...port, greeting: '220 mx.example.com <!here> ready' });
    expect(textsOf(details).join('\n')).toContain('```220 mx.example.com &lt;!here&gt; ready```');
  });
});

describe('renderProgress()', () => {
  test('shows every planned port pending, then each as it finishes', () => {
    const start = renderProgress({
      target: 'smtp.example.com',
      userId: USER,
      ports: [25, 465, 587, 2525],
      done: [],
    });
    expect(start.text).toBe('Checking `smtp.example.com` for <@U0REQUEST> — 25 ⏳  465 ⏳  587 ⏳  2525 ⏳');
    const later = renderProgress({
      target: 'smtp.example.com',
      userId: USER,
      ports: [25, 465, 587, 2525],
      done: [aPort({ port: 465, class: 'open-implicit-tls' }), aPort({ port: 25, class: 'filtered' })],
    });
    expect(later.text).toContain('25 ❌  465 ✅  587 ⏳  2525 ⏳');
  });

  test('a crafted user id cannot become a broadcast', () => {
    const message = renderProgress({ target: 'x.example', userId: '!channel', ports: [25], done: [] });
    expect(unsafeMarkup(message)).toEqual([]);
  });
});

describe('renderParent()', () => {
  test('has the verdict, a port table and the three buttons', () => {
    const parent = renderParent(typical, { userId: USER });
    const all = textsOf(parent).join('\n');
    expect(all).toContain(typical.verdict.summary);
    for (const port of [25, 465, 587, 2525]) expect(all).toMatch(new RegExp(`^${port}\\s`, 'm'));
    const actions = parent.blocks.find((block) => block.type === 'actions');
    expect(actions?.type === 'actions' && actions.elements.map((button) => button.text.text)).toEqual([
      'Re-run',
      'Watch this host',
      'Show config',
    ]);
  });
});

describe('renderAdvice()', () => {
  test('recommends a port with ready-to-paste configuration', () => {
    const all = textsOf(renderAdvice(typical)).join('\n');
    expect(typical.recommendation).not.toBeNull();
    expect(all).toContain(`port ${typical.recommendation!.port}`);
    expect(all).toContain('*nodemailer*');
    expect(all).toContain('```');
  });

  test('says so when nothing works', () => {
    const all = textsOf(renderAdvice(aDiagnosisOf({ 25: 'filtered', 587: 'refused' }))).join('\n');
    expect(all).toContain('No port worked from here');
  });
});

describe('renderChanges()', () => {
  test('lists ports whose class changed', () => {
    const after = aDiagnosisOf({
      25: 'filtered',
      465: 'open-implicit-tls',
      587: 'refused',
      2525: 'open-starttls',
    });
    const all = textsOf(renderChanges(typical, after, USER)).join('\n');
    expect(all).toContain('*587*: ✅ `open-starttls` → ❌ `refused`');
    expect(all).not.toContain('*465*');
  });

  test('says nothing changed when nothing did', () => {
    expect(textsOf(renderChanges(typical, aTypicalDiagnosis(), USER)).join('\n')).toContain(
      'Nothing changed',
    );
  });
});

test('the truncation note is the visible one', () => {
  expect(TRUNCATED_NOTE).toBe('…truncated');
});
