import { describe, expect, test } from 'vitest';
import { PROBE_STAGES, WATCH_PHASES } from '../../src/metrics/index.js';
import { STAGES } from '../../src/probe/types.js';
import { ALERT_PHASES } from '../../src/watch-model/types.js';

// src/metrics stands on the lowest floors, so it keeps its own copies of a few closed lists that
// other rooms own (importing them would put it above the check that it times). These copies must
// not drift: a stage or phase the metrics do not know would never be counted.

describe('the label lists of the metrics', () => {
  test('are the probe stages and the alert phases, in full', () => {
    expect([...PROBE_STAGES]).toEqual([...STAGES]);
    expect([...WATCH_PHASES]).toEqual([...ALERT_PHASES]);
  });
});
