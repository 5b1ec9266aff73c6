// What the reaper tells the world about a reap or an orphan stop: the `log` line (when one was
// asked for), the `logger` event, the diagnostics channel, and the last reaps for the debug page.
// Quiet where nothing is wrong (docs/design.md, invariant 7): reaping an adopted orphan is the job
// of a subreaper or PID 1, so it is a debug event. A reap in a process that is neither is our own
// child that nobody waited for, a leak: one warning, rate-limited, naming it.
import { adoptsOrphans } from '../os/prctl.js';
import { publishOrphan, publishReap } from '../channels.js';
import { type Logger, logTo } from '../util/logger.js';
import { guarded } from './callbacks.js';
import type { RecentReap } from './types.js';
import { type DecodedStatus, describeStatus } from './wait-status.js';

/** How many reaps the debug page shows. */
export const RECENT_REAPS = 20;
/** At most one leak warning per this window; the next one says how many were held back. */
export const LEAK_WARN_WINDOW_MS = 60_000;

export interface ReapFacts {
  pid: number;
  comm: string;
  /** The zombie's session: the PID of the child whose tree it came from, for a child of ours. */
  session: number;
  path: 'immediate' | 'grace';
  latencyMs: number;
}

export class ReapLog {
  readonly recent: RecentReap[] = [];
  #lastWarn = -Infinity;
  #held = 0;

  /** True when this process adopts orphans: then an untracked zombie is no leak of ours. */
  static adopts(): boolean {
    return adoptsOrphans();
  }

  reaped(f: ReapFacts, status: DecodedStatus, line: ((l: string) => void) | null, logger: Logger | null): void {
    const leak = !ReapLog.adopts();
    const at = Date.now();
    const entry: RecentReap = { ...f, code: status.code, signal: status.signal, leak, at };
    this.recent.unshift(entry);
    if (this.recent.length > RECENT_REAPS) this.recent.length = RECENT_REAPS;
    publishReap(entry);
    if (line) {
      const text = `nursery: reaped untracked zombie pid=${f.pid} comm=${f.comm} ${describeStatus(status)} (${f.path})`;
      guarded(() => line(text), 'log');
    }
    if (!logger) return;
    const obj = { event: 'nursery.reap', ...entry };
    if (!leak) return logTo(logger, 'debug', obj, "reaped an adopted orphan's zombie");
    if (at - this.#lastWarn < LEAK_WARN_WINDOW_MS) {
      this.#held++;
      return logTo(logger, 'debug', obj, 'reaped a leaked zombie (warning held back: rate limit)');
    }
    const held = this.#held;
    this.#lastWarn = at;
    this.#held = 0;
    logTo(
      logger,
      'warn',
      { ...obj, heldBack: held, see: '/debug/processes' },
      `reaped zombie ${f.pid} (${f.comm}): a child of this process that nobody waited for, a leak; ` +
        'GET /debug/processes (nursery.serveDebug) lists every child by owner',
    );
  }

  orphanStopping(
    o: { pid: number; comm: string; cmdline: string; orphanedMs: number },
    line: ((l: string) => void) | null,
    logger: Logger | null,
  ): void {
    publishOrphan({ ...o, action: 'stop' });
    if (line) guarded(() => line(`nursery: stopping orphan pid=${o.pid} comm=${o.comm}`), 'log');
    if (logger) logTo(logger, 'info', { event: 'nursery.orphan', ...o, action: 'stop' }, 'stopping an adopted orphan');
  }
}
