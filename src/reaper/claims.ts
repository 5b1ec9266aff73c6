// Claims on processes that are not our children yet but may be adopted by our subreaper, and are
// known to be ours: daemons we started or attached to, and the members of a tree being stopped. A
// claimed process is reaped at once as a zombie (whatever addons are loaded: no other waiter can be
// waiting for it), and no orphan policy is ever asked about it. With `onExit` (a daemon), its
// status goes to the claimant and its reap is no leak; without (a stopped tree's member), it is
// counted and logged as any adopted orphan is.
import type { DecodedStatus } from './wait-status.js';

interface Claim {
  startTime: number;
  onExit: ((status: DecodedStatus) => void) | undefined;
}

export class Claims {
  #byPid = new Map<number, Claim>();

  /** Returns the release function. */
  add(pid: number, startTime: number, onExit?: (status: DecodedStatus) => void): () => void {
    const claim = { startTime, onExit };
    this.#byPid.set(pid, claim);
    return () => {
      if (this.#byPid.get(pid) === claim) this.#byPid.delete(pid);
    };
  }

  /** True when `pid` with this start time is claimed. */
  has(pid: number, startTime: number): boolean {
    return this.#byPid.get(pid)?.startTime === startTime;
  }

  /** The claim on a PID just reaped (removed), if any. */
  take(pid: number): Claim | undefined {
    const claim = this.#byPid.get(pid);
    this.#byPid.delete(pid);
    return claim;
  }
}
