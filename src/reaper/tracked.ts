// The tracked set: children somebody else in this process waits for, which the reaper must never
// touch (docs/design.md, invariant 2). libuv children are learnt from node:diagnostics_channel
// 'child_process', published in the ChildProcess constructor before spawn, so the object is kept
// and its pid read at scan time; it leaves the set on 'exit', once libuv has reaped it. PTY
// children, which node-pty's exit thread waits for, are tracked by PID: src/spawn/pty.ts announces
// each on its own channel the moment it is forked (before any scan can run), and the PID leaves
// the set once node-pty has reported the exit.
import diagnosticsChannel from 'node:diagnostics_channel';
import { PTY_CHILD_CHANNEL, type PtyChildMessage } from '../spawn/types.js';

// Structural: the reaper needs only a pid and the exit event, never a ChildProcess type.
interface WatchedProcess {
  readonly pid?: number | undefined;
  readonly exitCode?: number | null;
  readonly signalCode?: string | null;
  once(event: 'exit', listener: () => void): unknown;
}

export class TrackedSet {
  #objects = new Set<WatchedProcess>();
  // PID → how many waiters hold it (a PID is reused only after its reap, so at most one, briefly two).
  #explicit = new Map<number, number>();
  #subscribed = false;
  readonly #onMessage = (message: unknown): void => {
    const proc = (message as { process?: WatchedProcess } | null)?.process;
    if (!proc || typeof proc.once !== 'function') return;
    this.#objects.add(proc);
    proc.once('exit', () => this.#objects.delete(proc));
  };
  readonly #onPty = (message: unknown): void => {
    const { pid, exit } = message as PtyChildMessage;
    this.addPid(pid);
    void exit.finally(() => this.removePid(pid));
  };

  subscribe(): void {
    if (this.#subscribed) return;
    diagnosticsChannel.subscribe('child_process', this.#onMessage);
    diagnosticsChannel.subscribe(PTY_CHILD_CHANNEL, this.#onPty);
    this.#subscribed = true;
  }

  unsubscribe(): void {
    if (!this.#subscribed) return;
    diagnosticsChannel.unsubscribe('child_process', this.#onMessage);
    diagnosticsChannel.unsubscribe(PTY_CHILD_CHANNEL, this.#onPty);
    this.#subscribed = false;
    this.#objects.clear();
    this.#explicit.clear();
  }

  /** A child that someone other than libuv waits for (node-pty's exit thread): never reaped while held. */
  addPid(pid: number): void {
    this.#explicit.set(pid, (this.#explicit.get(pid) ?? 0) + 1);
  }

  /** Its waiter has reaped it. */
  removePid(pid: number): void {
    const n = this.#explicit.get(pid) ?? 0;
    if (n <= 1) this.#explicit.delete(pid);
    else this.#explicit.set(pid, n - 1);
  }

  // A spawn that failed never emits 'exit' and never gets a pid; one already reaped may not have
  // emitted it yet. Neither is waiting for anything: drop them.
  prune(): void {
    for (const p of this.#objects) {
      const exited = (p.exitCode ?? null) !== null || (p.signalCode ?? null) !== null;
      if (p.pid === undefined || exited) this.#objects.delete(p);
    }
  }

  /** Every tracked PID now, for one scan's many look-ups. */
  pids(): Set<number> {
    const out = new Set<number>(this.#explicit.keys());
    for (const p of this.#objects) if (p.pid !== undefined) out.add(p.pid);
    return out;
  }

  has(pid: number): boolean {
    if (this.#explicit.has(pid)) return true;
    for (const p of this.#objects) if (p.pid === pid) return true;
    return false;
  }

  get size(): number {
    this.prune();
    return this.#objects.size + this.#explicit.size;
  }
}
