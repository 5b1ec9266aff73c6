// The Nursery: the one object an application holds. It composes the parts (options, the spawn
// site, Handles, tree stop, the reaper, host hooks) and keeps the books; it validates nothing
// itself (src/options/ does).
import { isMainThread } from 'node:worker_threads';
import type { DaemonHandle } from './daemon/daemon-handle.js';
import { Daemons } from './daemon/daemons.js';
import type { DaemonExit, DaemonInfo } from './daemon/types.js';
import { NurseryError } from './errors.js';
import { Handle, type HandleHooks } from './handle/handle.js';
import { PtyHandle } from './handle/pty-handle.js';
import { runHandle } from './handle/run.js';
import type { ChildInfo, ExitInfo, RunResult } from './types.js';
import { armExitCleanup, disarmExitCleanup } from './host/exit-cleanup.js';
import { installHostSignals } from './host/host-signals.js';
import { type ParentWatch, acquireParentWatch } from './host/parent-watch.js';
import { type NurseryOptions, resolveNurseryOptions } from './options/nursery.js';
import { type RunOptions, resolveRunOptions } from './options/run.js';
import type { DaemonSpec } from './options/daemon.js';
import type { PtySpawnSpec } from './options/spawn-spec.js';
import {
  type Defaults,
  type ForkOptions,
  type ResolvedSpec,
  type SpawnSpec,
  forkSpec,
  resolveSpec,
} from './options/spawn.js';
import { type StopAllOptions, type StopOptions, resolveStopOptions, splitStopAllOptions } from './options/stop.js';
import { keepSpareFd } from './os/proc.js';
import { stopAdoptedInScope } from './terminate/adopted.js';
import type { Reaper } from './reaper/reaper.js';
import { type ReaperLease, acquireReaper } from './reaper/shared.js';
import { spawnChild } from './spawn/child.js';
import { childCgroup, prepareContainment } from './terminate/cgroup.js';
import { spawnPty } from './spawn/pty.js';
import { type NurseryStats, StatsBook } from './stats.js';
import type { DebugHandlerOptions, ServeDebugOptions } from './options/debug.js';
import { publishExit, publishSpawn, publishStop } from './channels.js';
import type { DebugHandler } from './observe/debug/handler.js';
import type { DebugServer } from './observe/debug/server.js';
import { Observer } from './observe/observer.js';
import { warnOnce } from './warnings.js';
import { ServiceGroup } from './supervise/group.js';
import type { Service } from './supervise/service.js';
import { Supervisor } from './supervise/supervisor.js';
import type { GroupMemberSpec, ServiceInfo, ServiceSpec, SuperviseHooks } from './supervise/types.js';

