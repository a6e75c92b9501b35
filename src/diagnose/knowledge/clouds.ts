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
