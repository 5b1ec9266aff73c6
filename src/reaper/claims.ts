// Claims on the exit status of processes that are not our children yet but may be adopted by our
// subreaper: daemons we started or attached to. A claimed process is known to be ours, so as a
// zombie it is reaped at once (whatever addons are loaded), its status goes to the claimant, its
// reap is no leak, and no orphan policy is ever asked about it.
import type { DecodedStatus } from './wait-status.js';

interface Claim {
  startTime: number;
  onExit: (status: DecodedStatus) => void;
}

export class Claims {
  #byPid = new Map<number, Claim>();

  /** Returns the release function. */
  add(pid: number, startTime: number, onExit: (status: DecodedStatus) => void): () => void {
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
