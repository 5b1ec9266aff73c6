// The Nursery: the one object an application holds. It composes spec validation, the spawn
// site, Handles and tree stop, and keeps the books (list, stats).
import { NurseryError } from './errors.js';
import { spawnChild } from './spawn/spawn-child.js';
import { Handle, type ChildInfo, type ExitInfo, type StopOptions } from './core/handle.js';
import { type RunOptions, type RunResult, resolveRunOptions, runHandle } from './core/run.js';
import type { StopReport } from './terminate/stop-tree.js';
import { acquireReaper, type ReaperLease } from './reaper/shared.js';
import { type OrphanPolicy, resolveOrphanPolicy } from './reaper/orphans.js';
import type { Reaper } from './reaper/reaper.js';
import { invalidOption } from './errors.js';
import { warnOnce } from './os/warn.js';
import { installHostSignals, resolveHostSignals } from './core/host-signals.js';
import {
  DEFAULT_GRACE_MS,
  DEFAULT_KILL_SIGNAL,
  type Defaults,
  type ForkOptions,
  type SpawnSpec,
  forkSpec,
  checkBoolean,
  checkDuration,
  checkKeys,
  checkObject,
  checkSignal,
  checkString,
  resolveSpec,
} from './spec.js';

export interface NurseryOptions {
  /** Default owner of children that name none. Default 'nursery'. */
  owner?: string;
  /** Default grace period of stop(), in ms. Default 5000. */
  graceMs?: number;
  /** Default first signal of stop(). Default SIGTERM. */
  killSignal?: NodeJS.Signals | number;
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
  stopOnSignals?: boolean | ('SIGINT' | 'SIGTERM' | 'SIGHUP')[];
  /** Where the reaper's log lines go (one per reaped zombie or stopped orphan). Default stderr; false for none. */
  log?: ((line: string) => void) | false;
}

export interface NurseryStats {
  spawned: number;
  running: number;
  exited: number;
  /** Children ended by stop(), stopAll(), close(), dispose, timeout or abort. */
  stopped: number;
  /** Stops whose tree still had live processes when the grace period ended. */
  killedAfterGrace: number;
  /** Processes sent SIGKILL after their grace period. */
  processesKilledAfterGrace: number;
  timedOut: number;
  aborted: number;
  /** Processes left behind by a child that exited by itself, and then stopped. */
  leftoversStopped: number;
  spawnFailed: number;
  /** Untracked zombies reaped (the leak detector: 0 in steady state unless we are PID 1 or a subreaper). */
  reaped: number;
  /** Live orphans stopped by the orphan policy. */
  orphansKilled: number;
}

const NURSERY_KEYS = new Set([
  'owner',
  'graceMs',
  'killSignal',
  'cleanupOnExit',
  'subreaper',
  'reaper',
  'orphans',
  'log',
  'stopOnSignals',
]);
const REAPER_KEYS = new Set(['graceMs', 'safetyIntervalMs']);
export const DEFAULT_REAPER_GRACE_MS = 1000;

function defaultLog(line: string): void {
  process.stderr.write(`${line}\n`);
}

