import { describe, expect, test } from 'vitest';
import { canBeUsable, classSeverity, PORT_CLASS_TABLE } from '../../src/diagnose/knowledge/port-classes.js';
import { assessPort } from '../../src/diagnose/usability.js';
import { PORT_CLASSES } from '../../src/probe/types.js';
import { classIcon, classLabel } from '../../src/render/slack-format.js';
import { aCertificate, aPort, NOW } from '../helpers/probe-builders.js';

describe('PORT_CLASS_TABLE', () => {
  test('has exactly one entry per port class', () => {
    expect(Object.keys(PORT_CLASS_TABLE).sort()).toEqual([...PORT_CLASSES].sort());
  });

  test.each(PORT_CLASSES)(
    '%s: a class that can never be usable is judged unusable on every role',
    (portClass) => {
      const port = aPort({ port: 587, class: portClass, certificate: aCertificate() });
      const submission = assessPort(port, 'submission', NOW);
      const relay = assessPort({ ...port, port: 25 }, 'relay', NOW);
      if (!canBeUsable(portClass)) {
        expect(submission.usable).toBe(false);
        expect(relay.usable).toBe(false);
        expect(submission.reason).toBe(PORT_CLASS_TABLE[portClass].label);
      } else {
        // Relay takes any greeting with a working session (opportunistic TLS, or plain).
        expect(relay.usable).toBe(port.failure === null);
      }
    },
  );

  test.each(PORT_CLASSES)('%s: the Slack icon and words come from the table', (portClass) => {
    const { group, phrase } = PORT_CLASS_TABLE[portClass];
    expect(classLabel(portClass)).toBe(phrase);
    const icon = classIcon(portClass);
    if (group === 'usable') expect(icon).toBe('✅');
    else if (group === 'degraded') expect(icon).toBe('⚠️');
    else if (group === 'not-probed') expect(icon).toBe('🚫');
    else expect(icon).toBe('❌');
  });

  test('relay on 25 tolerates what submission must not', () => {
    expect(classSeverity('no-starttls', 'submission')).toBe('critical');
    expect(classSeverity('no-starttls', 'relay')).toBe('warning');
    expect(classSeverity('refused', 'submission')).toBe('warning');
  });

  test('every description is one sentence', () => {
    for (const info of Object.values(PORT_CLASS_TABLE)) expect(info.description).toMatch(/^[A-Z][^.]*\.$/);
  });
});
