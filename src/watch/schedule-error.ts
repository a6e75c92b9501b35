/** CHECK_SCHEDULE or CHECK_TIMEZONE cannot be used; the message says what to type instead. */
export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
}
