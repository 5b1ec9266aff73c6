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
    return bufferedIterator<ServiceEvent>((push, end) => {
      const listener: Listener & { end?: () => void } = push;
      listener.end = end;
      if (this.#ended) end();
      return this.on(listener);
    });
  }
}

/**
 * An async iterator over values pushed by `subscribe`, buffered until read; it ends once `end` is
 * called and the buffer is read. `subscribe` returns the unsubscribe, called when the iterator ends.
 */
export function bufferedIterator<T>(
  subscribe: (push: (value: T) => void, end: () => void) => () => void,
): AsyncIterableIterator<T> {
  const queue: T[] = [];
  let wake: (() => void) | null = null;
  let ended = false;
  const nudge = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  const unsubscribe = subscribe(
    (value) => {
      if (ended) return;
      queue.push(value);
      nudge();
    },
    () => {
      ended = true;
      nudge();
    },
  );
  const finish = (): IteratorResult<T> => {
    ended = true;
    queue.length = 0;
    unsubscribe();
    return { value: undefined, done: true };
  };
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      while (queue.length === 0 && !ended) await new Promise<void>((r) => (wake = r));
      return queue.length > 0 ? { value: queue.shift() as T, done: false } : finish();
    },
    async return() {
      return finish();
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
