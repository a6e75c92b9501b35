import { describe, expect, test } from 'vitest';
import { diagnoseHost } from '../../src/diagnose/index.js';
import type { HostProbe } from '../../src/probe/types.js';
import { ACTION_IDS } from '../../src/render/slack-action-ids.js';
import type { ButtonElement } from '../../src/render/slack-blocks.js';
import { renderParent } from '../../src/render/slack-parent.js';
import { aContext, aHost, aPort } from '../helpers/probe-builders.js';

function buttonsOf(probe: Partial<HostProbe>): ButtonElement[] {
  const diagnosis = diagnoseHost(
    aHost({ ports: [aPort({ port: 25, class: 'open-starttls' })], ...probe }),
    aContext(),
  );
  const parent = renderParent(diagnosis, { userId: 'U0REQUEST' });
  return parent.blocks.flatMap((block) => (block.type === 'actions' ? block.elements : []));
}

describe('the Domain posture button', () => {
  test('is on the parent of an MX check (you@example.com), its value the domain', () => {
    const buttons = buttonsOf({
      target: 'example.com',
      host: 'mx1.example.com',
      mx: { hosts: [{ exchange: 'mx1.example.com', priority: 10 }], reason: 'forced' },
    });
    const posture = buttons.find((button) => button.action_id === ACTION_IDS.domainPosture);
    expect(posture).toMatchObject({ text: { text: 'Domain posture' }, value: 'example.com' });
    expect(buttons.map((button) => button.text.text)).toEqual([
      'Re-run',
      'Watch this host',
      'Show config',
      'Domain posture',
    ]);
  });

  test('is not on the parent of a host check', () => {
    const buttons = buttonsOf({ target: 'smtp.example.com', host: 'smtp.example.com', mx: null });
    expect(buttons.map((button) => button.action_id)).not.toContain(ACTION_IDS.domainPosture);
    expect(buttons).toHaveLength(3);
  });

  test('has an action id of its own', () => {
    const ids = Object.values(ACTION_IDS);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ACTION_IDS.domainPosture).toBe('smtp_check_domain_posture');
  });
});
