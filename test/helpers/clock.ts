// A clock for supervision tests: time moves only when the test says, so the state machine's delays
// are read exactly, without sleeps (src/supervise/types.ts, Clock).
import type { Clock } from '../../src/supervise/types.js';

interface Timer {
  at: number;
  ms: number;
  fn: () => void;
  live: boolean;
}

export class TestClock implements Clock {
  t = 1_000_000;
  timers: Timer[] = [];

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): () => void {
    const timer: Timer = { at: this.t + ms, ms, fn, live: true };
    this.timers.push(timer);
    return () => {
      timer.live = false;
    };
  }

  /** The delays of the timers armed and not yet fired or cancelled, in arming order. */
  pending(): number[] {
    return this.timers.filter((t) => t.live).map((t) => t.ms);
  }

  /** Moves time to the earliest live timer and fires it; returns its delay. */
  fireNext(): number {
    const live = this.timers.filter((t) => t.live).sort((a, b) => a.at - b.at);
    const next = live[0];
    if (next === undefined) throw new Error('no timer is pending');
    next.live = false;
    this.t = Math.max(this.t, next.at);
    next.fn();
    return next.ms;
  }

  /** Moves time forward by ms, firing every timer due meanwhile. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      due.live = false;
      this.t = due.at;
      due.fn();
    }
    this.t = end;
  }
}
