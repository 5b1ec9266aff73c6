// The Nursery: the one object an application holds. It composes the parts (options, the spawn
// site, Handles, tree stop, the reaper, host hooks) and keeps the books; it validates nothing
// itself (src/options/ does).
import { NurseryError } from './errors.js';
import { Handle, type StopReason } from './handle/handle.js';
import { runHandle } from './handle/run.js';
import type { ChildInfo, ExitInfo, RunResult } from './handle/types.js';
import { armExitCleanup, disarmExitCleanup } from './host/exit-cleanup.js';
import { installHostSignals } from './host/host-signals.js';
import { type ParentWatch, acquireParentWatch } from './host/parent-watch.js';
import { type NurseryOptions, resolveNurseryOptions } from './options/nursery.js';
import { type RunOptions, resolveRunOptions } from './options/run.js';
import { type Defaults, type ForkOptions, type SpawnSpec, forkSpec, resolveSpec } from './options/spawn.js';
import type { StopOptions } from './options/stop.js';
import type { Reaper } from './reaper/reaper.js';
import { type ReaperLease, acquireReaper } from './reaper/shared.js';
import { spawnChild } from './spawn/child.js';
import type { StopReport } from './terminate/escalate.js';
import { warnOnce } from './warnings.js';

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

export class Nursery implements AsyncDisposable {
  #defaults: Defaults;
  #children = new Set<Handle>();
  #closed = false;
  #cleanupOnExit: boolean;
  #lease: ReaperLease | null = null;
  #removeSignals: (() => void) | null = null;
  #parentWatch: ParentWatch | null = null;
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
  readonly #cleanup = { killAllNow: (): void => this.#killAllNow() };

  /** @throws NurseryOptionError for a bad or unknown option. */
  constructor(options: NurseryOptions = {}) {
    const o = resolveNurseryOptions(options);
    this.#defaults = o.defaults;
    this.#cleanupOnExit = o.cleanupOnExit;
    const r = o.reaper;
    if (r.wanted) {
      // A kernel feature that is missing costs one warning, never a throw.
      const config = {
        graceMs: r.graceMs,
        safetyIntervalMs: r.safetyIntervalMs,
        orphans: r.orphans,
        orphanStopGraceMs: o.defaults.graceMs,
        orphanStopSignal: o.defaults.killSignal,
        log: r.log,
      };
      this.#lease = acquireReaper(config, r.subreaper);
    } else if (r.orphans.decide !== null) {
      warnOnce(
        'NURSERY_ORPHANS_WITHOUT_REAPER',
        'nursery: the orphans policy acts only on orphans adopted by us: set subreaper: true (or run as PID 1) ' +
          'for it to have any effect.',
      );
    }
    if (o.hostSignals.length > 0) {
      this.#removeSignals = installHostSignals(o.hostSignals, {
        stopAll: () => this.close(),
        killAllNow: () => this.#killAllNow(),
      });
    }
  }

  /** @internal The process-wide reaper, when this nursery started or shares it. */
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
    // The watcher starts first, so that the child's group can be listed the moment it exists.
    const watch = resolved.dieWithParent ? (this.#parentWatch ??= acquireParentWatch()) : null;
    watch?.prepare();
    let child;
    try {
      const { command, args, cwd, env, stdio, ipc } = resolved;
      child = spawnChild({ command, args, cwd, env, stdio, ...(ipc ? { ipc } : {}) });
    } catch (error) {
      this.#stats.spawnFailed++;
      throw error;
    }
    // Listed in the same synchronous step as the spawn; removed by onExit, when `exited` is about
    // to settle: the whole tree is gone by then, so the group can no longer be a stranger's.
    const unwatch = watch?.add(child.pid);
    const handle = new Handle(child, resolved, {
      onStopReport: (report, reason) => this.#onStopReport(report, reason),
      onExit: (h, info) => {
        unwatch?.();
        this.#onExit(h, info);
      },
      onTreeGone: () => this.#lease?.reaper.scan(),
      trackedPids: () => this.#lease?.reaper.tracked.pids() ?? new Set(),
    });
    this.#children.add(handle);
    this.#stats.spawned++;
    if (this.#cleanupOnExit) armExitCleanup(this.#cleanup);
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
   * @throws NurseryError as spawn() does, and MaxBufferError (ERR_NURSERY_MAX_BUFFER, with `.result`).
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
    disarmExitCleanup(this.#cleanup);
    // The last Nursery of this thread to close ends the watcher and waits for it.
    await this.#parentWatch?.release();
    this.#parentWatch = null;
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
    const reaped = r?.reaped ?? this.#stats.reaped;
    const orphansKilled = r?.orphansKilled ?? this.#stats.orphansKilled;
    return { ...this.#stats, running: this.#children.size, reaped, orphansKilled };
  }

  #assertOpen(): void {
    if (this.#closed) throw new NurseryError('ERR_NURSERY_CLOSED', 'This nursery is closed: it starts no new children');
  }

  #killAllNow(): void {
    for (const h of this.#children) h.killNow();
  }

  #onStopReport(report: StopReport, reason: StopReason): void {
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
    if (this.#children.size === 0) disarmExitCleanup(this.#cleanup);
  }
}
