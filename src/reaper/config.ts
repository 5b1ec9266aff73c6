// What one Nursery asks of the process-wide reaper, and how several such wishes combine.
import type { OrphanInfo, ResolvedOrphanPolicy } from '../options/orphans.js';
import { type Logger, fanOut } from '../util/logger.js';

export interface ReaperConfig {
  /** How long a zombie of unknown origin under the main thread is left to its waiter. */
  graceMs: number;
  /** The safety-net scan, for a SIGCHLD lost to coalescing. */
  safetyIntervalMs: number;
  orphans: ResolvedOrphanPolicy;
  /** Grace of an orphan's stop before SIGKILL. */
  orphanStopGraceMs: number;
  /** First signal of an orphan's stop. */
  orphanStopSignal: number;
  /** One line per reap or orphan stop, when asked for (the `log` option). */
  log: ((line: string) => void) | null;
  /** Structured events: a reap is debug, a leak's reap a warning (the `logger` option). */
  logger: Logger | null;
}

// Several Nurseries may share the reaper: the most careful grace for zombies of unknown origin
// wins, an orphan is stopped if any policy says so, and every log hears every reap.
export function mergeConfigs(configs: readonly ReaperConfig[]): ReaperConfig {
  if (configs.length === 1 && configs[0]) return configs[0];
  const policies = configs.filter((c) => c.orphans.decide !== null);
  const logs = [...new Set(configs.map((c) => c.log).filter((l): l is (line: string) => void => l !== null))];
  const loggers = configs.map((c) => c.logger).filter((l): l is Logger => l !== null);
  const decide = (info: OrphanInfo): boolean => policies.some((c) => c.orphans.decide?.(info) === true);
  return {
    graceMs: Math.max(0, ...configs.map((c) => c.graceMs)),
    safetyIntervalMs: Math.min(60_000, ...configs.map((c) => c.safetyIntervalMs)),
    orphans: {
      decide: policies.length === 0 ? null : decide,
      afterMs: Math.min(Infinity, ...policies.map((c) => c.orphans.afterMs)),
    },
    orphanStopGraceMs: Math.min(Infinity, ...configs.map((c) => c.orphanStopGraceMs)),
    orphanStopSignal: configs[0]?.orphanStopSignal ?? 15,
    log: logs.length === 0 ? null : (line) => logs.forEach((l) => l(line)),
    logger: loggers.length === 0 ? null : fanOut(loggers),
  };
}
