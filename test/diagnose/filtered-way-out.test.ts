import { describe, expect, test } from 'vitest';
import { diagnoseHost } from '../../src/diagnose/index.js';
import type { PortClass } from '../../src/probe/types.js';
import { aContext, aHost, aPort } from '../helpers/probe-builders.js';

/** The advice of the filtered finding on 25, beside the submission ports that were probed. */
function adviceOn25(submission: Array<[number, PortClass]>): string {
  const ports = [
    aPort({ port: 25, class: 'filtered' }),
    ...submission.map(([port, cls]) => aPort({ port, class: cls })),
  ];
  const diagnosis = diagnoseHost(aHost({ ports }), aContext());
  const found = diagnosis.ports[0]?.findings.find((finding) => finding.id === 'filtered');
  const wayOut = found?.advice.find((line) => line.startsWith('Many networks block outbound 25'));
  expect(wayOut).toBeDefined();
  return wayOut ?? '';
}

describe('filtered 25: the way out is true to what was probed', () => {
  test.each<[string, Array<[number, PortClass]>, string, string[]]>([
    [
      'both answered',
      [
        [587, 'open-starttls'],
        [465, 'open-implicit-tls'],
      ],
      'submit through 587 (STARTTLS) or 465 (implicit TLS) instead, which answered here',
      [],
    ],
    [
      'only 465 answered',
      [
        [587, 'filtered'],
        [465, 'open-implicit-tls'],
      ],
      'submit through 465 (implicit TLS) instead, which answered here',
      ['587 (STARTTLS)'],
    ],
    [
      'neither probed',
      [[2525, 'open-starttls']],
      'submit through 587 (STARTTLS) or 465 (implicit TLS) instead (not probed here: check them first)',
      [],
    ],
    [
      '587 failed, 465 not probed',
      [[587, 'refused']],
      'submit through 465 (implicit TLS) instead (not probed here: check it first)',
      ['587 (STARTTLS)'],
    ],
    [
      'both probed and failed',
      [
        [587, 'filtered'],
        [465, 'refused'],
      ],
      'neither works from here either',
      ['submit through'],
    ],
  ])('%s', (_name, submission, says, never) => {
    const advice = adviceOn25(submission);
    expect(advice).toContain(says);
    for (const text of never) expect(advice).not.toContain(text);
  });
});
