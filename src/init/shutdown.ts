// Wait-for-all: once the command has exited, every process still left under the init gets
// SIGTERM (and SIGCONT, so a stopped one can act on it), then as long as the grace allows, and no
// longer than it takes the last one to go; SIGKILL for what is left at the grace limit.
// As PID 1, "everything left" is the whole PID namespace, reached at once by kill(-1), which no
// fork can race. Anywhere else it is the init's descendants, walked in /proc and signalled each
// through its pidfd (docs/design.md, invariant 3); while one of those still runs, its pidfd, not
// a walk, says that something is left.
import type { InitLibc } from '../os/init-libc.js';
import { adoptsOrphans } from '../os/prctl.js';
import { descendantsOf, isDead, scanAll } from '../os/proc.js';
import { type ProcRef, closeRef, isAlive, openRef, signalRef } from '../terminate/identity.js';
import type { InitLog } from './log.js';
import type { InitReaper } from './reap.js';

const SIGTERM = 15;
const SIGKILL = 9;
const SIGCONT = 18;
const MAX_TICK_MS = 20;
/** After SIGKILL, how long to wait for processes stuck in the kernel before giving up on them. */
const AFTER_KILL_MS = 10_000;

export interface ShutdownReport {
  /** Processes that got SIGTERM. */
  termed: number;
  /** Processes still there at the grace limit, sent SIGKILL. */
  killed: number;
  /** Processes still there when the init gave up waiting (stuck in the kernel). */
  stuck: number;
  ms: number;
}

export class Shutdown {
  #hurry = false;
  readonly #refs = new Map<number, ProcRef>();
  readonly #subreaper = adoptsOrphans();

  constructor(
    private readonly c: InitLibc,
    private readonly reaper: InitReaper,
    private readonly pid1: boolean,
    private readonly log: InitLog,
  ) {}

  /** A second request to stop (SIGTERM/SIGINT during shutdown): SIGKILL what is left now. */
  hurry(): void {
    this.#hurry = true;
  }

  #left(): number {
    this.reaper.drain();
    if (this.reaper.noChildren) return 0;
    if (this.pid1) return scanAll().filter((s) => s.pid !== 1 && !isDead(s)).length || 1;
    // As a subreaper, a process we signalled that still runs is still under the init (an orphan
    // comes back to us, it never leaves), so one poll of its pidfd says something is left: no walk.
    // The walk, for what forked since, waits until every one we hold is gone.
    if (this.#subreaper) {
      let held = 0;
      for (const ref of this.#refs.values()) if (isAlive(ref)) held++;
      if (held > 0) return held;
    }
    return descendantsOf(process.pid).length;
  }

  #signalAll(signal: number, fresh: boolean): number {
    if (this.pid1) {
      const n = scanAll().filter((s) => s.pid !== 1 && !isDead(s)).length;
      this.c.kill(-1, signal);
      return n;
    }
    let n = 0;
    for (const s of descendantsOf(process.pid)) {
      if (isDead(s)) continue;
      let ref = this.#refs.get(s.pid);
      if (ref && ref.startTime !== s.startTime) {
        closeRef(ref);
        ref = undefined;
      }
      if (!ref) {
        if (!fresh) continue;
        ref = openRef(s) ?? undefined;
        if (!ref) continue;
        this.#refs.set(s.pid, ref);
      }
      if (signalRef(ref, signal) === 'sent') n++;
    }
    return n;
  }

  async run(graceMs: number): Promise<ShutdownReport> {
    const t0 = performance.now();
    const report: ShutdownReport = { termed: 0, killed: 0, stuck: 0, ms: 0 };
    try {
      if (this.#left() > 0) {
        report.termed = this.#signalAll(SIGTERM, true);
        this.#signalAll(SIGCONT, false);
        this.log.event(`SIGTERM to ${report.termed} process(es) left; waiting up to ${graceMs} ms for them`);
      }
      let tick = 1;
      let killedAt = -1;
      while (this.#left() > 0) {
        const now = performance.now();
        if (killedAt < 0 && (this.#hurry || now - t0 >= graceMs)) {
          killedAt = now;
          report.killed = this.#signalAll(SIGKILL, true);
        } else if (killedAt >= 0) {
          // a fork that raced the first SIGKILL
          this.#signalAll(SIGKILL, true);
          if (now - killedAt >= AFTER_KILL_MS) {
            report.stuck = this.#left();
            break;
          }
        }
        const untilGrace = killedAt < 0 ? Math.max(1, graceMs - (now - t0)) : MAX_TICK_MS;
        await this.reaper.nextDrain(Math.min(tick, untilGrace));
        tick = Math.min(tick * 2, MAX_TICK_MS);
      }
    } finally {
      for (const ref of this.#refs.values()) closeRef(ref);
      this.#refs.clear();
    }
    report.ms = performance.now() - t0;
    return report;
  }
}
