import { describe, expect, test } from 'vitest';
import {
  DEFAULT_PORTS,
  describePortClass,
  matchProvider,
  planPorts,
  portsToProbe,
  roleForPort,
} from '../../src/diagnose/index.js';
import { PORT_CLASSES } from '../../src/probe/types.js';

describe('matchProvider()', () => {
  test.each<[string, string | null]>([
    ['smtp.sendgrid.net', 'sendgrid'],
    ['smtp.mailgun.org', 'mailgun'],
    ['smtp.eu.mailgun.org', 'mailgun'],
    ['smtp.postmarkapp.com', 'postmark'],
    ['smtp-broadcasts.postmarkapp.com', 'postmark'],
    ['email-smtp.us-east-1.amazonaws.com', 'amazon-ses'],
    ['email-smtp.ap-southeast-2.amazonaws.com', 'amazon-ses'],
    ['email-smtp-fips.us-gov-west-1.amazonaws.com', 'amazon-ses'],
    ['smtp.sparkpostmail.com', 'sparkpost'],
    ['smtp.eu.sparkpostmail.com', 'sparkpost'],
    ['in-v3.mailjet.com', 'mailjet'],
    ['smtp-relay.brevo.com', 'brevo'],
    ['smtp.resend.com', 'resend'],
    ['smtp.gmail.com', 'gmail'],
    ['smtp-relay.gmail.com', 'gmail-relay'],
    ['smtp.office365.com', 'microsoft-365'],
    ['SMTP.SendGrid.NET.', 'sendgrid'],
    ['smtp.example.com', null],
    ['email-smtp.amazonaws.com.evil.example', null],
    ['notsmtp.sendgrid.net', null],
  ])('%s → %s', (host, id) => {
    expect(matchProvider(host)?.id ?? null).toBe(id);
  });

  test('returns the documented ports and docs', () => {
    expect(matchProvider('email-smtp.eu-west-1.amazonaws.com')).toEqual({
      id: 'amazon-ses',
      name: 'Amazon SES',
      docsUrl: 'https://docs.aws.amazon.com/ses/latest/dg/smtp-connect.html',
      starttlsPorts: [25, 587, 2587],
      implicitTlsPorts: [465, 2465],
    });
    expect(matchProvider('smtp.postmarkapp.com')?.implicitTlsPorts).toEqual([]);
  });
});

describe('portsToProbe()', () => {
  test.each<[string, number[], number[]]>([
    ['smtp.example.com', [], [25, 465, 587, 2525]],
    ['email-smtp.eu-west-1.amazonaws.com', [], [25, 465, 587, 2525, 2587, 2465]],
    ['smtp.resend.com', [], [25, 465, 587, 2525, 2587, 2465]],
    ['smtp.sendgrid.net', [], [25, 465, 587, 2525]],
    ['email-smtp.eu-west-1.amazonaws.com', [587, 2587], [587, 2587]],
    ['smtp.example.com', [587, 587, 25], [587, 25]],
  ])('%s with %j → %j', (host, requested, expected) => {
    expect(portsToProbe(host, requested)).toEqual(expected);
  });

  test('PROBE_PORTS replaces the defaults; the provider alternates are still added', () => {
    expect(portsToProbe('email-smtp.us-east-1.amazonaws.com', [], [587])).toEqual([587, 25, 2587, 465, 2465]);
    expect(portsToProbe('smtp.example.com', [], [587, 2525])).toEqual([587, 2525]);
  });

  test('DEFAULT_PORTS', () => {
    expect(DEFAULT_PORTS).toEqual([25, 465, 587, 2525]);
  });
});

describe('port conventions', () => {
  test.each<[number, string]>([
    [25, 'relay'],
    [465, 'submission'],
    [587, 'submission'],
    [2525, 'submission'],
    [2587, 'submission'],
    [2465, 'submission'],
    [8025, 'submission'],
  ])('%i: %s', (port, role) => {
    expect(roleForPort(port)).toBe(role);
  });
});

describe('describePortClass()', () => {
  test('gives every class its own short label', () => {
    const labels = PORT_CLASSES.map(describePortClass);
    expect(new Set(labels).size).toBe(PORT_CLASSES.length);
    for (const label of labels) expect(label.length).toBeLessThanOrEqual(40);
    expect(describePortClass('filtered')).toBe('filtered (no answer)');
  });
});

describe('planPorts()', () => {
  test.each([
    ['email-smtp.eu-west-1.amazonaws.com', [25, 465, 587, 2525, 2587, 2465], [465, 2465]],
    ['smtp.resend.com', [25, 465, 587, 2525, 2587, 2465], [465, 2465]],
    ['smtp.postmarkapp.com', [25, 465, 587, 2525], [465, 2465]],
    ['smtp.example.com', [25, 465, 587, 2525], [465, 2465]],
  ])('%s: the ports, and which to dial in implicit TLS', (host, ports, implicit) => {
    expect(planPorts(host, [])).toEqual({ ports, implicitTlsPorts: implicit });
  });

  test('every implicit-TLS port a provider documents is dialled in implicit TLS', () => {
    for (const host of [
      'smtp.sendgrid.net',
      'email-smtp.us-east-1.amazonaws.com',
      'smtp.resend.com',
      'smtp.gmail.com',
    ]) {
      const provider = matchProvider(host);
      const plan = planPorts(host, []);
      for (const port of provider?.implicitTlsPorts ?? []) {
        expect(plan.ports).toContain(port);
        expect(plan.implicitTlsPorts).toContain(port);
      }
      for (const port of provider?.starttlsPorts ?? []) expect(plan.implicitTlsPorts).not.toContain(port);
    }
  });
});
