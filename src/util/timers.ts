// Node's timers hold a signed 32-bit millisecond count: a longer delay fires after 1 ms (with a
// TimeoutOverflowWarning). nursery accepts durations up to Number.MAX_SAFE_INTEGER, so every
// timer armed from a user's duration goes through here.

/** The longest delay one Node timer can hold: 2^31 - 1 ms, about 24.8 days. */
export const MAX_TIMER_MS = 2_147_483_647;

/** A delay Node can hold. For timers whose callback re-checks its own deadline. */
export function timerDelay(ms: number): number {
  return Math.min(Math.max(ms, 1), MAX_TIMER_MS);
}

export interface LongTimer {
  clear(): void;
}

/** setTimeout for any delay: re-arms itself in steps of MAX_TIMER_MS until `ms` has passed. */
export function setLongTimeout(fn: () => void, ms: number): LongTimer {
  let timer: NodeJS.Timeout;
  const arm = (left: number): void => {
    if (left <= MAX_TIMER_MS) {
      timer = setTimeout(fn, left);
      return;
    }
    timer = setTimeout(() => arm(left - MAX_TIMER_MS), MAX_TIMER_MS);
  };
  arm(ms);
  return { clear: () => clearTimeout(timer) };
}
