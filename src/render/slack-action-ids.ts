// Button action ids: rendered into messages, matched by the Slack listeners. They outlive a
// deploy inside old messages, so they change only on purpose.
export const ACTION_IDS = {
  rerun: 'smtp_check_rerun',
  watch: 'smtp_check_watch',
  showConfig: 'smtp_check_show_config',
  unwatch: 'smtp_check_unwatch',
  /** On an MX check's parent; the value is the domain, whose sending posture it reports. */
  domainPosture: 'smtp_check_domain_posture',
} as const;
