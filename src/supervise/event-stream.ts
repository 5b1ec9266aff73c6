// A push source as an async iterator: what the group's merged events() is built on. Items pushed
// while nobody awaits are queued, so a slow consumer loses nothing; end() lets the queue drain,
// then the iterator is done. return() (a `break` out of for await) unsubscribes at once.

export interface PushSource<T> {
  /** Starts delivery; returns the unsubscribe. `end` may be called from inside. */
  subscribe(push: (item: T) => void, end: () => void): () => void;
}

export function pushIterator<T>(source: PushSource<T>): AsyncIterableIterator<T> {
  const queue: T[] = [];
  const waiting: ((r: IteratorResult<T>) => void)[] = [];
  let ended = false;
  let unsubscribe: (() => void) | null = null;
  const finish = (): void => {
    ended = true;
    unsubscribe?.();
    unsubscribe = null;
    // Only waiters are told now: queued items stay for next() to hand out first.
    if (queue.length === 0) for (const w of waiting.splice(0)) w({ done: true, value: undefined });
  };
  const push = (item: T): void => {
    if (ended) return;
    const w = waiting.shift();
    if (w) w({ done: false, value: item });
    else queue.push(item);
  };
  const off = source.subscribe(push, finish);
  if (ended) off();
  else unsubscribe = off;
  return {
    next(): Promise<IteratorResult<T>> {
      if (queue.length > 0) return Promise.resolve({ done: false, value: queue.shift() as T });
      if (ended) return Promise.resolve({ done: true, value: undefined });
      return new Promise((resolve) => waiting.push(resolve));
    },
    return(): Promise<IteratorResult<T>> {
      queue.length = 0;
      finish();
      return Promise.resolve({ done: true, value: undefined });
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
