// Networks whose providers document that they block or throttle outbound port 25, named in the
// advice so the reader recognises their own network.

export interface EgressPolicy {
  network: string;
  /** The way out they document. */
  wayOut: string;
}

export const PORT_25_BLOCKERS: readonly EgressPolicy[] = [
  { network: 'AWS EC2 / Lambda', wayOut: 'request removal of the limit, or use SES on 587/2587/465/2465' },
  { network: 'Google Cloud', wayOut: 'relay on 465, 587 or 2525' },
  { network: 'Azure', wayOut: 'authenticated relay on 587' },
  { network: 'DigitalOcean', wayOut: '587 / 465' },
  { network: 'Linode (Akamai)', wayOut: 'support ticket (25, 465 and 587 restricted on new accounts)' },
  { network: 'Hetzner Cloud', wayOut: '587' },
  { network: 'Oracle Cloud', wayOut: 'OCI Email Delivery on 25/587' },
  { network: 'residential ISPs', wayOut: '587 / 465' },
];

/** "AWS EC2 / Lambda, Google Cloud, Azure, …" for one sentence of advice. */
export function port25BlockerNames(): string {
  return PORT_25_BLOCKERS.map((policy) => policy.network).join(', ');
}

/**
 * Words in a vantage's name that say whose cloud it runs in, for the provider's own way out of its
 * port-25 block. A word matches a whole hyphen-separated part of the name, with or without trailing
 * digits ("aws-eu", "gcp2", "do-ams3"): a substring would take "cloudy" or "undo" for a provider.
 */
const CLOUD_WORDS: ReadonlyArray<{ network: EgressPolicy['network']; words: readonly string[] }> = [
  { network: 'AWS EC2 / Lambda', words: ['aws', 'ec2', 'amazon', 'lambda'] },
  { network: 'Google Cloud', words: ['gcp', 'gce', 'google', 'gcloud'] },
  { network: 'Azure', words: ['azure'] },
  { network: 'DigitalOcean', words: ['digitalocean', 'do', 'droplet'] },
  { network: 'Linode (Akamai)', words: ['linode', 'akamai'] },
  { network: 'Hetzner Cloud', words: ['hetzner', 'hcloud'] },
  { network: 'Oracle Cloud', words: ['oracle', 'oci'] },
];

/** The cloud whose port-25 policy a vantage's name points at, or null for any other name. */
export function cloudForVantage(vantage: string): EgressPolicy | null {
  const parts = vantage.split('-').flatMap((part) => [part, part.replace(/\d+$/, '')]);
  const hint = CLOUD_WORDS.find((cloud) => cloud.words.some((word) => parts.includes(word)));
  return PORT_25_BLOCKERS.find((policy) => policy.network === hint?.network) ?? null;
}
