// Helpers for supervision tests: wait for a service's events by type, with generous deadlines.
import type { ServiceEvent, ServiceLike } from '../../src/supervise/types.js';

type Of<T extends ServiceEvent['type']> = Extract<ServiceEvent, { type: T }>;

/** The next event of `type` (subscribed now), failing after timeoutMs. */
export function nextEvent<T extends ServiceEvent['type']>(
  service: Pick<ServiceLike, 'on' | 'name'>,
  type: T,
  timeoutMs = 30_000,
): Promise<Of<T>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no "${type}" event from ${service.name} within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = service.on((e) => {
      if (e.type !== type) return;
      clearTimeout(timer);
      off();
      resolve(e as Of<T>);
    });
  });
}

/** Every event from now on, recorded. */
export function record(service: Pick<ServiceLike, 'on'>): ServiceEvent[] {
  const events: ServiceEvent[] = [];
  service.on((e) => events.push(e));
  return events;
}
