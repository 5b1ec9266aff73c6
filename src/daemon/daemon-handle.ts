// A daemon, as the process that started it or a later one attached to it holds it. Not our
// child: it is held by pidfd (or start time), stopped as a RefTree (itself, its descendants and
// its session, every member identity-checked), and its end is learnt by watching the pidfd.
import { type ResolvedStop, type StopOptions, resolveStopOptions } from '../options/stop.js';
import type { DecodedStatus } from '../reaper/wait-status.js';
import { escalate } from '../terminate/escalate.js';
import { type ProcRef, closeRef } from '../terminate/identity.js';
import { RefTree } from '../terminate/ref-tree.js';
import { warnOnce } from '../warnings.js';
import type { DaemonEntry } from './entry.js';
import { hasEnded, watchExit } from './exit-watch.js';
import type { DaemonExit } from './types.js';

/** What the daemon manager gives each handle. */
export interface DaemonHooks {
  /** Claims the exit status from our reaper (when we are a subreaper); returns the release, or null. */
  claim(pid: number, startTime: number, onExit: (status: DecodedStatus) => void): (() => void) | null;
  /** Reaps now, if our reaper runs: a daemon we adopted may be our zombie this very moment. */
  reapNow(): void;
  /** The daemon is gone: its registry entry can go. */
  onEnd(id: string): void;
}

export class DaemonHandle implements AsyncDisposable {
  readonly mode = 'daemon' as const;
  readonly id: string;
  readonly pid: number;
  /**
   * The daemon's group and session: its launcher's, which no other process shares (the launcher
   * itself is gone). The daemon does not lead it, so it can never acquire a controlling terminal.
   */
  readonly pgid: number;
  readonly owner: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly stdout: string | null;
  readonly stderr: string | null;
  /** Epoch milliseconds of the launch. */
  readonly startedAt: number;

  #ref: ProcRef;
  #hooks: DaemonHooks;
  #defaults: ResolvedStop;
  #status: DecodedStatus | null = null;
  #release: (() => void) | null;
  #exited: Promise<DaemonExit> | null = null;
  #stop: Promise<DaemonExit> | null = null;
  #stopped = false;
  #ended = false;

  /** @internal Handles come from spawn({ mode: 'daemon' }) and attach(). */
  constructor(entry: DaemonEntry, ref: ProcRef, hooks: DaemonHooks) {
    this.id = entry.id;
    this.pid = entry.pid;
    this.pgid = ref.pgrp;
    this.owner = entry.owner;
    this.command = entry.command;
    this.args = Object.freeze([...entry.args]);
    this.stdout = entry.stdout;
    this.stderr = entry.stderr;
    this.startedAt = Date.parse(entry.startedAt);
    this.#ref = ref;
    this.#hooks = hooks;
    this.#defaults = { signal: entry.killSignal, graceMs: entry.graceMs };
    this.#release = hooks.claim(ref.pid, ref.startTime, (status) => {
      this.#status = status;
    });
  }

  get state(): 'running' | 'stopping' | 'exited' {
    if (this.#ended || hasEnded(this.#ref)) return 'exited';
    return this.#stop ? 'stopping' : 'running';
  }

  /**
   * Resolves when the daemon has ended, though we are not its parent. Watching starts at the
   * first look and keeps the event loop alive until then, as a child would.
   */
  get exited(): Promise<DaemonExit> {
    this.#exited ??= watchExit(this.#ref).ended.then(() => this.#end());
    return this.#exited;
  }

  /**
   * Stops the daemon and everything of its tree and session: `signal` (default its killSignal),
   * SIGKILL to what is left after `graceMs`. Resolves once all of it is gone. Safe to call twice.
   * @throws NurseryOptionError for a bad option.
   */
  stop(options: StopOptions = {}): Promise<DaemonExit> {
    const { signal, graceMs } = resolveStopOptions(options, this.#defaults);
    if (this.#stop) return this.#stop;
    // A daemon that had ended unseen was not stopped by us.
    this.#stopped = !this.#ended && !hasEnded(this.#ref);
    // The handle keeps the root's ref (its exit watch uses it); the tree closes the rest.
    const tree = new RefTree(this.#ref, { session: true, ownsRoot: false });
    const done = escalate(tree, { signal, graceMs }).catch((error: unknown) => {
      warnOnce('NURSERY_STOP_FAILED', `nursery: stopping daemon pid ${this.pid} failed: ${String(error)}`);
    });
    this.#stop = done.then(() => {
      tree.close();
      return this.exited;
    });
    return this.#stop;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  #end(): DaemonExit {
    if (!this.#ended) {
      this.#ended = true;
      if (this.#status === null) this.#hooks.reapNow();
      this.#release?.();
      this.#release = null;
      closeRef(this.#ref);
      this.#hooks.onEnd(this.id);
    }
    const s = this.#status;
    return { known: s !== null, code: s?.code ?? null, signal: s?.signal ?? null, stopped: this.#stopped };
  }
}