export class Nursery implements AsyncDisposable {
  #defaults: Defaults;
  #children = new Set<Handle>();
  #closed = false;
  #cleanupOnExit: boolean;
  #exitListener: (() => void) | null = null;
  #lease: ReaperLease | null = null;
  #removeSignals: (() => void) | null = null;
  #stats: NurseryStats = {
    spawned: 0,
    running: 0,
    exited: 0,
    stopped: 0,
    killedAfterGrace: 0,
    processesKilledAfterGrace: 0,
    timedOut: 0,
    aborted: 0,
    leftoversStopped: 0,
    spawnFailed: 0,
    reaped: 0,
    orphansKilled: 0,
  };

  /** @throws NurseryOptionError for a bad or unknown option. */
  constructor(options: NurseryOptions = {}) {
    checkObject(options, 'options');
    checkKeys(options, NURSERY_KEYS, 'Nursery');
    this.#defaults = {
      owner: options.owner === undefined ? 'nursery' : checkString(options.owner, 'owner'),
      graceMs: checkDuration(options.graceMs, 'graceMs', DEFAULT_GRACE_MS),
      killSignal: checkSignal(options.killSignal, 'killSignal', DEFAULT_KILL_SIGNAL),
    };
    this.#cleanupOnExit = checkBoolean(options.cleanupOnExit, 'cleanupOnExit', true);
    const signals = resolveHostSignals(options.stopOnSignals);
    this.#startReaper(options);
    if (signals.length > 0) {
      this.#removeSignals = installHostSignals(signals, {
        stopAll: () => this.close(),
        killAllNow: () => {
          for (const h of this.#children) h.killNow();
        },
      });
    }
  }

  // Validates the reaper options, then starts it if asked (or if we are PID 1). A kernel feature
  // that is missing costs one warning, never a throw.
  #startReaper(options: NurseryOptions): void {
    const subreaper = checkBoolean(options.subreaper, 'subreaper', false);
    const r = options.reaper;
    let graceMs = DEFAULT_REAPER_GRACE_MS;
    let safetyIntervalMs = 60_000;
    if (typeof r === 'object' && r !== null) {
      checkKeys(r, REAPER_KEYS, 'reaper');
      graceMs = checkDuration(r.graceMs, 'reaper.graceMs', graceMs);
      safetyIntervalMs = checkDuration(r.safetyIntervalMs, 'reaper.safetyIntervalMs', safetyIntervalMs) || 60_000;
    } else if (r !== undefined && typeof r !== 'boolean') {
      throw invalidOption('reaper', 'a boolean or { graceMs, safetyIntervalMs }', r);
    }
    const orphans = resolveOrphanPolicy(options.orphans);
    if (options.log !== undefined && options.log !== false && typeof options.log !== 'function')
      throw invalidOption('log', 'a function or false', options.log);
    const log = options.log === false ? null : (options.log ?? defaultLog);
    const wanted = r === false ? false : r !== undefined || subreaper || process.pid === 1;
    if (!wanted) {
      if (orphans.decide !== null) {
        warnOnce(
          'NURSERY_ORPHANS_WITHOUT_REAPER',
          'nursery: the orphans policy acts only on orphans adopted by us: set subreaper: true (or run as PID 1) for it to have any effect.',
        );
      }
      return;
    }
    this.#lease = acquireReaper(
      { graceMs, safetyIntervalMs, orphans, orphanStopGraceMs: this.#defaults.graceMs, log, isDaemon: () => false },
      subreaper,
    );
  }

  #assertOpen(): void {
    if (this.#closed) throw new NurseryError('ERR_NURSERY_CLOSED', 'This nursery is closed: it starts no new children');
  }

  /** The process-wide reaper, when this nursery started or shares it. */
  get reaper(): Reaper | null {
    return this.#lease?.reaper ?? null;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Starts a child in its own process group and session.
   * @throws NurseryOptionError for a bad spec; NurseryError ENOENT, EACCES, ERR_NURSERY_BAD_CWD,
   * ERR_NURSERY_SPAWN_FAILED when it cannot start, ERR_NURSERY_CLOSED after close().
   */
  spawn(spec: SpawnSpec): Handle {
    this.#assertOpen();
    const resolved = resolveSpec(spec, this.#defaults);
    let child;
    try {
      child = spawnChild({
        command: resolved.command,
        args: resolved.args,
        cwd: resolved.cwd,
        env: resolved.env,
        stdio: resolved.stdio,
        ...(resolved.ipc ? { ipc: resolved.ipc } : {}),
      });
    } catch (error) {
      this.#stats.spawnFailed++;
      throw error;
    }
    const handle = new Handle(child, resolved, {
      onStopReport: (h, report, reason) => this.#onStopReport(report, reason),
      onExit: (h, info) => this.#onExit(h, info),
      onTreeGone: () => this.#lease?.reaper.scan(),
      trackedPids: () => this.#lease?.reaper.tracked.pids() ?? new Set(),
    });
    this.#children.add(handle);
    this.#stats.spawned++;
    this.#armExitCleanup();
    return handle;
  }

  /**
   * Starts a Node module with an IPC channel, as child_process.fork() does, and returns its
   * Handle: `send()`, `onMessage()`, `messages()`, `disconnect()`. Unlike fork(), the parent's
   * execArgv is not passed on unless given (`execArgv: process.execArgv`).
   * @throws as spawn() does.
   */
  fork(modulePath: string, args: readonly string[] = [], options: ForkOptions = {}): Handle {
    this.#assertOpen();
    return this.spawn(forkSpec(modulePath, args, options));
  }

  /**
   * Runs a command to completion and captures its output. Never rejects for a non-zero exit:
   * the result carries code and signal.
   * @throws NurseryError as spawn() does, and ERR_NURSERY_MAX_BUFFER (with `.result`).
   */
  run(
    command: string,
    args: readonly string[],
    options: RunOptions & { encoding: 'buffer' },
  ): Promise<RunResult<Buffer>>;
  run(command: string, args?: readonly string[], options?: RunOptions & { encoding?: 'utf8' }): Promise<RunResult>;
  run(command: string, args?: readonly string[], options?: RunOptions): Promise<RunResult<string | Buffer>>;
  async run(
    command: string,
    args: readonly string[] = [],
    options: RunOptions = {},
  ): Promise<RunResult<string | Buffer>> {
    const resolved = resolveRunOptions(options);
    const handle = this.spawn({ ...resolved.spec, command, args });
    return runHandle(handle, resolved);
  }

  /** One plain object per live child. */
  list(): ChildInfo[] {
    return [...this.#children].map((h) => h.info());
  }

  /** Stops every child (and its tree) at once; resolves when all are gone. */
  async stopAll(options: StopOptions = {}): Promise<ExitInfo[]> {
    return Promise.all([...this.#children].map((h) => h.stop(options)));
  }

  /** Refuses new children, then stops every child. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.stopAll();
    // Only now: a second Ctrl-C during the stop above must still reach killAllNow.
    this.#removeSignals?.();
    this.#removeSignals = null;
    this.#disarmExitCleanup();
    if (this.#lease) {
      // Zombies of the trees just stopped may have been adopted a moment ago: reap them now.
      this.#lease.reaper.scan();
      const r = this.#lease.reaper.stats;
      this.#stats.reaped = r.reaped;
      this.#stats.orphansKilled = r.orphansKilled;
      this.#lease.release();
      this.#lease = null;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  stats(): NurseryStats {
    const r = this.#lease?.reaper.stats;
    return {
      ...this.#stats,
      running: this.#children.size,
      reaped: r?.reaped ?? this.#stats.reaped,
      orphansKilled: r?.orphansKilled ?? this.#stats.orphansKilled,
    };
  }

  #onStopReport(report: StopReport, reason: string): void {
    if (reason === 'leftovers') {
      this.#stats.leftoversStopped += report.signalled;
      return;
    }
    if (report.killedAfterGrace > 0) {
      this.#stats.killedAfterGrace++;
      this.#stats.processesKilledAfterGrace += report.killedAfterGrace;
    }
  }

  #onExit(handle: Handle, info: ExitInfo): void {
    this.#children.delete(handle);
    this.#stats.exited++;
    if (info.stopped) this.#stats.stopped++;
    if (info.timedOut) this.#stats.timedOut++;
    if (info.aborted) this.#stats.aborted++;
    if (this.#children.size === 0) this.#disarmExitCleanup();
  }

  // A process 'exit' listener (not a signal handler): it runs when the host returns or calls
  // process.exit(), and only while this nursery has live children.
  #armExitCleanup(): void {
    if (!this.#cleanupOnExit || this.#exitListener) return;
    this.#exitListener = () => {
      for (const h of this.#children) h.killNow();
    };
    process.on('exit', this.#exitListener);
  }

  #disarmExitCleanup(): void {
    if (!this.#exitListener) return;
    process.removeListener('exit', this.#exitListener);
    this.#exitListener = null;
  }
}
