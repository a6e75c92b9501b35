// Sending services as DNS shows them: the SPF include they ask customers to publish, the MX hosts
// of the mailbox services, and the DKIM selectors they use when the selector is a fixed word. A
// selector chosen per customer (Amazon SES's tokens, Postmark's dated ones) cannot be guessed:
// the report says so rather than calling the key missing.

export interface SendingProvider {
  name: string;
  /** Domains whose SPF record customers include (matched on the name or a parent of it). */
  spfIncludes: string[];
  /** Suffixes of the provider's MX host names (a mailbox service the domain receives with). */
  mxSuffixes: string[];
  /** DKIM selectors the provider uses for every customer. */
  dkimSelectors: string[];
  /** When its selectors are per customer: where the customer finds theirs. */
  selectorHint?: string;
}

export const SENDING_PROVIDERS: readonly SendingProvider[] = [
  {
    name: 'Google Workspace',
    spfIncludes: ['_spf.google.com'],
    mxSuffixes: ['google.com', 'googlemail.com'],
    dkimSelectors: ['google'],
  },
  {
    name: 'Microsoft 365',
    spfIncludes: ['spf.protection.outlook.com'],
    mxSuffixes: ['mail.protection.outlook.com'],
    dkimSelectors: ['selector1', 'selector2'],
  },
  {
    name: 'Amazon SES',
    spfIncludes: ['amazonses.com'],
    mxSuffixes: ['amazonaws.com'],
    dkimSelectors: [],
    selectorHint:
      'Amazon SES signs with three per-domain token selectors (CNAMEs to dkim.amazonses.com): the SES console lists them under the verified identity',
  },
  {
    name: 'SendGrid',
    spfIncludes: ['sendgrid.net'],
    mxSuffixes: ['sendgrid.net'],
    dkimSelectors: ['s1', 's2'],
  },
  {
    name: 'Mailgun',
    spfIncludes: ['mailgun.org'],
    mxSuffixes: ['mailgun.org'],
    dkimSelectors: ['k1', 'krs', 'mx', 'smtp', 'mailo'],
  },
  {
    name: 'Postmark',
    spfIncludes: ['spf.mtasv.net', 'mtasv.net'],
    mxSuffixes: ['mtasv.net'],
    dkimSelectors: [],
    selectorHint:
      "Postmark's selector is dated per domain (20240101123456pm): the Sender Signatures page in Postmark shows it",
  },
  {
    name: 'Mailchimp / Mandrill',
    spfIncludes: ['servers.mcsv.net', 'spf.mandrillapp.com', 'mandrillapp.com'],
    mxSuffixes: ['mandrillapp.com'],
    dkimSelectors: ['k1', 'k2', 'k3', 'mandrill'],
  },
  {
    name: 'Brevo',
    spfIncludes: ['spf.brevo.com', 'spf.sendinblue.com', 'sendinblue.com'],
    mxSuffixes: ['brevo.com', 'sendinblue.com'],
    dkimSelectors: ['brevo1', 'brevo2', 'mail'],
  },
  {
    name: 'SparkPost',
    spfIncludes: ['sparkpostmail.com', '_spf.sparkpostmail.com'],
    mxSuffixes: ['sparkpostmail.com'],
    dkimSelectors: ['scph0123', 'scph1023'],
    selectorHint: 'SparkPost shows the selector of each sending domain under Sending Domains',
  },
  {
    name: 'Zoho Mail',
    spfIncludes: ['zoho.com', 'zoho.eu', 'zohomail.com'],
    mxSuffixes: ['zoho.com', 'zoho.eu'],
    dkimSelectors: ['zmail', 'zoho'],
  },
  {
    name: 'Mailjet',
    spfIncludes: ['spf.mailjet.com'],
    mxSuffixes: ['mailjet.com'],
    dkimSelectors: ['mailjet'],
  },
  {
    name: 'Fastmail',
    spfIncludes: ['spf.messagingengine.com'],
    mxSuffixes: ['messagingengine.com'],
    dkimSelectors: ['fm1', 'fm2', 'fm3'],
  },
];

/** Selectors tried for every domain when none is given: the common defaults of MTAs and panels. */
export const COMMON_DKIM_SELECTORS: readonly string[] = ['default', 'dkim', 'mail', 's1', 'k1', 'selector1'];

/** A name equal to `suffix` or under it. */
function under(name: string, suffix: string): boolean {
  const bare = name.toLowerCase().replace(/\.$/, '');
  return bare === suffix || bare.endsWith(`.${suffix}`);
}

/** The provider whose SPF record `domain` is (an include target), if known. */
export function providerOfSpfInclude(domain: string): SendingProvider | undefined {
  return SENDING_PROVIDERS.find((provider) => provider.spfIncludes.some((suffix) => under(domain, suffix)));
}

/** The mailbox service an MX host belongs to, if known. */
export function providerOfMxHost(exchange: string): SendingProvider | undefined {
  return SENDING_PROVIDERS.find((provider) => provider.mxSuffixes.some((suffix) => under(exchange, suffix)));
}
