// The health checks of one ready incarnation: after startPeriodMs, one check every intervalMs
// (from the end of the last one). One failure makes the service 'unready' (it is not killed: a
// slow moment is not a crash); `failures` in a row end the incarnation through the same path as a
// crash, so the restart goes through the backoff. A pass after 'unready' makes it ready again.
import type { Clock, HealthSpec } from './types.js';

export interface HealthActions {
  /** One check, aborted at timeoutMs: resolves healthy, rejects not. */
  check(timeoutMs: number): Promise<void>;
  healthy(): void;
  unready(reason: string): void;
  failed(): void;
}

export class HealthLoop {
  #spec: Required<HealthSpec>;
  #clock: Clock;
  #actions: HealthActions;
  #cancel: (() => void) | null = null;
  #stopped = false;
  #failures = 0;
  /** Whether the last verdict was healthy (null before the first check). */
  #healthy: boolean | null = null;

  constructor(spec: Required<HealthSpec>, clock: Clock, actions: HealthActions) {
    this.#spec = spec;
    this.#clock = clock;
    this.#actions = actions;
    this.#arm(spec.startPeriodMs);
  }

  stop(): void {
    this.#stopped = true;
    this.#cancel?.();
    this.#cancel = null;
  }

  #arm(ms: number): void {
    if (this.#stopped) return;
    this.#cancel = this.#clock.setTimeout(() => void this.#run(), ms);
  }

  async #run(): Promise<void> {
    this.#cancel = null;
    let error: unknown = null;
    try {
      await this.#actions.check(this.#spec.timeoutMs);
    } catch (e) {
      error = e ?? new Error('health check failed');
    }
    if (this.#stopped) return;
    if (error === null) {
      this.#failures = 0;
      if (this.#healthy !== true) this.#actions.healthy();
      this.#healthy = true;
    } else {
      this.#failures++;
      if (this.#healthy !== false) this.#actions.unready(error instanceof Error ? error.message : String(error));
      this.#healthy = false;
      if (this.#failures >= this.#spec.failures) {
        this.#stopped = true;
        this.#actions.failed();
        return;
      }
    }
    this.#arm(this.#spec.intervalMs);
  }
}
