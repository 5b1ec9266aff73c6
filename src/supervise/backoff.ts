// The delay before the next incarnation: exponential with a ceiling and a random spread, started
// over once an incarnation has stayed up long enough (issue 14). Pure: the Service asks it for
// delays and tells it when to start over; the random source is injected so tests get exact figures.
import type { ResolvedBackoff } from '../options/service.js';

export class Backoff {
  #spec: ResolvedBackoff;
  #random: () => number;
  /** The base delay of the next restart (before the spread). */
  #base: number;

  constructor(spec: ResolvedBackoff, random: () => number = Math.random) {
    this.#spec = spec;
    this.#random = random;
    this.#base = spec.initialMs;
  }

  /** The delay before the next restart; each call makes the following one longer, up to maxMs. */
  next(): number {
    const { factor, maxMs, jitter } = this.#spec;
    const base = this.#base;
    this.#base = Math.min(base * factor, maxMs);
    // Uniform in [base * (1 - jitter), base * (1 + jitter)], never past the ceiling: a thundering
    // herd of restarts after a shared failure spreads out instead of hitting together.
    const spread = jitter === 0 ? 0 : (this.#random() * 2 - 1) * jitter * base;
    return Math.round(Math.min(Math.max(base + spread, 0), maxMs));
  }

  /** The incarnation stayed up resetAfterMs: the next death waits initialMs again. */
  reset(): void {
    this.#base = this.#spec.initialMs;
  }

  get resetAfterMs(): number {
    return this.#spec.resetAfterMs;
  }
}

/**
 * s6's death tally, supervisord's FATAL: remembers when failures happened and says when `deaths`
 * of them fall within `windowMs`.
 */
export class DeathTally {
  #deaths: number;
  #windowMs: number;
  #times: number[] = [];

  constructor(spec: { deaths: number; windowMs: number }) {
    this.#deaths = spec.deaths;
    this.#windowMs = spec.windowMs;
  }

  /** Records a failure at `now`; true when it makes `deaths` within the window (a crash loop). */
  record(now: number): boolean {
    this.#times.push(now);
    this.#times = this.#times.filter((t) => now - t < this.#windowMs);
    return this.#times.length >= this.#deaths;
  }
}
