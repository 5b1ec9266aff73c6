// The reaper reaps zombies by PID and only by PID (docs/design.md, invariant 2): never
// waitpid(-1), never a child somebody else waits for. It wakes on SIGCHLD (a JavaScript listener
// beside libuv's own, which still reaps libuv's children) and reads only this process's children
// lists, so an idle reaper costs nothing and a scan costs the same on a host with 50 or 5,000
// processes. Which zombie is reaped when: src/reaper/zombies.ts. What happens to live orphans:
// src/reaper/orphan-watch.ts and the orphan policy.
import { performance } from 'node:perf_hooks';
import { childrenByThread, readCmdline, readStat } from '../os/proc.js';
import { hasExited } from '../os/wait.js';
import { stopOrphan } from '../terminate/orphan.js';
import { timerDelay } from '../util/timers.js';
import { foreignAddonsLoaded } from './addons.js';
import { type ReaperConfig, mergeConfigs } from './config.js';
import { OrphanWatch } from './orphan-watch.js';
import { TrackedSet } from './tracked.js';
import type { DecodedStatus } from './wait-status.js';
import type { ReapEvent, ReapPath, ReaperStats } from './types.js';
import { ReapLog } from './reap-log.js';
import { emptyHistogram, observe } from './scan-timing.js';
import { ZombieWatch, reapZombie } from './zombies.js';
import { Claims } from './claims.js';
import { askPolicy, guarded } from './callbacks.js';
import { adoptedAlive, drainStep } from './drain.js';

export type { ReapEvent, ReaperConfig, ReaperStats };

export class Reaper {
  readonly tracked = new TrackedSet();
  readonly stats: ReaperStats = {
    reaped: 0,
    reapedImmediately: 0,
    reapedAfterGrace: 0,
    orphansKilled: 0,
    scans: 0,
    scanSeconds: emptyHistogram(),
  };
  /** The last reaps (newest first), their log line, logger event and channel message. */
  readonly log = new ReapLog();
  /** Called after each reap (metrics, tests, benchmarks). */
  onReap: ((event: ReapEvent) => void) | null = null;

  #configs: ReaperConfig[] = [];
  #config: ReaperConfig;
  #running = false;
  // After stop(): adopted orphans still running, which only we can reap. The SIGCHLD listener
  // (unreferenced, so the host can still exit) stays until the last of them is reaped.
  #draining: Set<string> | null = null;
  #scheduled = false;
  #graceTimer: NodeJS.Timeout | undefined;
  #safetyTimer: NodeJS.Timeout | undefined;
  // Children alive when the reaper started may belong to anything (libuv from before we
  // subscribed, an addon): as zombies they only ever take the grace path.
  #preexisting = new Set<string>();
  #claims = new Claims();
  #zombies = new ZombieWatch();
  #orphans = new OrphanWatch();
  readonly #onSigchld = (): void => this.#schedule();

  constructor() {
    this.#config = mergeConfigs([]);
  }

  /** Adds one Nursery's wishes; several Nurseries share the process-wide reaper. */
  addConfig(config: ReaperConfig): void {
    this.#configs.push(config);
    this.#config = mergeConfigs(this.#configs);
  }

  removeConfig(config: ReaperConfig): void {
    const i = this.#configs.indexOf(config);
    if (i >= 0) this.#configs.splice(i, 1);
    this.#config = mergeConfigs(this.#configs);
  }

  /**
   * Claims the exit status of a process that is not our child yet but may be adopted by us (a
   * daemon): if the reaper reaps it, `onExit` gets its status. Returns the release function.
   */
  claim(pid: number, startTime: number, onExit?: (status: DecodedStatus) => void): () => void {
    return this.#claims.add(pid, startTime, onExit);
  }

  get running(): boolean {
    return this.#running;
  }

