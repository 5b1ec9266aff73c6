// A Handle is all a caller ever holds of a child: never the ChildProcess, so a child can be
// neither forgotten (its exit is always observed) nor signalled without the identity checks.
import { performance } from 'node:perf_hooks';
import type { Readable, Writable } from 'node:stream';
import { invalidOption } from '../errors.js';
import { killPid } from '../os/kill.js';
import type { SignalLike } from '../os/signals.js';
import { checkSignal } from '../options/check.js';
import type { ResolvedSpec } from '../options/spawn.js';
import { type StopOptions, resolveStopOptions } from '../options/stop.js';
import type { SpawnedChild } from '../spawn/types.js';
import {
  type ChildCgroup,
  type StopReport,
  type TreeRoot,
  hasLeftovers,
  killTreeNow,
  stopTree,
} from '../terminate/stop-tree.js';
import { type LongTimer, setLongTimeout } from '../util/timers.js';
import { warnOnce } from '../warnings.js';
import { messageIterator, requireIpc, sendMessage } from './ipc.js';
import type { ChildInfo, ChildMode, ChildState, ExitInfo } from '../types.js';

export type StopReason = 'stop' | 'timeout' | 'abort' | 'leftovers';

/** What the Nursery learns from its Handles. */
export interface HandleHooks {
  onStopReport(report: StopReport, reason: StopReason, handle: Handle): void;
  onExit(handle: Handle, info: ExitInfo): void;
  /** The stopped tree is gone: zombies of it adopted by our subreaper can be reaped now. */
  onTreeGone(): void;
  /** PIDs of our children that somebody waits for (not orphans). */
  trackedPids(): ReadonlySet<number>;
  /** A process of this tree is known to be ours: reap it at once if our subreaper adopts it. Returns the release. */
  claim(pid: number, startTime: number): (() => void) | null;
}

export class Handle implements AsyncDisposable {
  readonly pid: number;
  /** The child leads its own group and session: pgid = sid = pid. */
  readonly pgid: number;
  readonly owner: string;
  /** 'pty' for a child on a terminal (a PtyHandle), else 'normal'. */
  readonly mode: ChildMode;
  readonly command: string;
  readonly args: readonly string[];
  /** Epoch milliseconds. */
  readonly startedAt: number;
  /** Resolves when the child has exited and been reaped, and what it left of its tree is gone. */
  readonly exited: Promise<ExitInfo>;

  #child: SpawnedChild;
  #spec: ResolvedSpec;
  #hooks: HandleHooks;
  #t0 = performance.now();
  #state: ChildState = 'running';
  #treeStop: Promise<StopReport> | null = null;
  /** Makes the tree stop in flight harsher (a later stop with SIGKILL, a shorter grace, another signal). */
  #tighten: ((signal: number, graceMs: number) => void) | null = null;
  #stopResult: Promise<ExitInfo> | null = null;
  #reason: StopReason | null = null;
  #timer: LongTimer | undefined;
  #onAbort: (() => void) | undefined;
  #claims: (() => void)[] = [];
  /** The child's own cgroup, under cgroup containment. */
  #cgroup: ChildCgroup | null;
  #service: string | null = null;

