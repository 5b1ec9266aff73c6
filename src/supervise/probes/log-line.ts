// Readiness announced in the service's output: the first line of stdout or stderr that matches a
// pattern ("listening on", "Server started"). Lines are whole (the Service splits the pipes), so a
// pattern never sees half a line.
import type { LogLine, ProbeContext } from '../types.js';
import { until } from './wait.js';

/**
 * The pattern without the flags that make test() stateful. With /g or /y, RegExp.prototype.test
 * starts at lastIndex and moves it, so the same line could match once and fail the next time, and
 * a caller's regex would be left changed. A copy without them matches each line from its start.
 */
export function statelessPattern(pattern: RegExp): RegExp {
  return pattern.global || pattern.sticky ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')) : pattern;
}

/** Resolves at the first line that matches `pattern`; rejects when ctx.signal aborts. */
export function logLineReady(pattern: RegExp, ctx: ProbeContext): Promise<void> {
  const what = `ready probe logLine ${String(pattern)} of ${ctx.service}`;
  const re = statelessPattern(pattern);
  return until(what, ctx.signal, ({ resolve }) =>
    ctx.onLine((line: LogLine) => {
      if (re.test(line.line)) resolve();
    }),
  );
}
