// The reaper's bookkeeping of live orphans (processes adopted by us that still run): when each
// was first seen, which ones the policy chose to keep, and which are being stopped. A live orphan
// is read from /proc once; while it runs its PID cannot name another process (it is our child),
// so it needs no new read until it exits or its policy is due.

export class OrphanWatch {
  #seen = new Map<string, number>();
  #kept = new Set<string>();
  #liveKeys = new Map<number, string>();
  #stopping = new Set<number>();
  #now = new Set<string>();

  begin(): void {
    this.#now.clear();
  }

  /**
   * For a running child: when to look at it again (Infinity when its policy has kept it), or
   * undefined when it must be read now (first sight, or its policy is due).
   */
  recheckAt(pid: number, now: number, afterMs: number): number | undefined {
    const key = this.#liveKeys.get(pid);
    const first = key === undefined ? undefined : this.#seen.get(key);
    if (key === undefined || first === undefined) return undefined;
    const due = first + afterMs;
    if (!this.#kept.has(key) && now >= due) return undefined;
    this.#now.add(key);
    return now < due ? due : Infinity;
  }

  /** A live orphan read now: 'ask' when the policy must decide, else when to look again. */
  observe(pid: number, key: string, now: number, afterMs: number): { ask: number } | { until: number } {
    if (this.#stopping.has(pid)) return { until: Infinity };
    this.#now.add(key);
    this.#liveKeys.set(pid, key);
    const first = this.#seen.get(key) ?? now;
    this.#seen.set(key, first);
    if (now - first < afterMs) return { until: first + afterMs };
    if (this.#kept.has(key)) return { until: Infinity };
    return { ask: now - first };
  }

  keep(key: string): void {
    this.#kept.add(key);
  }

  stopping(pid: number, on: boolean): void {
    if (on) this.#stopping.add(pid);
    else this.#stopping.delete(pid);
  }

  /** The PID was reaped: its next holder is another process. */
  forget(pid: number): void {
    this.#liveKeys.delete(pid);
  }

  /** Forgets orphans not seen in this scan. */
  end(): void {
    for (const key of this.#seen.keys()) if (!this.#now.has(key)) this.#seen.delete(key);
    for (const key of this.#kept) if (!this.#now.has(key)) this.#kept.delete(key);
    for (const [pid, key] of this.#liveKeys) if (!this.#now.has(key)) this.#liveKeys.delete(pid);
  }

  clear(): void {
    this.#seen.clear();
    this.#kept.clear();
    this.#liveKeys.clear();
  }
}