  /** @internal Handles come from Nursery.spawn(). */
  constructor(child: SpawnedChild, spec: ResolvedSpec, hooks: HandleHooks, cgroup: ChildCgroup | null = null) {
    this.#child = child;
    this.#cgroup = cgroup;
    this.#spec = spec;
    this.#hooks = hooks;
    this.pid = child.pid;
    this.pgid = child.pid;
    this.owner = spec.owner;
    this.mode = spec.mode;
    this.command = spec.command;
    this.args = Object.freeze([...spec.args]);
    this.startedAt = Date.now();
    this.exited = child.exit.then(async ({ code, signal }) => {
      const durationMs = performance.now() - this.#t0;
      this.#disarm();
      // The child is gone; anything of its group, or of its tree adopted by our subreaper, still
      // alive is a leftover.
      if (this.#treeStop === null && spec.killLeftovers && hasLeftovers(this.#root(), cgroup)) {
        this.#startTreeStop('leftovers', spec.killSignal, spec.graceMs);
      }
      // Empty now, or leftovers kept (killLeftovers: false), moved back to our own cgroup first.
      if (this.#treeStop === null) cgroup?.release(true);
      let unverified = false;
      if (this.#treeStop !== null) {
        const report = await this.#treeStop;
        unverified = report.unverified || report.survivors !== 0;
        hooks.onTreeGone();
        // Reaped by now if they were ours to reap; any other waiter has had them.
        for (const release of this.#claims.splice(0)) release();
      }
      this.#state = 'exited';
      const r = this.#reason;
      const stopped = r !== null && r !== 'leftovers' && !unverified;
      const info: ExitInfo = {
        code,
        signal,
        durationMs,
        stopped,
        timedOut: r === 'timeout',
        aborted: r === 'abort',
        unverified,
      };
      hooks.onExit(this, info);
      return info;
    });
    if (spec.timeoutMs > 0) this.#timer = setLongTimeout(() => void this.#stopFor('timeout'), spec.timeoutMs);
    const abort = spec.signal;
    if (abort) {
      this.#onAbort = () => void this.#stopFor('abort');
      if (abort.aborted) queueMicrotask(this.#onAbort);
      else abort.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  get state(): ChildState {
    return this.#state;
  }
  get stdin(): Writable | null {
    return this.#child.stdin;
  }
  get stdout(): Readable | null {
    return this.#child.stdout;
  }
  get stderr(): Readable | null {
    return this.#child.stderr;
  }
  /** The read end of the notification pipe (spawned with `notifyFd`), else null. */
  get notify(): Readable | null {
    return this.#child.notify;
  }

  /**
   * Stops the child and its whole tree: `signal` to the group and to descendants that left it,
   * SIGKILL to what remains after `graceMs`. Resolves as soon as all of it is gone. Safe to call
   * twice, or after exit: every call returns the same result. A call while a stop is in flight
   * makes it harsher at once, for the whole tree: SIGKILL (or `graceMs` ending sooner than the
   * pending grace) kills now, another signal is sent now; a milder call changes nothing.
   * @throws NurseryOptionError for a bad option.
   */
  stop(options: StopOptions = {}): Promise<ExitInfo> {
    const { signal, graceMs } = resolveStopOptions(options, {
      signal: this.#spec.killSignal,
      graceMs: this.#spec.graceMs,
    });
    return this.#stopFor('stop', signal, graceMs);
  }

  /** Sends one signal to the child alone (not its tree), if it has not exited. */
  signal(signal: SignalLike): boolean {
    const n = checkSignal(signal, 'signal', 0);
    // Our unreaped child: its PID cannot have been handed to anyone else.
    if (this.#child.isReaped()) return false;
    return killPid(this.pid, n) === 'sent';
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** True while the IPC channel is open (spawned with `ipc: true`, not disconnected, not exited). */
  get connected(): boolean {
    return this.#child.ipc?.connected ?? false;
  }

  /**
   * Sends one message over the IPC channel. Resolves once Node has handed it to the channel.
   * Rejects with NurseryError ERR_NURSERY_NO_IPC (spawned without `ipc: true`),
   * ERR_NURSERY_IPC_CLOSED (disconnected, or the child exited) or ERR_NURSERY_IPC_SEND (the
   * message cannot be encoded, e.g. a BigInt with JSON serialization; `cause` says why).
   */
  async send(message: unknown): Promise<void> {
    const ipc = requireIpc(this.#child.ipc, this.pid, 'send');
    return sendMessage(ipc, this.pid, () => this.#child.isReaped(), message);
  }

  /**
   * Calls `listener` for each message the child sends; returns a function that removes it.
   * As with child_process, a message that arrives while no listener is attached is dropped:
   * attach right after spawn().
   * @throws NurseryError ERR_NURSERY_NO_IPC when spawned without `ipc: true`.
   */
  onMessage(listener: (message: unknown) => void): () => void {
    const ipc = requireIpc(this.#child.ipc, this.pid, 'onMessage');
    if (typeof listener !== 'function') throw invalidOption('listener', 'a function', listener);
    return ipc.onMessage(listener);
  }

  /**
   * The child's messages as an async iterable; it ends when the channel closes (disconnect or
   * exit). Messages are buffered from this call on, until they are read.
   * @throws NurseryError ERR_NURSERY_NO_IPC when spawned without `ipc: true`.
   */
  messages(): AsyncIterableIterator<unknown> {
    return messageIterator(requireIpc(this.#child.ipc, this.pid, 'messages'));
  }

  /** Closes the IPC channel (the child sees 'disconnect'). A no-op when it is already closed. */
  disconnect(): void {
    requireIpc(this.#child.ipc, this.pid, 'disconnect').disconnect();
  }

  /** The supervised service this child is an incarnation of (nursery.supervise()), else null. */
  get service(): string | null {
    return this.#service;
  }

  /** @internal Nursery.supervise() names the service of each incarnation it spawns. */
  setService(name: string): void {
    this.#service = name;
  }

  /** @internal */
  info(): ChildInfo {
    return {
      pid: this.pid,
      pgid: this.pgid,
      owner: this.owner,
      service: this.#service,
      mode: this.mode,
      state: this.#state,
      command: this.command,
      args: [...this.args],
      startedAt: this.startedAt,
      uptimeMs: Math.round(performance.now() - this.#t0),
      containment: this.#cgroup ? 'cgroup' : 'group',
      cpuUsec: this.#cgroup?.cpuUsec() ?? null,
      memoryBytes: this.#cgroup?.memoryBytes() ?? null,
    };
  }

  /** @internal For process 'exit': SIGKILL the tree synchronously. */
  killNow(): void {
    if (this.#state !== 'exited') killTreeNow(this.#root(), this.#cgroup);
  }

  #root(): TreeRoot {
    const child = this.#child;
    const tracked = (): ReadonlySet<number> => this.#hooks.trackedPids();
    const onMember = (pid: number, startTime: number): void => {
      const release = this.#hooks.claim(pid, startTime);
      if (release) this.#claims.push(release);
    };
    return {
      pid: child.pid,
      isReaped: () => child.isReaped(),
      reaped: child.exit,
      tag: this.#spec.tag,
      tracked,
      onMember,
    };
  }

  #startTreeStop(reason: StopReason, signal: number, graceMs: number): void {
    this.#reason = reason;
    if (this.#state === 'running') this.#state = 'stopping';
    const stop = stopTree(this.#root(), { signal, graceMs }, this.#cgroup);
    this.#tighten = stop.tighten;
    // stopTree only fails on an OS error it cannot classify; the handle must still settle.
    this.#treeStop = stop.done.catch((error: unknown) => {
      warnOnce('NURSERY_STOP_FAILED', `nursery: stopping pid ${this.pid} failed: ${String(error)}`);
      return { signalled: 0, killedAfterGrace: 0, survivors: -1, unverified: true, durationMs: 0 };
    });
    void this.#treeStop.then((report) => {
      this.#hooks.onStopReport(report, reason, this);
      if (report.unverified) {
        warnOnce(
          'NURSERY_STOP_UNVERIFIED',
          `nursery: stopping pid ${this.pid} could not make sure its whole tree is gone (/proc could not ` +
            'be read: out of file descriptors?); ExitInfo.unverified is true.',
        );
      }
    });
  }

  // A stop while one is in flight (this one's, a timeout's, the leftovers') takes effect at once
  // if it is harsher: SIGKILL, a sooner end of the grace, or another signal.
  #stopFor(reason: StopReason, signal = this.#spec.killSignal, graceMs = this.#spec.graceMs): Promise<ExitInfo> {
    if (this.#treeStop !== null) this.#tighten?.(signal, graceMs);
    else if (!this.#child.isReaped()) this.#startTreeStop(reason, signal, graceMs);
    this.#disarm();
    this.#stopResult ??= this.exited;
    return this.#stopResult;
  }

  #disarm(): void {
    this.#timer?.clear();
    this.#timer = undefined;
    if (this.#onAbort) this.#spec.signal?.removeEventListener('abort', this.#onAbort);
    this.#onAbort = undefined;
  }
}