export class Nursery implements AsyncDisposable {
  #defaults: Defaults;
  #children = new Set<Handle>();
  #closed = false;
  #cleanupOnExit: boolean;
  #lease: ReaperLease | null = null;
  #removeSignals: (() => void) | null = null;
  #parentWatch: ParentWatch | null = null;
  #stats = new StatsBook();
  readonly #cleanup = { killAllNow: (): void => this.#killAllNow() };
  #daemons: Daemons;
  #observer: Observer | null = null;
  #subreaper = false;
  #supervisor = new Supervisor({
    spawn: (spec) => this.spawn(spec as SpawnSpec),
    run: async (command, args, signal) => (await this.run(command, args, { signal })).code,
    contained: (spec) =>
      this.#subreaper || ((spec as { containment?: string }).containment ?? this.#defaults.containment) !== 'group',
    book: this.#stats.services,
  });

  /** @throws NurseryOptionError for a bad or unknown option. */
  constructor(options: NurseryOptions = {}) {
    const o = resolveNurseryOptions(options);
    // One descriptor kept back, so that a stop can still read /proc when the host runs out.
    keepSpareFd();
    this.#defaults = o.defaults;
    this.#cleanupOnExit = o.cleanupOnExit;
    // Probes once per thread and cleans what a dead nursery left; 'auto' warns now if it falls back.
    if (o.defaults.containment !== 'group') prepareContainment(o.defaults.containment);
    this.#daemons = new Daemons({
      defaults: o.defaults,
      registryDir: o.registryDir,
      reaper: () => this.#lease?.reaper ?? null,
      tracked: () => this.#lease?.reaper.tracked.pids() ?? new Set(),
    });
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
        logger: r.logger,
      };
      this.#lease = acquireReaper(config, r.subreaper);
      this.#subreaper = r.subreaper;
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
   * Starts a daemon (`mode: 'daemon'`): launched so that it outlives this process, recorded in the
   * registry, never stopped by stopAll() or close(). Resolves once its PID is known and held.
   * Rejects with NurseryOptionError, NurseryError ENOENT, EACCES, ERR_NURSERY_BAD_CWD,
   * ERR_NURSERY_REGISTRY, ERR_NURSERY_LAUNCH_FAILED, ERR_NURSERY_LAUNCH_TIMEOUT, ERR_NURSERY_CLOSED.
   */
  spawn(spec: DaemonSpec): Promise<DaemonHandle>;
  /**
   * Starts a child in its own process group and session. With `mode: 'pty'`, on a terminal of
   * its own (node-pty, an optional peer dependency), and the Handle is a PtyHandle.
   * @throws NurseryOptionError for a bad spec; NurseryError ENOENT, EACCES, ERR_NURSERY_BAD_CWD,
   * ERR_NURSERY_SPAWN_FAILED when it cannot start, ERR_NURSERY_CLOSED after close(),
   * ERR_NURSERY_NO_PTY in PTY mode when node-pty cannot be loaded.
   */
  spawn(spec: PtySpawnSpec): PtyHandle;
  spawn(spec: SpawnSpec): Handle;
  spawn(spec: SpawnSpec | PtySpawnSpec): Handle;
  spawn(spec: SpawnSpec | PtySpawnSpec | DaemonSpec): Handle | Promise<DaemonHandle> {
    if ((spec as { mode?: unknown } | null)?.mode === 'daemon') return this.#spawnDaemon(spec);
    this.#assertOpen();
    const resolved = resolveSpec(spec, this.#defaults);
    // The watcher starts first, so that the child's group can be listed the moment it exists. In
    // a worker, cleanupOnExit lists the group too: on worker.terminate() or the main thread's
    // process.exit() the worker runs no more code, and only the watcher can act.
    const threadBound = this.#cleanupOnExit && !isMainThread;
    const watched = resolved.dieWithParent || threadBound;
    const watch = watched ? (this.#parentWatch ??= acquireParentWatch()) : null;
    watch?.prepare();
    let handle: Handle;
    let unwatch: (() => void) | undefined;
    try {
      handle = this.#start(resolved, () => unwatch?.());
    } catch (error) {
      this.#stats.spawnFailed(resolved.owner);
      throw error;
    }
    // Listed in the same synchronous step as the spawn; removed just before `exited` settles: the
    // whole tree is gone by then, so the group can no longer be a stranger's.
    const removals = [
      resolved.dieWithParent ? watch?.add(handle.pid, 'process') : undefined,
      threadBound ? watch?.add(handle.pid, 'thread') : undefined,
    ];
    unwatch = () => {
      for (const remove of removals) remove?.();
    };
    this.#children.add(handle);
    this.#stats.spawned(handle.owner);
    publishSpawn(handle);
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

  async #spawnDaemon(spec: unknown): Promise<DaemonHandle> {
    this.#assertOpen();
    return this.#daemons.spawn(spec);
  }

  /**
   * Keeps a service up (docs/supervise.md): spawns it, restarts it by its policy through a
   * backoff, declares it 'fatal' on a crash loop. Each incarnation ends with the whole-tree stop,
   * and the next starts only when nothing of the last one is left. `hooks` replace the clock, the
   * probe runner and the jitter's random source (for tests).
   * @throws NurseryOptionError for a bad spec; ERR_NURSERY_CLOSED after close().
   */
  supervise(spec: ServiceSpec, hooks: SuperviseHooks = {}): Service {
    this.#assertOpen();
    return this.#supervisor.supervise(spec, hooks);
  }

  /**
   * Supervises several services (docs/supervise.md): each starts once its `dependsOn` conditions
   * hold (independent ones together); stop() stops them in reverse dependency order.
   * @throws NurseryError ERR_NURSERY_DEPENDENCY_CYCLE (naming the cycle), ERR_NURSERY_UNKNOWN_DEPENDENCY;
   * NurseryOptionError for a bad spec.
   */
  group(specs: Readonly<Record<string, GroupMemberSpec>>, hooks: SuperviseHooks = {}): ServiceGroup {
    this.#assertOpen();
    return new ServiceGroup(specs, (name, spec) => this.supervise({ ...spec, name }, hooks));
  }

  /**
   * The supervised services that are not stopped, each as a plain object: name, state, pid,
   * restarts, incarnation, lastExit, and the backoff's delay while in 'backoff'. A 'fatal' one
   * stays listed until its stop() (or this nursery's stopAll() or close()).
   */
  services(): ServiceInfo[] {
    return this.#supervisor.live().map((s) => s.info());
  }

  /** The registry's live daemons (started by any process); dead or recycled entries are pruned. Never throws. */
  daemons(): DaemonInfo[] {
    return this.#daemons.list();
  }

  /**
   * A handle on a daemon of the registry, started by this process or an earlier one.
   * @throws NurseryError ERR_NURSERY_NO_DAEMON, ERR_NURSERY_REGISTRY
   */
  attach(id: string): DaemonHandle {
    return this.#daemons.attach(id);
  }

  /** One plain object per live child. */
  list(): ChildInfo[] {
    return [...this.#children].map((h) => h.info());
  }

  /**
   * Stops every child (and its tree) at once; resolves when all are gone. Daemons only with
   * `daemons: true` (their exits are not in the result).
   * @throws NurseryOptionError for a bad option.
   */
  async stopAll(options: StopAllOptions = {}): Promise<ExitInfo[]> {
    const { daemons, stop } = splitStopAllOptions(options);
    // Each service is told first (synchronously), so that none restarts the child stopped under it.
    const services = this.#supervisor.stopAll(stop);
    const stopped: Promise<DaemonExit[]> = daemons ? this.#daemons.stopAll(stop) : Promise.resolve([]);
    const exits = await Promise.all([...this.#children].map((h) => h.stop(stop)));
    await Promise.all([stopped, services]);
    return exits;
  }

  /**
   * Refuses new children, then stops every child (with `options`, as stopAll() does; a later
   * stop(), stopAll() or close() with SIGKILL or a shorter grace takes effect at once), and, with
   * a subreaper, whatever of their trees it adopted (daemons started with mode: 'daemon' aside).
   * @throws NurseryOptionError for a bad option.
   */
  async close(options: StopOptions = {}): Promise<void> {
    const stop = resolveStopOptions(options, { signal: this.#defaults.killSignal, graceMs: this.#defaults.graceMs });
    this.#closed = true;
    await Promise.all([this.stopAll(options), this.#observer?.close()]);
    // What the trees of this Nursery left that our subreaper adopted (a daemon a finished command
    // detached, kept by killLeftovers: false): nothing tagged by this Nursery outlives close().
    if (this.#lease) await stopAdoptedInScope(this.#defaults.scope, this.#lease.reaper.tracked.pids(), stop);
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
      this.#stats.keepReaper(r);
      this.#lease.release();
      this.#lease = null;
    }
  }

  /**
   * Registers nursery's metrics in a prom-client Registry (docs/observe.md), read from the live
   * state on each scrape. Returns the function that unregisters them.
   * @throws NurseryError ERR_NURSERY_NO_PROM_CLIENT without prom-client (an optional peer dependency).
   */
  metrics(registry: unknown): () => void {
    return this.#observe().metrics(registry);
  }

  /** A `(req, res)` handler for GET /debug/processes: JSON, or the live page for a browser. */
  debugHandler(options?: DebugHandlerOptions): DebugHandler {
    return this.#observe().debugHandler(options);
  }

  /** Serves the debug handler on 127.0.0.1:`port` or a 0600 unix socket; close() ends it. */
  serveDebug(options: ServeDebugOptions): Promise<DebugServer> {
    return this.#observe().serveDebug(options);
  }

  #observe(): Observer {
    return (this.#observer ??= new Observer({
      list: () => this.list(),
      services: () => this.services(),
      stats: () => this.stats(),
      daemons: () => this.#daemons.listIfAny(),
      recentReaps: () => this.#lease?.reaper.log.recent ?? null,
      tracked: () => this.#lease?.reaper.tracked.pids() ?? null,
    }));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Counters (per owner too), the reaper's figures, the live daemons: what metrics() shows, without prom-client. */
  stats(): NurseryStats {
    const daemons = this.#daemons.listIfAny().length;
    return this.#stats.snapshot(this.#children, this.#lease?.reaper.stats, daemons, this.#supervisor.live());
  }

  // The one place that picks the backend: child_process (src/spawn/child.ts) or node-pty (pty.ts).
  #start(resolved: ResolvedSpec, onGone: () => void): Handle {
    const hooks: HandleHooks = {
      onStopReport: (report, reason, h) => {
        this.#stats.stopReport(report, reason, h.owner);
        publishStop(h, reason, report);
      },
      onExit: (h, info) => {
        onGone();
        this.#onExit(h, info);
      },
      onTreeGone: () => this.#lease?.reaper.scan(),
      trackedPids: () => this.#lease?.reaper.tracked.pids() ?? new Set(),
      claim: (pid, startTime) => this.#lease?.reaper.claim(pid, startTime) ?? null,
    };
    const { command, args, cwd, env, stdio, ipc, pty } = resolved;
    if (pty) return new PtyHandle(spawnPty({ command, args, cwd, env, ...pty }), resolved, hooks);
    const cg = resolved.containment === 'group' ? null : childCgroup(resolved.containment);
    const into = cg ? { cgroupProcs: cg.procs } : {};
    try {
      const child = spawnChild({ command, args, cwd, env, stdio, ipc, notifyFd: resolved.notifyFd, ...into });
      return new Handle(child, resolved, hooks, cg);
    } catch (error) {
      cg?.release();
      throw error;
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new NurseryError('ERR_NURSERY_CLOSED', 'This nursery is closed: it starts no new children');
  }

  #killAllNow(): void {
    for (const h of this.#children) h.killNow();
  }

  #onExit(handle: Handle, info: ExitInfo): void {
    this.#children.delete(handle);
    this.#stats.exit(info, handle.owner);
    publishExit(handle, info);
    if (this.#children.size === 0) disarmExitCleanup(this.#cleanup);
  }
}
