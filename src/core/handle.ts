// A Handle is all a caller ever holds of a child: never the ChildProcess, so a child can be
// neither forgotten (its exit is always observed) nor signalled without the identity checks.
import { performance } from 'node:perf_hooks';
import type { Readable, Writable } from 'node:stream';
import type { ResolvedSpec } from '../spec.js';
import type { SpawnedChild } from '../spawn/spawn-child.js';
import { type StopReport, type TreeRoot, groupExists, killTreeNow, stopTree } from '../terminate/stop-tree.js';
import { killPid } from '../os/kill.js';
import { warnOnce } from '../os/warn.js';
import { checkDuration, checkKeys, checkObject, checkSignal } from '../spec.js';

export type ChildMode = 'normal';
export type ChildState = 'running' | 'stopping' | 'exited';

/** How a child ended. */
export interface ExitInfo {
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  /** Name of the signal that ended it, or null. */
  signal: NodeJS.Signals | null;
  /** From spawn to exit of the child itself. */
  durationMs: number;
  /** stop() (or dispose, stopAll, close, timeout, abort) ended it. */
  stopped: boolean;
  timedOut: boolean;
  aborted: boolean;
}

export interface StopOptions {
  /** First signal; default the spec's killSignal. */
  signal?: NodeJS.Signals | number;
  /** Grace before SIGKILL; default the spec's graceMs. */
  graceMs?: number;
}

/** One live child, as list() shows it. */
export interface ChildInfo {
  pid: number;
  pgid: number;
  owner: string;
  mode: ChildMode;
  state: ChildState;
  command: string;
  args: string[];
  /** Epoch milliseconds. */
  startedAt: number;
  uptimeMs: number;
}

export interface HandleHooks {
  onStopReport(handle: Handle, report: StopReport, reason: StopReason): void;
  onExit(handle: Handle, info: ExitInfo): void;
  /** The stopped tree is gone: zombies of it adopted by our subreaper can be reaped now. */
  onTreeGone(): void;
  /** PIDs of our children that somebody waits for (not orphans). */
  trackedPids(): ReadonlySet<number>;
}

type StopReason = 'stop' | 'timeout' | 'abort' | 'leftovers';
const STOP_KEYS = new Set(['signal', 'graceMs']);

export class Handle implements AsyncDisposable {
  readonly pid: number;
  /** The child leads its own group and session: pgid = sid = pid. */
  readonly pgid: number;
  readonly owner: string;
  readonly mode: ChildMode = 'normal';
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
  #stopResult: Promise<ExitInfo> | null = null;
  #reason: StopReason | null = null;
  #timer: NodeJS.Timeout | undefined;
  #onAbort: (() => void) | undefined;

  /** @internal Handles come from Nursery.spawn(). */
  constructor(child: SpawnedChild, spec: ResolvedSpec, hooks: HandleHooks) {
    this.#child = child;
    this.#spec = spec;
    this.#hooks = hooks;
    this.pid = child.pid;
    this.pgid = child.pid;
    this.owner = spec.owner;
    this.command = spec.command;
    this.args = Object.freeze([...spec.args]);
    this.startedAt = Date.now();
    this.exited = child.exit.then(async ({ code, signal }) => {
      const durationMs = performance.now() - this.#t0;
      this.#disarm();
      // The child is gone; anything of its group or session still alive is a leftover.
      if (this.#treeStop === null && spec.killLeftovers && groupExists(this.pid)) this.#startTreeStop('leftovers', spec.killSignal, spec.graceMs);
      if (this.#treeStop !== null) {
        await this.#treeStop;
        hooks.onTreeGone();
      }
      this.#state = 'exited';
      const r = this.#reason;
      const info: ExitInfo = { code, signal, durationMs, stopped: r !== null && r !== 'leftovers', timedOut: r === 'timeout', aborted: r === 'abort' };
      hooks.onExit(this, info);
      return info;
    });
    if (spec.timeoutMs > 0) this.#timer = setTimeout(() => void this.#stopFor('timeout'), spec.timeoutMs);
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

  /**
   * Stops the child and its whole tree: `signal` to the group and to descendants that left it,
   * SIGKILL to what remains after `graceMs`. Resolves as soon as all of it is gone. Safe to call
   * twice, or after exit: every call returns the same result.
   * @throws NurseryOptionError for a bad option.
   */
  stop(options: StopOptions = {}): Promise<ExitInfo> {
    checkObject(options, 'options');
    checkKeys(options, STOP_KEYS, 'stop');
    const signal = checkSignal(options.signal, 'signal', this.#spec.killSignal);
    const graceMs = checkDuration(options.graceMs, 'graceMs', this.#spec.graceMs);
    return this.#stopFor('stop', signal, graceMs);
  }

  /** Sends one signal to the child alone (not its tree), if it has not exited. */
  signal(signal: NodeJS.Signals | number): boolean {
    const n = checkSignal(signal, 'signal', 0);
    // Our unreaped child: its PID cannot have been handed to anyone else.
    if (this.#child.isReaped()) return false;
    return killPid(this.pid, n) === 'sent';
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** @internal */
  info(): ChildInfo {
    return {
      pid: this.pid,
      pgid: this.pgid,
      owner: this.owner,
      mode: this.mode,
      state: this.#state,
      command: this.command,
      args: [...this.args],
      startedAt: this.startedAt,
      uptimeMs: Math.round(performance.now() - this.#t0),
    };
  }

  /** @internal For process 'exit': SIGKILL the tree synchronously. */
  killNow(): void {
    if (this.#state !== 'exited') killTreeNow(this.#root());
  }

  #root(): TreeRoot {
    const child = this.#child;
    return { pid: child.pid, isReaped: () => child.isReaped(), reaped: child.exit, tag: this.#spec.tag, tracked: () => this.#hooks.trackedPids() };
  }

  #startTreeStop(reason: StopReason, signal: number, graceMs: number): void {
    this.#reason = reason;
    if (this.#state === 'running') this.#state = 'stopping';
    // stopTree only fails on an OS error it cannot classify; the handle must still settle.
    this.#treeStop = stopTree(this.#root(), { signal, graceMs }).catch((error: unknown) => {
      warnOnce('NURSERY_STOP_FAILED', `nursery: stopping pid ${this.pid} failed: ${String(error)}`);
      return { signalled: 0, killedAfterGrace: 0, survivors: -1, durationMs: 0 };
    });
    void this.#treeStop.then((report) => this.#hooks.onStopReport(this, report, reason));
  }

  #stopFor(reason: StopReason, signal = this.#spec.killSignal, graceMs = this.#spec.graceMs): Promise<ExitInfo> {
    if (this.#stopResult) return this.#stopResult;
    if (this.#treeStop === null && !this.#child.isReaped()) this.#startTreeStop(reason, signal, graceMs);
    this.#disarm();
    this.#stopResult = this.exited;
    return this.#stopResult;
  }

  #disarm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#onAbort) this.#spec.signal?.removeEventListener('abort', this.#onAbort);
    this.#onAbort = undefined;
  }
}
