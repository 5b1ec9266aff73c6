// PM2's readiness: a Node service calls process.send('ready') (or whichever string the spec names)
// once it listens. Only a message strictly equal to that string counts: an object, or another
// string, is the service's own traffic and is left alone.
import type { ProbeContext } from '../types.js';
import { until } from './wait.js';

/**
 * Resolves when the service sends `expected` over its IPC channel; rejects when ctx.signal aborts,
 * or at once when the service has no channel (it must be spawned with ipc: true).
 *
 * A channel that closes first does not reject here: the context offers no way to see it close, and
 * a service that disconnects without saying ready either exits (the Service sees the exit) or runs
 * on until the readiness timeout, both failed starts.
 */
export function ipcReady(expected: string, ctx: ProbeContext): Promise<void> {
  const what = `ready probe ipc ${JSON.stringify(expected)} of ${ctx.service}`;
  const onMessage = ctx.onMessage;
  if (onMessage === null) {
    return Promise.reject(new Error(`${what}: the service was started without an IPC channel (ipc: true)`));
  }
  return until(what, ctx.signal, ({ resolve }) =>
    onMessage((message) => {
      if (message === expected) resolve();
    }),
  );
}
