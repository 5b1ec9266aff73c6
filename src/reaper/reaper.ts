// The reaper reaps zombies by PID and only by PID (DESIGN invariant 2): never waitpid(-1), never a
// child somebody else waits for. It wakes on SIGCHLD (a JavaScript listener beside libuv's own,
// which still reaps libuv's children) and reads only this process's children lists, so an idle
// reaper costs nothing and a scan costs the same on a host with 50 or 5,000 processes.
//
// The rule for an untracked zombie (not a libuv child seen on diagnostics_channel, not a pty):
// - immediate reap when it is listed under the main thread, was not already our child when the
//   reaper started, and no native addon that may fork is loaded: it can only be an adopted orphan,
//   and nobody else in this process can be waiting for it;
// - otherwise (a worker thread's child, a native addon's, a child from before the reaper started)
//   it is reaped only after it has stayed a zombie for graceMs, far longer than any real waiter
//   takes.
// A PID cannot be reused while it is our zombie, so reaping by PID after reading its state is safe.
import { performance } from 'node:perf_hooks';
import { ECHILD, type Native } from '../os/native.js';
import { childrenByThread, readCmdline, readStat } from '../os/proc.js';
import { warnOnce } from '../os/warn.js';
import { timerDelay } from '../core/timers.js';
import { TrackedSet } from './tracked.js';
import { foreignAddonsLoaded } from './addons.js';
import { decodeWaitStatus, describeStatus } from './wait-status.js';
import { type ResolvedOrphanPolicy, stopOrphan } from './orphans.js';

export interface ReaperConfig {
  graceMs: number;
  /** The safety-net scan, for a SIGCHLD lost to coalescing. */
  safetyIntervalMs: number;
  orphans: ResolvedOrphanPolicy;
  /** Stop time of an orphan's tree before SIGKILL. */
  orphanStopGraceMs: number;
  log: ((line: string) => void) | null;
  /** PIDs that are ours to keep (daemons): never reported as orphans. */
  isDaemon: (pid: number) => boolean;
}

export interface ReaperStats {
  /** Untracked zombies reaped: stays 0 in a healthy program that is not PID 1 or a subreaper. */
  reaped: number;
  reapedImmediately: number;
  reapedAfterGrace: number;
  orphansKilled: number;
  scans: number;
}

export interface ReapEvent {
  pid: number;
  comm: string;
  code: number | null;
  signal: string | null;
  path: 'immediate' | 'grace';
  /** From first sight of the zombie to its reap. */
  latencyMs: number;
}

export class Reaper {
  readonly tracked = new TrackedSet();
  readonly stats: ReaperStats = { reaped: 0, reapedImmediately: 0, reapedAfterGrace: 0, orphansKilled: 0, scans: 0 };
  /** Called after each reap (metrics, tests, benchmarks). */
  onReap: ((event: ReapEvent) => void) | null = null;

  #native: Native;
  #configs: ReaperConfig[] = [];
  #config: ReaperConfig;
  #running = false;
  // After stop(): adopted orphans still running, which only we can reap. The SIGCHLD listener
  // (unreferenced, so the host can still exit) stays until the last of them is reaped.
  #draining: Set<string> | null = null;
  #scheduled = false;
  #graceTimer: NodeJS.Timeout | undefined;
  #safetyTimer: NodeJS.Timeout | undefined;
  #preexisting = new Set<string>();
  #zombieSeen = new Map<string, number>();
  #orphanSeen = new Map<string, number>();
  // Orphans the policy chose to keep: not asked again on every scan.
  #orphanKept = new Set<string>();
  // pid → key of each live orphan already read: while it runs, a PID that is our child cannot
  // name another process, so it needs no new /proc read until it exits or its policy is due.
  #liveKeys = new Map<number, string>();
  #stopping = new Set<number>();
  readonly #onSigchld = (): void => this.#schedule();

  constructor(native: Native) {
    this.#native = native;
    this.#config = merge([]);
  }

  /** Adds one Nursery's wishes; several Nurseries share the process-wide reaper. */
  addConfig(config: ReaperConfig): void {
    this.#configs.push(config);
    this.#config = merge(this.#configs);
  }

