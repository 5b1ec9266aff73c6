// A service's events, to synchronous listeners (on) and to async iterators (events()). Each
// iterator buffers what it has not read yet, and ends after the last event (stopped, fatal): a
// `for await` over a service ends when the service does.
import type { ServiceEvent } from './types.js';

type Listener = (event: ServiceEvent) => void;

export class EventStream {
  #listeners = new Set<Listener>();
  #ended = false;

  on(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Delivers to every listener; a throwing listener is the caller's bug, reported without stopping the others. */
  emit(event: ServiceEvent, last = false): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    if (last) this.#end();
  }

  get ended(): boolean {
    return this.#ended;
  }

  #end(): void {
    this.#ended = true;
    for (const listener of [...this.#listeners]) (listener as Listener & { end?: () => void }).end?.();
  }

  iterate(): AsyncIterableIterator<ServiceEvent> {
    const queue: ServiceEvent[] = [];
    let wake: (() => void) | null = null;
    let done = this.#ended;
    const listener: Listener & { end?: () => void } = (event) => {
      queue.push(event);
      wake?.();
    };
    listener.end = () => {
      done = true;
      wake?.();
    };
    const off = this.on(listener);
    const finish = (): IteratorResult<ServiceEvent> => {
      off();
      done = true;
      return { value: undefined, done: true };
    };
    const iterator: AsyncIterableIterator<ServiceEvent> = {
      async next() {
        while (queue.length === 0 && !done) await new Promise<void>((r) => (wake = r));
        wake = null;
        const event = queue.shift();
        return event === undefined ? finish() : { value: event, done: false };
      },
      async return() {
        queue.length = 0;
        return finish();
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }
}
