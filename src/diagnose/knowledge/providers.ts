import type { ProviderInfo } from '../types.js';
import { DEFAULT_PORTS, IMPLICIT_TLS_PORTS, STANDARD_PORTS } from './ports.js';

// The sending providers smtp-check knows and the ports they document. Adding a provider is one
// entry here: its host names, its ports, and where the ports are documented.

interface ProviderEntry extends ProviderInfo {
  /** Host names this provider answers on, lower case; a RegExp for regional names. */
  hosts: Array<string | RegExp>;
}

const PROVIDERS: readonly ProviderEntry[] = [
  {
    id: 'sendgrid',
    name: 'SendGrid',
    hosts: ['smtp.sendgrid.net'],
    starttlsPorts: [25, 587, 2525],
    implicitTlsPorts: [465],
    docsUrl:
      'https://www.twilio.com/docs/sendgrid/for-developers/sending-email/integrating-with-the-smtp-api',
  },
  {
    id: 'mailgun',
    name: 'Mailgun',
    hosts: ['smtp.mailgun.org', 'smtp.eu.mailgun.org'],
    starttlsPorts: [25, 587, 2525],
    implicitTlsPorts: [465],
    docsUrl: 'https://documentation.mailgun.com/docs/mailgun/user-manual/sending-messages/send-smtp',
  },
  {
    id: 'postmark',
    name: 'Postmark',
    hosts: ['smtp.postmarkapp.com', 'smtp-broadcasts.postmarkapp.com'],
    starttlsPorts: [25, 587, 2525],
    implicitTlsPorts: [],
    docsUrl:
      'https://postmarkapp.com/support/article/811-what-are-the-smtp-details-api-tokens-i-should-be-using',
  },
  {
    id: 'amazon-ses',
    name: 'Amazon SES',
    // Every region has its own endpoint: email-smtp.eu-west-1.amazonaws.com, the -fips variants, …
    hosts: [/^email-smtp(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com$/],
    starttlsPorts: [25, 587, 2587],
    implicitTlsPorts: [465, 2465],
    docsUrl: 'https://docs.aws.amazon.com/ses/latest/dg/smtp-connect.html',
  },
  {
    id: 'sparkpost',
    name: 'SparkPost',
    hosts: ['smtp.sparkpostmail.com', 'smtp.eu.sparkpostmail.com'],
    starttlsPorts: [587, 2525],
    implicitTlsPorts: [],
    docsUrl: 'https://developers.sparkpost.com/api/smtp/',
  },
  {
    id: 'mailjet',
    name: 'Mailjet',
    hosts: ['in-v3.mailjet.com'],
    starttlsPorts: [25, 587, 2525],
    implicitTlsPorts: [465],
    docsUrl: 'https://cloud.google.com/compute/docs/tutorials/sending-mail/using-mailjet',
  },
  {
    id: 'brevo',
    name: 'Brevo',
    hosts: ['smtp-relay.brevo.com'],
    starttlsPorts: [587, 2525],
    implicitTlsPorts: [465],
    docsUrl: 'https://developers.brevo.com/docs/smtp-integration',
  },
  {
    id: 'resend',
    name: 'Resend',
    hosts: ['smtp.resend.com'],
    starttlsPorts: [25, 587, 2587],
    implicitTlsPorts: [465, 2465],
    docsUrl: 'https://resend.com/changelog/smtp-service',
  },
  {
    id: 'gmail',
    name: 'Gmail / Google Workspace',
    hosts: ['smtp.gmail.com'],
    starttlsPorts: [587],
    implicitTlsPorts: [465],
    docsUrl: 'https://support.google.com/a/answer/176600',
  },
  {
    // The Workspace relay also takes server-to-server mail on 25, unlike smtp.gmail.com.
    id: 'gmail-relay',
    name: 'Google Workspace SMTP relay',
    hosts: ['smtp-relay.gmail.com'],
    starttlsPorts: [25, 587],
    implicitTlsPorts: [465],
    docsUrl: 'https://support.google.com/a/answer/176600',
  },
  {
    id: 'microsoft-365',
    name: 'Microsoft 365',
    hosts: ['smtp.office365.com'],
    starttlsPorts: [587, 25],
    implicitTlsPorts: [],
    docsUrl:
      'https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/how-to-set-up-a-multifunction-device-or-application-to-send-email-using-microsoft-365-or-office-365',
  },
];

function normalise(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, '');
}

/** The known provider serving this host name, or null. Returns plain data (safe to print as JSON). */
export function matchProvider(host: string): ProviderInfo | null {
  const name = normalise(host);
  const entry = PROVIDERS.find((provider) =>
    provider.hosts.some((pattern) => (typeof pattern === 'string' ? pattern === name : pattern.test(name))),
  );
  if (!entry) return null;
  const { id, name: providerName, docsUrl, starttlsPorts, implicitTlsPorts } = entry;
  return {
    id,
    name: providerName,
    docsUrl,
    starttlsPorts: [...starttlsPorts],
    implicitTlsPorts: [...implicitTlsPorts],
  };
}

/** Every port the provider documents, STARTTLS ones first, in its own order. */
export function providerPorts(provider: ProviderInfo): number[] {
  return [...provider.starttlsPorts, ...provider.implicitTlsPorts];
}

/** Every port some known provider documents (25, 465, 587 and the alternates 2525, 2587, 2465). */
export function everyProviderPort(): number[] {
  return [...new Set(PROVIDERS.flatMap((provider) => providerPorts(provider)))].sort((a, b) => a - b);
}

/** The provider's ports beyond 25/465/587 (2525, 2587, 2465), STARTTLS ones first. */
export function providerAlternates(provider: ProviderInfo): number[] {
  return providerPorts(provider).filter((port) => !STANDARD_PORTS.includes(port));
}

/**
 * The ports to probe: exactly the requested ones when the user named any, otherwise the defaults
 * plus the provider's own alternates, so that "SES also listens on 2587" is checked, not guessed.
 */
export function portsToProbe(
  host: string,
  requested: readonly number[],
  defaults: readonly number[] = DEFAULT_PORTS,
): number[] {
  if (requested.length > 0) return [...new Set(requested)];
  const provider = matchProvider(host);
  const extra = provider ? providerPorts(provider) : [];
  return [...new Set([...defaults, ...extra])];
}

/** What to probe and how: the ports, and which of them to dial with TLS from the first byte. */
export interface PortPlan {
  ports: number[];
  /** The conventional implicit-TLS ports plus the provider's own: pass these to the probe. */
  implicitTlsPorts: number[];
}

/**
 * The ports to probe (see portsToProbe) with the ports to dial in implicit TLS. Without the
 * provider's implicit-TLS ports, an allowed implicit-TLS alternate would be dialled in plain mode.
 */
export function planPorts(
  host: string,
  requested: readonly number[],
  defaults: readonly number[] = DEFAULT_PORTS,
): PortPlan {
  const provider = matchProvider(host);
  const implicit = new Set([...IMPLICIT_TLS_PORTS, ...(provider?.implicitTlsPorts ?? [])]);
  return {
    ports: portsToProbe(host, requested, defaults),
    implicitTlsPorts: [...implicit].sort((a, b) => a - b),
  };
}
