// Change notification for one cgroup's cgroup.events file. The kernel raises a modify event on it
// whenever a value in it changes ("populated 1" -> "populated 0" when the last process of the
// cgroup or below has exited, "frozen"), and inotify (fs.watch) delivers that event: a stop learns
// at once that its cgroup is empty instead of at its next poll. It is only a hint for when to look
// again: a watch may be refused (the inotify watch limit, ENOSPC) or miss on some file systems, so
// every waiter still polls, and the look itself always reads the file.
import { type FSWatcher, watch } from 'node:fs';
import { join } from 'node:path';

export class CgroupEvents {
  #watcher: FSWatcher | null = null;
  #next: Promise<void> | null = null;
  #resolve: (() => void) | null = null;

  /** Watches dir/cgroup.events; without a watch (refused, or NURSERY_CGROUP_NO_WATCH=1), next() is null. */
  constructor(dir: string) {
    // NURSERY_CGROUP_NO_WATCH=1: polling alone, as where inotify misses, to see or test it.
    if (process.env.NURSERY_CGROUP_NO_WATCH === '1') return;
    try {
      // Not persistent: a watch alone must never keep the host alive; the stop's own timer does.
      this.#watcher = watch(join(dir, 'cgroup.events'), { persistent: false }, () => this.#fire());
      // The file went away (the cgroup was removed under us) or the watch failed: polling remains.
      this.#watcher.on('error', () => this.close());
    } catch {
      this.#watcher = null;
    }
  }

  /** True while a watch is in place. */
  get watching(): boolean {
    return this.#watcher !== null;
  }

  /**
   * Settles at the next change of cgroup.events (or when closed); null without a watch. Changes
   * are delivered by the event loop, so a caller that read the file and then asks for next()
   * within the same tick cannot miss the change that follows its read.
   */
  next(): Promise<void> | null {
    if (this.#watcher === null) return null;
    this.#next ??= new Promise<void>((resolve) => (this.#resolve = resolve));
    return this.#next;
  }

  #fire(): void {
    const resolve = this.#resolve;
    this.#next = null;
    this.#resolve = null;
    resolve?.();
  }

  /** Removes the watch (its inotify watch descriptor) and releases any waiter; idempotent. */
  close(): void {
    const w = this.#watcher;
    this.#watcher = null;
    w?.close();
    this.#fire();
  }
}
