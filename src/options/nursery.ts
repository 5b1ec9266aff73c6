// The Nursery's own options, checked once here: the Nursery composes what comes out and
// validates nothing itself.
import { threadId } from 'node:worker_threads';
import { resolve } from 'node:path';
import { invalidOption } from '../errors.js';
import type { SignalLike } from '../os/signals.js';
import { LOG_LEVELS, type Logger, defaultLogger, silentLogger } from '../util/logger.js';
import { checkBoolean, checkDuration, checkKeys, checkObject, checkStopSignal, checkString } from './check.js';
import { type OrphanPolicy, type ResolvedOrphanPolicy, resolveOrphanPolicy } from './orphans.js';
import { type Containment, DEFAULT_GRACE_MS, DEFAULT_KILL_SIGNAL, type Defaults, checkContainment } from './spawn.js';

export type HostSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

export interface NurseryOptions {
  /** Default owner of children that name none. Default 'nursery'. */
  owner?: string;
  /** Default grace period of stop(), in ms. Default 5000. */
  graceMs?: number;
  /** Default first signal of stop(). Default SIGTERM. */
  killSignal?: SignalLike;
  /**
   * SIGKILL every live child's tree from a process 'exit' listener, so a host that returns or
   * calls process.exit() leaves nothing behind. (No signal handler is installed.) Default true.
   */
  cleanupOnExit?: boolean;
  /**
   * Make this process a child subreaper (Linux prctl), so orphans of our descendants are adopted
   * by us instead of PID 1, and start the reaper. Default false.
   */
  subreaper?: boolean;
  /**
   * The zombie reaper. Starts by itself with `subreaper: true` or when this process is PID 1;
   * `false` keeps it off; an object sets its grace window for zombies of unknown origin.
   */
  reaper?: boolean | { graceMs?: number; safetyIntervalMs?: number };
  /** What to do with live orphans adopted by us. Default 'keep'. */
  orphans?: OrphanPolicy;
  /**
   * Opt-in: on SIGINT, SIGTERM or SIGHUP (or the ones listed), stop every tree, then let the
   * signal end the host as it would have. A second signal SIGKILLs at once. Default false: a
   * library installs no signal handler unasked.
   */
  stopOnSignals?: boolean | HostSignal[];
  /**
   * The daemon registry's directory (private: 0700, files 0600). Default:
   * $XDG_RUNTIME_DIR/nursery/daemons, else ~/.local/state/nursery/daemons.
   */
  registryDir?: string;
  /**
   * A function that gets one text line per reaped zombie or stopped orphan. Default: none (the
   * `logger` gets those events as objects).
   */
  log?: ((line: string) => void) | false;
  /**
   * Where nursery's events go, as objects: pino, or any object with debug/info/warn/error(obj, msg).
   * Default: warnings and errors as one line on stderr, nothing else; false for nothing at all. A
   * reaped adopted orphan is a debug event; a zombie reaped by a process that is neither PID 1 nor
   * a subreaper is a leak, a warning (at most one a minute).
   */
  logger?: Logger | false;
  /**
   * How each child's tree is contained (a spawn spec may say otherwise): 'group' (the default),
   * 'cgroup' or 'auto'. See Containment. A Nursery not on 'group' cleans, at its start, the
   * cgroups that a dead nursery left behind.
   */
  containment?: Containment;
}

export interface ResolvedReaperOptions {
  /** Start (or share) the reaper: asked for, or implied by subreaper or by being PID 1. */
  wanted: boolean;
  subreaper: boolean;
  graceMs: number;
  safetyIntervalMs: number;
  orphans: ResolvedOrphanPolicy;
  log: ((line: string) => void) | null;
  logger: Logger;
}

export interface ResolvedNursery {
  defaults: Defaults;
  cleanupOnExit: boolean;
  hostSignals: HostSignal[];
  reaper: ResolvedReaperOptions;
  /** Absolute, or undefined for the default. */
  registryDir: string | undefined;
}

