// The tracked set: children somebody else in this process waits for, which the reaper must never
// touch (docs/design.md, invariant 2). libuv children are learnt from node:diagnostics_channel
// 'child_process', published in the ChildProcess constructor before spawn, so the object is kept
// and its pid read at scan time; it leaves the set on 'exit', once libuv has reaped it.
import diagnosticsChannel from 'node:diagnostics_channel';

// Structural: the reaper needs only a pid and the exit event, never a ChildProcess type.
interface WatchedProcess {
  readonly pid?: number | undefined;
  readonly exitCode?: number | null;
  readonly signalCode?: string | null;
  once(event: 'exit', listener: () => void): unknown;
}

export class TrackedSet {
  #objects = new Set<WatchedProcess>();
  #subscribed = false;
  readonly #onMessage = (message: unknown): void => {
    const proc = (message as { process?: WatchedProcess } | null)?.process;
    if (!proc || typeof proc.once !== 'function') return;
    this.#objects.add(proc);
    proc.once('exit', () => this.#objects.delete(proc));
  };

  subscribe(): void {
    if (this.#subscribed) return;
    diagnosticsChannel.subscribe('child_process', this.#onMessage);
    this.#subscribed = true;
  }

  unsubscribe(): void {
    if (!this.#subscribed) return;
    diagnosticsChannel.unsubscribe('child_process', this.#onMessage);
    this.#subscribed = false;
    this.#objects.clear();
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
    const out = new Set<number>();
    for (const p of this.#objects) if (p.pid !== undefined) out.add(p.pid);
    return out;
  }

  has(pid: number): boolean {
    for (const p of this.#objects) if (p.pid === pid) return true;
    return false;
  }

  get size(): number {
    this.prune();
    return this.#objects.size;
  }
}
