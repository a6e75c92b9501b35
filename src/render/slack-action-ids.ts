// Button action ids: rendered into messages, matched by the Slack listeners. They outlive a
// deploy inside old messages, so they change only on purpose.
export const ACTION_IDS = {
  rerun: 'smtp_check_rerun',
  watch: 'smtp_check_watch',
  showConfig: 'smtp_check_show_config',
  unwatch: 'smtp_check_unwatch',
} as const;
