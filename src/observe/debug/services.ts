// The snapshot's services (issue 14): each supervised service as /debug/processes, the page and
// `nursery ps` show it: its state, its current PID, how often it restarted, how its last
// incarnation ended, and while in backoff, for how long. The last exit is cut down to what a
// reader needs at a glance: its lines and its error object stay with the service's events.
import type { EndReason, ServiceInfo, ServiceState } from '../../supervise/types.js';

export interface ServiceExitEntry {
  code: number | null;
  signal: NodeJS.Signals | null;
  reason: EndReason;
  /** Counted as a failure (not a success code, or a failed start or health check). */
  failed: boolean;
  /** The spawn error's message, for reason 'spawn-failed'. */
  error: string | null;
  /** Epoch ms. */
  at: number;
}

export interface ServiceEntry {
  name: string;
  state: ServiceState;
  /** The current incarnation's PID; null between incarnations. */
  pid: number | null;
  restarts: number;
  /** The number of the latest incarnation (1 for the first spawn). */
  incarnation: number;
  lastExit: ServiceExitEntry | null;
  /** In 'backoff': the delay before the next incarnation, and when it starts (epoch ms); else null. */
  backoffMs: number | null;
  nextStartAt: number | null;
}

export function serviceEntry(s: ServiceInfo): ServiceEntry {
  const e = s.lastExit;
  const lastExit =
    e === null
      ? null
      : {
          code: e.code,
          signal: e.signal,
          reason: e.reason,
          failed: e.failed,
          error: e.error?.message ?? null,
          at: e.at,
        };
  const { name, state, pid, restarts, incarnation, backoffMs, nextStartAt } = s;
  return { name, state, pid, restarts, incarnation, lastExit, backoffMs, nextStartAt };
}
