// The real clock of supervision; tests inject their own (types.ts, Clock) to run the state machine
// exactly. Its timers keep the event loop alive on purpose: a service waiting out its backoff is
// still meant to come back, so the host must not exit under it.
import { setLongTimeout } from '../util/timers.js';
import type { Clock } from './types.js';

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setLongTimeout(fn, ms);
    return () => t.clear();
  },
};