  removeConfig(config: ReaperConfig): void {
    const i = this.#configs.indexOf(config);
    if (i >= 0) this.#configs.splice(i, 1);
    this.#config = merge(this.#configs);
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
    this.#zombieSeen.clear();
    this.#orphanSeen.clear();
    this.#orphanKept.clear();
    this.#liveKeys.clear();
    const adopted = this.#adoptedAlive();
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

  // Live children that are ours alone: untracked, under the main thread, adopted after start.
  #adoptedAlive(): Set<string> {
    const out = new Set<string>();
    for (const pid of childrenByThread().get(process.pid) ?? []) {
      if (this.tracked.has(pid)) continue;
      const s = readStat(pid);
      if (!s || s.state === 'Z' || s.state === 'X') continue;
      const key = `${pid}:${s.startTime}`;
      if (!this.#preexisting.has(key)) out.add(key);
    }
    return out;
  }

  // Drain mode: reap only the recorded adoptees, as they die; detach once none is left.
  #drain(): void {
    const keys = this.#draining;
    if (keys === null) return;
    for (const key of [...keys]) {
      const pid = Number(key.slice(0, key.indexOf(':')));
      const s = readStat(pid);
      if (s === null || `${pid}:${s.startTime}` !== key || s.ppid !== process.pid) {
        keys.delete(key);
        continue;
      }
      if (s.state === 'Z') {
        this.#reap(pid, s.comm, 'immediate', 0);
        keys.delete(key);
      }
    }
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
    let reaped = 0;
    let addons: boolean | undefined;
    const hasAddons = (): boolean => (addons ??= foreignAddonsLoaded().length > 0);
    const zombiesNow = new Set<string>();
    const orphansNow = new Set<string>();
    let nextDeadline = Infinity;

    const tracked = this.tracked.pids();
    const policy = this.#config.orphans.decide !== null;
    for (const [tid, pids] of childrenByThread()) {
      for (const pid of pids) {
        if (tracked.has(pid)) continue;
        // A running child needs no /proc read unless an orphan policy still has to look at it.
        if (this.#native.hasExited(pid) === 0) {
          if (!policy) continue;
          const known = this.#liveKeys.get(pid);
          const first = known === undefined ? undefined : this.#orphanSeen.get(known);
          if (known !== undefined && first !== undefined) {
            const due = first + this.#config.orphans.afterMs;
            if (this.#orphanKept.has(known) || now < due) {
              orphansNow.add(known);
              if (now < due) nextDeadline = Math.min(nextDeadline, due);
              continue;
            }
          }
        }
        const s = readStat(pid);
        if (s === null) continue;
        const key = `${pid}:${s.startTime}`;
        const main = tid === process.pid && !this.#preexisting.has(key);
        if (s.state === 'Z') {
          zombiesNow.add(key);
          const first = this.#zombieSeen.get(key) ?? now;
          this.#zombieSeen.set(key, first);
          if (main && !hasAddons()) {
            if (this.#reap(pid, s.comm, 'immediate', now - first)) reaped++;
          } else if (now - first >= this.#config.graceMs) {
            if (this.#reap(pid, s.comm, 'grace', now - first)) reaped++;
          } else {
            nextDeadline = Math.min(nextDeadline, first + this.#config.graceMs);
          }
          continue;
        }
        if (!main || this.#config.orphans.decide === null || this.#stopping.has(pid) || this.#config.isDaemon(pid))
          continue;
        orphansNow.add(key);
        this.#liveKeys.set(pid, key);
        const first = this.#orphanSeen.get(key) ?? now;
        this.#orphanSeen.set(key, first);
        if (now - first < this.#config.orphans.afterMs) {
          nextDeadline = Math.min(nextDeadline, first + this.#config.orphans.afterMs);
          continue;
        }
        if (this.#orphanKept.has(key)) continue;
        const info = {
          pid,
          comm: s.comm,
          cmdline: readCmdline(pid),
          orphanedMs: now - first,
          addonsLoaded: hasAddons(),
        };
        if (this.#decide(info)) this.#killOrphan(pid, s.comm);
        else this.#orphanKept.add(key);
      }
    }
    for (const key of this.#zombieSeen.keys()) if (!zombiesNow.has(key)) this.#zombieSeen.delete(key);
    for (const key of this.#orphanSeen.keys()) if (!orphansNow.has(key)) this.#orphanSeen.delete(key);
    for (const key of this.#orphanKept) if (!orphansNow.has(key)) this.#orphanKept.delete(key);
    for (const [pid, key] of this.#liveKeys) if (!orphansNow.has(key)) this.#liveKeys.delete(pid);
    this.#armGraceTimer(nextDeadline, now);
    return reaped;
  }

  #reap(pid: number, comm: string, path: 'immediate' | 'grace', latencyMs: number): boolean {
    const r = this.#native.waitpidNoHang(pid);
    if (r.pid <= 0) {
      // 0: not a zombie after all; ECHILD: its waiter took it first. Both are quiet no-ops.
      if (r.pid !== 0 && r.pid !== -ECHILD)
        warnOnce('NURSERY_WAITPID', `nursery: waitpid(${pid}) failed with errno ${-r.pid}`);
      return false;
    }
    const status = decodeWaitStatus(r.status);
    this.#liveKeys.delete(pid);
    this.stats.reaped++;
    if (path === 'immediate') this.stats.reapedImmediately++;
    else this.stats.reapedAfterGrace++;
    this.#say(`nursery: reaped untracked zombie pid=${pid} comm=${comm} ${describeStatus(status)} (${path})`);
    const onReap = this.onReap;
    if (onReap)
      guarded(() => onReap({ pid, comm, code: status.code, signal: status.signal, path, latencyMs }), 'onReap');
    return true;
  }

  #say(line: string): void {
    const log = this.#config.log;
    if (log) guarded(() => log(line), 'log');
  }

  // The policy is user code: if it throws, the orphan is kept and the host goes on.
  #decide(info: Parameters<NonNullable<ReaperConfig['orphans']['decide']>>[0]): boolean {
    try {
      return this.#config.orphans.decide?.(info) === true;
    } catch (error) {
      warnOnce(
        'NURSERY_ORPHAN_POLICY_THREW',
        `nursery: the orphans policy threw (${String(error)}); orphans it is asked about are kept.`,
      );
      return false;
    }
  }

  #killOrphan(pid: number, comm: string): void {
    this.#stopping.add(pid);
    this.stats.orphansKilled++;
    this.#say(`nursery: stopping orphan pid=${pid} comm=${comm}`);
    void stopOrphan(pid, this.#config.orphanStopGraceMs)
      .catch(() => false)
      .finally(() => {
        this.#stopping.delete(pid);
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

// Several Nurseries may share the reaper: the most careful grace for zombies of unknown origin
// wins, an orphan is stopped if any policy says so, and every log hears every reap.
function merge(configs: readonly ReaperConfig[]): ReaperConfig {
  if (configs.length === 1 && configs[0]) return configs[0];
  const policies = configs.filter((c) => c.orphans.decide !== null);
  const logs = [...new Set(configs.map((c) => c.log).filter((l): l is (line: string) => void => l !== null))];
  return {
    graceMs: Math.max(0, ...configs.map((c) => c.graceMs)),
    safetyIntervalMs: Math.min(60_000, ...configs.map((c) => c.safetyIntervalMs)),
    orphans: {
      decide: policies.length === 0 ? null : (info) => policies.some((c) => c.orphans.decide?.(info) === true),
      afterMs: Math.min(Infinity, ...policies.map((c) => c.orphans.afterMs)),
    },
    orphanStopGraceMs: Math.min(Infinity, ...configs.map((c) => c.orphanStopGraceMs)),
    log: logs.length === 0 ? null : (line) => logs.forEach((l) => l(line)),
    isDaemon: (pid) => configs.some((c) => c.isDaemon(pid)),
  };
}

// User callbacks (log, onReap) run inside a scan: one that throws must not stop the scan or
// reach the host as an uncaught exception.
function guarded(fn: () => void, what: string): void {
  try {
    fn();
  } catch (error) {
    warnOnce(
      `NURSERY_${what.toUpperCase()}_THREW`,
      `nursery: the reaper's ${what} callback threw (${String(error)}); ignored.`,
    );
  }
}
