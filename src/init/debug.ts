// `nursery init --debug-socket PATH`: the init's own /debug/processes on a 0600 unix socket, for
// `nursery ps --socket PATH`. The init holds no Nursery, so it hands the endpoint what it knows:
// its command (the one child, with the tree under it from /proc), the orphans it adopted, and what
// it reaped. Loaded only when the flag is given; the server never keeps the init alive.
import { signalName } from '../os/signals.js';
import { makeDebugHandler } from '../observe/debug/handler.js';
import { type DebugServer, startDebugServer } from '../observe/debug/server.js';
import type { ObserveSource } from '../observe/source.js';
import type { RecentReap } from '../reaper/types.js';
import { emptyHistogram } from '../reaper/scan-timing.js';
import type { NurseryStats } from '../stats.js';
import { ServiceBook } from '../stats-services.js';
import type { ChildInfo } from '../types.js';
import type { ChildStatus } from './status.js';

const RECENT = 20;

export interface InitView {
  command: string;
  args: readonly string[];
  /** 0 until the command runs. */
  mainPid(): number;
  /** False once the command has exited. */
  mainRunning(): boolean;
  startedAt: number;
  reaped(): number;
}

export class InitDebug {
  readonly recent: RecentReap[] = [];
  #t0 = performance.now();
  #server: DebugServer | null = null;

  constructor(private readonly view: InitView) {}

  /** Records a reaped orphan (its name is gone with it: the init reaps before it can look). */
  reaped(pid: number, status: ChildStatus): void {
    const code = status.kind === 'exited' ? status.code : null;
    const signal = status.kind === 'signaled' ? signalName(status.signal) : null;
    const at = Date.now();
    const entry: RecentReap = {
      pid,
      comm: '',
      code,
      signal,
      path: 'immediate',
      latencyMs: 0,
      session: 0,
      leak: false,
      at,
    };
    this.recent.unshift(entry);
    if (this.recent.length > RECENT) this.recent.length = RECENT;
  }

  source(): ObserveSource {
    const v = this.view;
    const list = (): ChildInfo[] => {
      const pid = v.mainPid();
      if (pid === 0 || !v.mainRunning()) return [];
      const uptimeMs = Math.round(performance.now() - this.#t0);
      const info = { pid, pgid: pid, owner: 'init', service: null, mode: 'normal' as const, state: 'running' as const };
      const usage = { containment: 'group' as const, cpuUsec: null, memoryBytes: null };
      return [{ ...info, ...usage, command: v.command, args: [...v.args], startedAt: v.startedAt, uptimeMs }];
    };
    const stats = (): NurseryStats => {
      const running = list().length;
      const reaped = v.reaped();
      const exited = v.mainPid() !== 0 && running === 0 ? 1 : 0;
      const zero = { stopped: 0, killedAfterGrace: 0, processesKilledAfterGrace: 0, timedOut: 0, aborted: 0 };
      const scanSeconds = emptyHistogram();
      const reaper = {
        reaped,
        reapedImmediately: reaped,
        reapedAfterGrace: 0,
        orphansKilled: 0,
        scans: 0,
        scanSeconds,
      };
      const counts = { ...zero, spawned: 1, running, exited, leftoversStopped: 0, spawnFailed: 0, reaped };
      // The init supervises nothing: every state counts 0.
      const services = new ServiceBook().snapshot([]);
      return { ...counts, orphansKilled: 0, owners: {}, reaper, daemons: 0, services };
    };
    return {
      list,
      services: () => [],
      stats,
      daemons: () => [],
      recentReaps: () => this.recent,
      tracked: () => new Set(v.mainPid() === 0 ? [] : [v.mainPid()]),
    };
  }

  async listen(socketPath: string): Promise<void> {
    const handler = makeDebugHandler(this.source());
    this.#server = await startDebugServer(handler, { kind: 'unix', socketPath, socketMode: 0o600 });
  }

  async close(): Promise<void> {
    await this.#server?.close();
    this.#server = null;
  }
}