  start(): void {
    if (this.#running) return;
    const wasDraining = this.#draining !== null;
    this.#draining = null;
    this.#running = true;
    this.tracked.subscribe();
    // Children alive now may belong to anything (libuv from before we subscribed, an addon):
    // they only ever take the grace path.
    for (const pids of childrenByThread().values())
      for (const pid of pids) {
        const s = readStat(pid);
        if (s) this.#preexisting.add(`${pid}:${s.startTime}`);
      }
    if (!wasDraining) process.on('SIGCHLD', this.#onSigchld);
    clearInterval(this.#safetyTimer);
    this.#safetyTimer = setInterval(() => this.#schedule(), timerDelay(this.#config.safetyIntervalMs));
    this.#safetyTimer.unref();
    this.#schedule();
  }

  stop(): void {
    if (!this.#running) return;
    this.scan();
    this.#running = false;
    clearTimeout(this.#graceTimer);
    this.#zombies.clear();
    this.#orphans.clear();
    const adopted = adoptedAlive(this.tracked, this.#preexisting);
    if (adopted.size > 0) {
      this.#draining = adopted;
      return;
    }
    this.#detach();
  }

  #detach(): void {
    this.#draining = null;
    process.removeListener('SIGCHLD', this.#onSigchld);
    clearInterval(this.#safetyTimer);
    this.#safetyTimer = undefined;
    this.tracked.unsubscribe();
  }

  /** True while stopped but still waiting to reap orphans adopted before the stop. */
  get draining(): boolean {
    return this.#draining !== null;
  }

  // Drain mode: reap only the recorded adoptees, as they die; detach once none is left.
  #drain(): void {
    const keys = this.#draining;
    if (keys === null) return;
    drainStep(keys, (pid, comm, session) => this.#reap({ pid, comm, session, path: 'immediate', latencyMs: 0 }));
    if (keys.size === 0) this.#detach();
  }

  // SIGCHLDs arrive in bursts; one scan per turn of the event loop answers all of them.
  #schedule(): void {
    if (this.#scheduled || (!this.#running && this.#draining === null)) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (this.#running) this.scan();
      else this.#drain();
    });
  }

  /** One pass over this process's children. Returns how many zombies it reaped. */
  scan(): number {
    this.stats.scans++;
    this.tracked.prune();
    const now = performance.now();
    const { graceMs, orphans } = this.#config;
    let addons: boolean | undefined;
    const hasAddons = (): boolean => (addons ??= foreignAddonsLoaded().length > 0);
    const tracked = this.tracked.pids();
    let reaped = 0;
    let next = Infinity;
    this.#zombies.begin();
    this.#orphans.begin();
    for (const [tid, pids] of childrenByThread()) {
      for (const pid of pids) {
        if (tracked.has(pid)) continue;
        // A running child needs no /proc read unless an orphan policy still has to look at it.
        if (hasExited(pid) === 0) {
          if (orphans.decide === null) continue;
          const again = this.#orphans.recheckAt(pid, now, orphans.afterMs);
          if (again !== undefined) {
            next = Math.min(next, again);
            continue;
          }
        }
        const s = readStat(pid);
        if (s === null) continue;
        const key = `${pid}:${s.startTime}`;
        const onMain = tid === process.pid;
        const adopted = onMain && !this.#preexisting.has(key);
        const claimed = this.#claims.has(pid, s.startTime);
        const facts = { pid, comm: s.comm, session: s.session };
        if (s.state === 'Z' && claimed && onMain) {
          this.#reap({ ...facts, path: 'immediate', latencyMs: 0 });
          continue;
        }
        if (s.state === 'Z') {
          const v = this.#zombies.judge(key, { onMain, adopted, addons: hasAddons }, now, graceMs);
          if ('until' in v) next = Math.min(next, v.until);
          else if (this.#reap({ ...facts, path: v.reap, latencyMs: v.latencyMs })) reaped++;
          continue;
        }
        if (!adopted || orphans.decide === null || claimed) continue;
        const o = this.#orphans.observe(pid, key, now, orphans.afterMs);
        if ('until' in o) {
          next = Math.min(next, o.until);
          continue;
        }
        const info = { pid, comm: s.comm, cmdline: readCmdline(pid), orphanedMs: o.ask, addonsLoaded: hasAddons() };
        if (askPolicy(orphans.decide, info)) this.#stopOrphan(info, s.startTime);
        else this.#orphans.keep(key);
      }
    }
    this.#zombies.end();
    this.#orphans.end();
    this.#armGraceTimer(next, now);
    observe(this.stats.scanSeconds, (performance.now() - now) / 1000);
    return reaped;
  }

  #reap(facts: { pid: number; comm: string; session: number; path: ReapPath; latencyMs: number }): boolean {
    const { pid, comm, path, latencyMs } = facts;
    const status = reapZombie(pid);
    if (status === null) return false;
    this.#orphans.forget(pid);
    const onExit = this.#claims.take(pid)?.onExit;
    if (onExit) {
      guarded(() => onExit(status), 'onReap');
      return true;
    }
    this.stats.reaped++;
    if (path === 'immediate') this.stats.reapedImmediately++;
    else this.stats.reapedAfterGrace++;
    this.log.reaped(facts, status, this.#config.log, this.#config.logger);
    const onReap = this.onReap;
    if (onReap)
      guarded(() => onReap({ pid, comm, code: status.code, signal: status.signal, path, latencyMs }), 'onReap');
    return true;
  }

  #stopOrphan(info: { pid: number; comm: string; cmdline: string; orphanedMs: number }, startTime: number): void {
    const { pid } = info;
    this.#orphans.stopping(pid, true);
    this.stats.orphansKilled++;
    this.log.orphanStopping(info, this.#config.log, this.#config.logger);
    const { orphanStopGraceMs, orphanStopSignal } = this.#config;
    void stopOrphan(pid, startTime, orphanStopGraceMs, orphanStopSignal)
      .catch(() => null)
      .finally(() => {
        this.#orphans.stopping(pid, false);
        this.#schedule();
      });
  }

  #armGraceTimer(deadline: number, now: number): void {
    clearTimeout(this.#graceTimer);
    this.#graceTimer = undefined;
    if (deadline === Infinity || !this.#running) return;
    this.#graceTimer = setTimeout(() => this.#schedule(), timerDelay(deadline - now + 1));
    this.#graceTimer.unref();
  }
}
