// A ProbeContext built by hand around a real Handle, as the Service builds one: the Handle's output
// split into lines, its IPC messages, its notification pipe, and commands run under the same
// nursery. Tests of the probes use it without the Service's state machine.
import type { Readable } from 'node:stream';
import type { Handle, Nursery } from '../../src/index.js';
import type { LogLine, ProbeContext } from '../../src/supervise/types.js';

export interface Tapped {
  /** A context for one probe, ended by `signal`. */
  context(signal: AbortSignal): ProbeContext;
  /** How many line listeners are attached now (a probe must leave none). */
  lineListeners(): number;
  /** How many IPC message listeners the contexts attached and have not removed. */
  messageListeners(): number;
}

// Splits a stream into lines (without their newline); a last line without one is delivered at EOF.
function splitLines(stream: Readable | null, deliver: (line: string) => void): void {
  if (stream === null) return;
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    for (const line of parts) deliver(line);
  });
  stream.on('end', () => {
    if (rest !== '') deliver(rest);
  });
}

/**
 * Taps `handle`'s stdout and stderr at once (call it right after spawn(), before the child can
 * write), so no line is lost to a probe that subscribes later.
 */
export function tap(handle: Handle, nursery: Nursery, options: { ipc?: boolean } = {}): Tapped {
  const listeners = new Set<(line: LogLine) => void>();
  for (const stream of ['stdout', 'stderr'] as const) {
    splitLines(handle[stream], (line) => {
      for (const listener of [...listeners]) listener({ stream, line, incarnation: 1 });
    });
  }
  let messageListeners = 0;
  const onMessage = (listener: (message: unknown) => void): (() => void) => {
    const off = handle.onMessage(listener);
    messageListeners++;
    let on = true;
    return () => {
      if (on) messageListeners--;
      on = false;
      off();
    };
  };
  return {
    lineListeners: () => listeners.size,
    messageListeners: () => messageListeners,
    context: (signal) => ({
      service: `test-${handle.pid}`,
      pid: handle.pid,
      signal,
      notify: handle.notify,
      onLine(listener) {
        // A wrapper per call, as a real subscription would be: the same function twice is two listeners.
        const wrapped = (line: LogLine): void => listener(line);
        listeners.add(wrapped);
        return () => listeners.delete(wrapped);
      },
      onMessage: options.ipc ? onMessage : null,
      async exec(command, args, execSignal) {
        const result = await nursery.run(command, args, { signal: execSignal });
        return result.code;
      },
    }),
  };
}
