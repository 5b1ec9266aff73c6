// --kill-orphans: a process the kernel hands to the init (its parent died) while the command
// runs gets SIGTERM when the init first sees it, and SIGKILL if it is still there after the
// grace. Without the flag, orphans run on and are reaped when they exit (reap.ts).
import { childrenOf, readStat } from '../os/proc.js';
import { type ProcRef, closeRef, isAlive, openRef, signalRef } from '../terminate/identity.js';
import type { InitLog } from './log.js';

const SCAN_MS = 250;
const SIGTERM = 15;
const SIGCONT = 18;
const SIGKILL = 9;

interface Seen {
  ref: ProcRef;
  since: number;
  killed: boolean;
}

export class OrphanKiller {
  readonly #seen = new Map<number, Seen>();
  #timer: NodeJS.Timeout | null = null;
  stopped = 0;

  constructor(
    private readonly mainPid: () => number,
    private readonly graceMs: number,
    private readonly log: InitLog,
  ) {}

  start(): void {
    this.#timer = setInterval(() => this.scan(), SCAN_MS);
    this.#timer.unref();
  }

  scan(): void {
    const now = performance.now();
    for (const pid of childrenOf(process.pid)) {
      if (pid === this.mainPid() || this.#seen.has(pid)) continue;
      const s = readStat(pid);
      const ref = s ? openRef(s) : null;
      if (!ref) continue;
      this.#seen.set(pid, { ref, since: now, killed: false });
      this.stopped++;
      this.log.event(`orphan ${pid} (${ref.comm}) adopted: SIGTERM (--kill-orphans)`);
      signalRef(ref, SIGTERM);
      signalRef(ref, SIGCONT);
    }
    for (const [pid, seen] of this.#seen) {
      if (!isAlive(seen.ref)) {
        closeRef(seen.ref);
        this.#seen.delete(pid);
      } else if (!seen.killed && now - seen.since >= this.graceMs) {
        seen.killed = true;
        this.log.warn(`orphan ${pid} (${seen.ref.comm}) ignored SIGTERM for ${this.graceMs} ms: SIGKILL`);
        signalRef(seen.ref, SIGKILL);
      }
    }
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    for (const seen of this.#seen.values()) closeRef(seen.ref);
    this.#seen.clear();
  }
}
