// The init's reaper. The init is the only spawner in its process, so it may wait for any child:
// on every SIGCHLD (and on a slow safety tick, in case one was merged away) it collects every
// child that changed state, until the kernel says none is left to collect.
import type { InitLibc } from '../os/init-libc.js';
import { type ChildStatus, decodeStatus } from './status.js';

const ECHILD = 10;
const EINTR = 4;

export interface ReapEvents {
  /** The main child exited, died, stopped or continued. */
  main(status: ChildStatus): void;
  /** Any other child (an adopted orphan) was reaped. */
  orphan(pid: number, status: ChildStatus): void;
}

export class InitReaper {
  #mainPid = 0;
  #reaped = 0;
  #noChildren = false;
  #wakers: (() => void)[] = [];

  constructor(
    private readonly c: InitLibc,
    private readonly events: ReapEvents,
  ) {}

  set mainPid(pid: number) {
    this.#mainPid = pid;
  }

  /** Orphans reaped so far. */
  get reaped(): number {
    return this.#reaped;
  }

  /** True once waitpid said ECHILD: the init has no child at all. */
  get noChildren(): boolean {
    return this.#noChildren;
  }

  drain(): void {
    for (;;) {
      const { pid, status } = this.c.waitAny();
      if (pid === -EINTR) continue;
      this.#noChildren = pid === -ECHILD;
      if (pid <= 0) break;
      const decoded = decodeStatus(status);
      if (pid === this.#mainPid) this.events.main(decoded);
      else if (decoded.kind === 'exited' || decoded.kind === 'signaled') {
        this.#reaped++;
        this.events.orphan(pid, decoded);
      }
    }
    const wakers = this.#wakers;
    this.#wakers = [];
    for (const wake of wakers) wake();
  }

  /** Resolves at the next drain, or after `ms`, whichever comes first. */
  nextDrain(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wakers.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
