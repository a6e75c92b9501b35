/**
 * Certificate expiry bands, in days left. Under 21 days renewal is overdue for automated CAs
 * (they renew at 30 days left); under 7 it is urgent. The cert-expiring finding and the watch's
 * certificate alerts both read these, so a finding and an alert never disagree about a band.
 */
export const CERT_EXPIRING_DAYS = 21;
export const CERT_CRITICAL_DAYS = 7;