export const DEFAULT_REAPER_GRACE_MS = 1000;
export const DEFAULT_SAFETY_INTERVAL_MS = 60_000;
const NURSERY_KEYS = new Set([
  'owner',
  'graceMs',
  'killSignal',
  'cleanupOnExit',
  'subreaper',
  'reaper',
  'orphans',
  'log',
  'logger',
  'stopOnSignals',
  'registryDir',
  'containment',
]);
const REAPER_KEYS = new Set(['graceMs', 'safetyIntervalMs']);
const HOST_SIGNALS: HostSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function resolveLogger(value: unknown): Logger {
  if (value === undefined) return defaultLogger;
  if (value === false) return silentLogger;
  const expected = 'false or an object with debug, info, warn and error methods (pino, or alike)';
  if (typeof value !== 'object' || value === null) throw invalidOption('logger', expected, value);
  const l = value as Record<string, unknown>;
  const missing = LOG_LEVELS.find((level) => typeof l[level] !== 'function');
  if (missing !== undefined) throw invalidOption(`logger.${missing}`, 'a function', l[missing]);
  // Bound once: pino's methods read `this`.
  const bound = {} as Logger;
  for (const level of LOG_LEVELS) bound[level] = (l[level] as Logger[typeof level]).bind(value);
  return bound;
}

function resolveHostSignals(value: unknown): HostSignal[] {
  if (value === undefined || value === false) return [];
  if (value === true) return HOST_SIGNALS;
  const expected = '"SIGINT", "SIGTERM" or "SIGHUP"';
  if (!Array.isArray(value)) throw invalidOption('stopOnSignals', `a boolean or an array of ${expected}`, value);
  return value.map((v: unknown, i) => {
    if (typeof v !== 'string' || !HOST_SIGNALS.includes(v as HostSignal)) {
      throw invalidOption(`stopOnSignals[${i}]`, expected, v);
    }
    return v as HostSignal;
  });
}

function resolveReaper(options: NurseryOptions): ResolvedReaperOptions {
  const subreaper = checkBoolean(options.subreaper, 'subreaper', false);
  const r: unknown = options.reaper;
  let graceMs = DEFAULT_REAPER_GRACE_MS;
  let safetyIntervalMs = DEFAULT_SAFETY_INTERVAL_MS;
  if (typeof r === 'object' && r !== null) {
    checkKeys(r, REAPER_KEYS, 'reaper');
    const o = r as { graceMs?: unknown; safetyIntervalMs?: unknown };
    graceMs = checkDuration(o.graceMs, 'reaper.graceMs', graceMs);
    // 0 would mean a scan on every turn of the loop: it means "the default" instead.
    safetyIntervalMs = checkDuration(o.safetyIntervalMs, 'reaper.safetyIntervalMs', safetyIntervalMs) || 60_000;
  } else if (r !== undefined && typeof r !== 'boolean') {
    throw invalidOption('reaper', 'a boolean or { graceMs, safetyIntervalMs }', r);
  }
  const log = options.log;
  if (log !== undefined && log !== false && typeof log !== 'function')
    throw invalidOption('log', 'a function or false', log);
  return {
    wanted: r === false ? false : r !== undefined || subreaper || process.pid === 1,
    subreaper,
    graceMs,
    safetyIntervalMs,
    orphans: resolveOrphanPolicy(options.orphans),
    log: log === false || log === undefined ? null : log,
    logger: resolveLogger(options.logger),
  };
}

let nurseries = 0;

/** @throws NurseryOptionError for a bad or unknown option. */
export function resolveNurseryOptions(options: unknown): ResolvedNursery {
  checkObject(options, 'options');
  checkKeys(options, NURSERY_KEYS, 'Nursery');
  const o = options as NurseryOptions;
  return {
    defaults: {
      scope: `${process.pid}.${threadId}.${++nurseries}`,
      owner: o.owner === undefined ? 'nursery' : checkString(o.owner, 'owner'),
      graceMs: checkDuration(o.graceMs, 'graceMs', DEFAULT_GRACE_MS),
      killSignal: checkStopSignal(o.killSignal, 'killSignal', DEFAULT_KILL_SIGNAL),
      containment: checkContainment(o.containment, 'group'),
    },
    cleanupOnExit: checkBoolean(o.cleanupOnExit, 'cleanupOnExit', true),
    hostSignals: resolveHostSignals(o.stopOnSignals),
    reaper: resolveReaper(o),
    registryDir: o.registryDir === undefined ? undefined : resolve(checkString(o.registryDir, 'registryDir')),
  };
}
