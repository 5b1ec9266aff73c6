// What the Nursery learns of each service it supervises, through one listener added at
// supervise(): its restarts, for the books (counted as they happen, so that the counter outlives
// the service), and its events, on the `nursery:service` diagnostics channel.
import { publishService } from '../channels.js';
import type { ServiceLike } from './types.js';

/** The part of the books that counts restarts by service name (src/stats-services.ts). */
export interface RestartBook {
  added(name: string): void;
  restarted(name: string, count: number): void;
}

export function watchService(service: Pick<ServiceLike, 'name' | 'restarts' | 'on'>, book: RestartBook): () => void {
  book.added(service.name);
  let counted = service.restarts;
  return service.on((event) => {
    // Every restart is followed, in the same synchronous step, by an event: the next
    // incarnation's 'spawn', or the 'exit' of a spawn that failed. Counting here misses none.
    const restarts = service.restarts;
    if (restarts > counted) {
      book.restarted(service.name, restarts - counted);
      counted = restarts;
    }
    publishService(event);
  });
}
