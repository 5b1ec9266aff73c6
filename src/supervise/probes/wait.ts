// What every probe shares: how it gives up when its signal aborts, how it waits for one event,
// and how the polling kinds (tcp, http, exec) retry. The Service owns the timeouts and ends a probe
// by aborting ctx.signal, so a probe never arms a deadline of its own: it only has to stop at once,
// leave no listener, socket or timer behind, and never reject where nobody listens.

/** First delay between two failed attempts of a polling probe. */
export const RETRY_FIRST_MS = 100;
/** Each later delay doubles, up to this. */
export const RETRY_MAX_MS = 1000;

/**
 * A probe ended by its signal. Shaped as Node's own AbortError (`name` 'AbortError', `code`
 * 'ABORT_ERR', the signal's reason as `cause`), so callers that test for an abort recognise it;
 * the message says what the probe was waiting for and, for a polling probe, how its last attempt
 * failed, which is what a "not ready in time" report needs.
 */
export class ProbeAbortError extends Error {
  readonly code = 'ABORT_ERR';

  constructor(what: string, signal: AbortSignal, lastFailure?: unknown) {
    const last = lastFailure === undefined ? '' : `; last attempt: ${describe(lastFailure)}`;
    super(`${what}: aborted before it succeeded${last}`, { cause: signal.reason });
  }
}
Object.defineProperty(ProbeAbortError.prototype, 'name', { value: 'AbortError' });

/** A failure's own words: an Error's message, else the value. */
export function describe(failure: unknown): string {
  return failure instanceof Error ? failure.message : String(failure);
}

/** The promise's callbacks, for a subscriber of until(). */
export interface Settle {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Waits for one event. `subscribe` attaches whatever listens (it may settle at once, even before
 * it returns) and returns the function that detaches it; that function runs exactly once, when the
 * promise settles for any reason, the abort included.
 */
export function until(what: string, signal: AbortSignal, subscribe: (settle: Settle) => () => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(new ProbeAbortError(what, signal));
      return;
    }
    let settled = false;
    let detach: (() => void) | null = null;
    const finish = (): void => {
      settled = true;
      signal.removeEventListener('abort', onAbort);
      detach?.();
      detach = null;
    };
    const onAbort = (): void => {
      if (settled) return;
      finish();
      reject(new ProbeAbortError(what, signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    let d: () => void;
    try {
      d = subscribe({
        resolve: () => {
          if (settled) return;
          finish();
          resolve();
        },
        reject: (error) => {
          if (settled) return;
          finish();
          reject(error);
        },
      });
    } catch (error) {
      // A subscription that throws (a closed channel, say) must not leave the abort listener behind.
      finish();
      reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    // Settled inside subscribe(): detach now, since finish() ran before there was anything to detach.
    if (settled) d();
    else detach = d;
  });
}

/** Resolves after `ms`, or rejects (clearing its timer) as soon as `signal` aborts. */
export function sleep(ms: number, what: string, signal: AbortSignal, lastFailure?: unknown): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(new ProbeAbortError(what, signal, lastFailure));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new ProbeAbortError(what, signal, lastFailure));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `attempt` until one succeeds: 100 ms after the first failure, then twice as long each time,
 * up to 1 s between attempts (a service that takes a while to bind is not hammered, one that binds
 * quickly is seen quickly). An attempt must itself stop when the signal aborts; whatever it
 * rejects with then, the retry rejects with a ProbeAbortError naming the last real failure.
 */
export async function retry(what: string, signal: AbortSignal, attempt: () => Promise<void>): Promise<void> {
  let delay = RETRY_FIRST_MS;
  let lastFailure: unknown;
  for (;;) {
    if (signal.aborted) throw new ProbeAbortError(what, signal, lastFailure);
    try {
      await attempt();
      return;
    } catch (error) {
      // An attempt cut short by the abort failed for no reason of the service's: not worth naming.
      if (signal.aborted) throw new ProbeAbortError(what, signal, lastFailure);
      lastFailure = error;
    }
    await sleep(delay, what, signal, lastFailure);
    delay = Math.min(delay * 2, RETRY_MAX_MS);
  }
}
