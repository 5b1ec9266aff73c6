// The reap rule for an untracked zombie child (docs/design.md, invariant 2), and the reap itself.
// - Listed under a live thread other than the main one: never reaped while that thread lives. A
//   worker thread's libuv (or an addon on that thread) is its waiter, and a worker's event loop
//   may be busy for any length of time; a deadline there would steal exit codes on a loaded host.
//   When the thread ends, the kernel lists the zombie under the main thread, and the rules below
//   apply (it is looked at again every grace period meanwhile, since that move sends no SIGCHLD).
// - Under the main thread, adopted after the reaper started, no foreign native addon loaded: it
//   can only be an adopted orphan, which nobody else can wait for. Reaped at once.
// - Under the main thread otherwise (a child from before the reaper started, or one a native
//   addon may be about to wait for): reaped once it has stayed a zombie for the grace window.
// A PID cannot be reused while it is our zombie, so reaping by PID after reading its state is safe.
import { ECHILD } from '../os/errno.js';
import { waitpidNoHang } from '../os/wait.js';
import { warnOnce } from '../warnings.js';
import type { ReapPath } from './types.js';
import { type DecodedStatus, decodeWaitStatus } from './wait-status.js';

export type Verdict = { reap: ReapPath; latencyMs: number } | { until: number };

export interface ZombiePlace {
  /** Listed under the main thread. */
  onMain: boolean;
  /** Not already our child when the reaper started. */
  adopted: boolean;
  /** A native addon that may fork and wait on its own is loaded (asked only when it matters). */
  addons: () => boolean;
}

// A worker's child that stays a zombie this long is worth one warning: its thread is not waiting.
const THREAD_HELD_WARN_MS = 60_000;

export class ZombieWatch {
  #seen = new Map<string, number>();
  #now = new Set<string>();

  begin(): void {
    this.#now.clear();
  }

  judge(key: string, place: ZombiePlace, now: number, graceMs: number): Verdict {
    this.#now.add(key);
    const first = this.#seen.get(key) ?? now;
    this.#seen.set(key, first);
    const age = now - first;
    if (!place.onMain) {
      if (age >= THREAD_HELD_WARN_MS) {
        warnOnce(
          'NURSERY_THREAD_ZOMBIE',
          `nursery: a zombie (key ${key}) has waited ${Math.round(age / 1000)} s under a thread other than the ` +
            'main one; it is left to that thread, and reaped once the thread ends.',
        );
      }
      return { until: now + Math.max(graceMs, 1000) };
    }
    if (place.adopted && !place.addons()) return { reap: 'immediate', latencyMs: age };
    if (age >= graceMs) return { reap: 'grace', latencyMs: age };
    return { until: first + graceMs };
  }

  /** Forgets zombies not seen in this scan (reaped, or taken by their waiter). */
  end(): void {
    for (const key of this.#seen.keys()) if (!this.#now.has(key)) this.#seen.delete(key);
  }

  clear(): void {
    this.#seen.clear();
  }
}

/** waitpid for one zombie; null when it was not ours to take after all. */
export function reapZombie(pid: number): DecodedStatus | null {
  const r = waitpidNoHang(pid);
  if (r.pid > 0) return decodeWaitStatus(r.status);
  // 0: not a zombie after all; ECHILD: its waiter took it first. Both are quiet no-ops.
  if (r.pid !== 0 && r.pid !== -ECHILD)
    warnOnce('NURSERY_WAITPID', `nursery: waitpid(${pid}) failed with errno ${-r.pid}`);
  return null;
}
