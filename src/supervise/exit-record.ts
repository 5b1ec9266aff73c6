// An incarnation's end as the Service reports it (ServiceExit), and the few words that describe it
// in errors: built in one place, so the 'exit' event, lastExit, the 'fatal' history and the ready
// promise's rejection all say the same thing.
import type { IncarnationEnd } from './incarnation.js';
import { endedInFailure } from './policy.js';
import type { ServiceExit } from './types.js';

/** What ended: an incarnation, or a spawn that never made one. */
export type EndOf = IncarnationEnd | { reason: 'spawn-failed'; error: Error };

const NO_PROCESS = {
  code: null,
  signal: null,
  durationMs: 0,
  stopped: false,
  timedOut: false,
  aborted: false,
  unverified: false,
} as const;

export function exitRecord(
  service: string,
  incarnation: number,
  pid: number,
  end: EndOf,
  at: number,
  successCodes: ReadonlySet<number>,
): ServiceExit {
  const exit: ServiceExit = {
    ...('info' in end ? end.info : NO_PROCESS),
    service,
    incarnation,
    pid,
    reason: end.reason,
    failed: false,
    lastLines: 'lastLines' in end ? end.lastLines : [],
    at,
    ...('error' in end ? { error: end.error } : {}),
  };
  exit.failed = endedInFailure(exit, successCodes);
  return exit;
}

/** "code 3", "signal SIGKILL", "could not spawn: ...". */
export function describeExit(exit: ServiceExit): string {
  if (exit.reason === 'spawn-failed') return `could not spawn: ${exit.error?.message ?? 'unknown error'}`;
  return exit.signal !== null ? `signal ${exit.signal}` : `code ${String(exit.code)}`;
}
