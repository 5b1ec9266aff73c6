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
import { NurseryError, invalidOption } from '../errors.js';
import { type LongTimer, setLongTimeout } from './timers.js';

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
  #timer: LongTimer | undefined;
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
      if (this.#treeStop === null && spec.killLeftovers && groupExists(this.pid))
        this.#startTreeStop('leftovers', spec.killSignal, spec.graceMs);
      if (this.#treeStop !== null) {
        await this.#treeStop;
        hooks.onTreeGone();
      }
      this.#state = 'exited';
      const r = this.#reason;
      const info: ExitInfo = {
        code,
        signal,
        durationMs,
        stopped: r !== null && r !== 'leftovers',
        timedOut: r === 'timeout',
        aborted: r === 'abort',
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
    const ipc = this.#ipc('send');
    if (!ipc.connected) throw this.#closed();
    try {
      await ipc.send(message);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_IPC_CHANNEL_CLOSED' || !ipc.connected) throw this.#closed(error);
      throw new NurseryError(
        'ERR_NURSERY_IPC_SEND',
        `Cannot send this message to pid ${this.pid}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  /**
   * Calls `listener` for each message the child sends; returns a function that removes it.
   * As with child_process, a message that arrives while no listener is attached is dropped:
   * attach right after spawn().
   * @throws NurseryError ERR_NURSERY_NO_IPC when spawned without `ipc: true`.
   */
  onMessage(listener: (message: unknown) => void): () => void {
    const ipc = this.#ipc('onMessage');
    if (typeof listener !== 'function') throw invalidOption('listener', 'a function', listener);
    return ipc.onMessage(listener);
  }

  /**
   * The child's messages as an async iterable; it ends when the channel closes (disconnect or
   * exit). Messages are buffered from this call on, until they are read.
   * @throws NurseryError ERR_NURSERY_NO_IPC when spawned without `ipc: true`.
   */
  messages(): AsyncIterableIterator<unknown> {
    const ipc = this.#ipc('messages');
    const queue: unknown[] = [];
    // Callers may call next() again before a promise settles: each waits its turn.
    const waiting: ((r: IteratorResult<unknown>) => void)[] = [];
    let done = !ipc.connected;
    const end = (): IteratorResult<unknown> => {
      offMessage();
      offDisconnect();
      done = true;
      queue.length = 0;
      for (const w of waiting.splice(0)) w({ done: true, value: undefined });
      return { done: true, value: undefined };
    };
    const offMessage = ipc.onMessage((m) => {
      const w = waiting.shift();
      if (w) w({ done: false, value: m });
      else queue.push(m);
    });
    const offDisconnect = ipc.onDisconnect(() => {
      // What arrived before the close is still delivered; waiters get the end.
      done = true;
      if (queue.length === 0) end();
    });
    if (done) end();
    return {
      next(): Promise<IteratorResult<unknown>> {
        if (queue.length > 0) return Promise.resolve({ done: false, value: queue.shift() });
        if (done) return Promise.resolve(end());
        return new Promise((resolve) => waiting.push(resolve));
      },
      return(): Promise<IteratorResult<unknown>> {
        return Promise.resolve(end());
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /** Closes the IPC channel (the child sees 'disconnect'). A no-op when it is already closed. */
  disconnect(): void {
    this.#ipc('disconnect').disconnect();
  }

  #ipc(what: string) {
    const ipc = this.#child.ipc;
    if (ipc === null)
      throw new NurseryError(
        'ERR_NURSERY_NO_IPC',
        `${what}(): pid ${this.pid} was spawned without an IPC channel (spawn it with ipc: true)`,
      );
    return ipc;
  }

  #closed(cause?: unknown): NurseryError {
    return new NurseryError(
      'ERR_NURSERY_IPC_CLOSED',
      `The IPC channel to pid ${this.pid} is closed (${this.#child.isReaped() ? 'the child has exited' : 'disconnected'})`,
      cause === undefined ? {} : { cause },
    );
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
    return {
      pid: child.pid,
      isReaped: () => child.isReaped(),
      reaped: child.exit,
      tag: this.#spec.tag,
      tracked: () => this.#hooks.trackedPids(),
    };
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
    this.#timer?.clear();
    this.#timer = undefined;
    if (this.#onAbort) this.#spec.signal?.removeEventListener('abort', this.#onAbort);
    this.#onAbort = undefined;
  }
}
