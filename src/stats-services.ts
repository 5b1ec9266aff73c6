// The services' part of the books (issue 14): restarts by service name, kept after a service has
// stopped (a counter never goes down), and how many services are in each state, counted from the
// live services when stats() is read. Names are meant to be few, as owners are: past 100, the
// rest are counted under '(other)', so neither memory nor label sets grow without end.
import type { ServiceState } from './supervise/types.js';

export interface ServiceStats {
  /** Restarts so far, by service name (every service this nursery supervised, stopped ones too). */
  restarts: Record<string, number>;
  /** This nursery's services now, by state; a 'fatal' one counts until it is stopped. */
  states: Record<ServiceState, number>;
}

/** Every state, in the order of the state machine: each one is a series of nursery_services. */
export const SERVICE_STATES: readonly ServiceState[] = [
  'starting',
  'running',
  'ready',
  'unready',
  'backoff',
  'stopping',
  'exited',
  'fatal',
  'stopped',
];

export const MAX_SERVICE_NAMES = 100;
export const OTHER_SERVICE = '(other)';

export class ServiceBook {
  #restarts = new Map<string, number>();

  /** A service starts its series at 0, so that a scrape shows it before its first restart. */
  added(name: string): void {
    this.restarted(name, 0);
  }

  restarted(name: string, count: number): void {
    const key = this.#restarts.has(name) || this.#restarts.size < MAX_SERVICE_NAMES ? name : OTHER_SERVICE;
    this.#restarts.set(key, (this.#restarts.get(key) ?? 0) + count);
  }

  snapshot(live: Iterable<{ readonly state: ServiceState }>): ServiceStats {
    const states = Object.fromEntries(SERVICE_STATES.map((s) => [s, 0])) as Record<ServiceState, number>;
    for (const service of live) states[service.state]++;
    return { restarts: Object.fromEntries(this.#restarts), states };
  }
}
