// The diagnostics channels nursery publishes on (node:diagnostics_channel), so that tracers and APM
// agents can follow children without nursery knowing them. A publish costs one boolean check when
// nobody subscribes. The payloads are documented in docs/observe.md; they only ever gain fields.
// A leaf: it imports nothing of nursery's but leaf types, so the reaper and the Nursery both publish here.
import { channel } from 'node:diagnostics_channel';
import type { ChildMode, ExitInfo } from './types.js';
import type { ServiceEvent } from './supervise/types.js';

export const CHANNELS = {
  spawn: 'nursery:spawn',
  exit: 'nursery:exit',
  stop: 'nursery:stop',
  reap: 'nursery:reap',
  orphan: 'nursery:orphan',
  service: 'nursery:service',
} as const;

/** `nursery:spawn`: a child has started (published before spawn() returns). */
export interface SpawnMessage {
  pid: number;
  pgid: number;
  owner: string;
  mode: ChildMode;
  command: string;
  /** As given: subscribers that ship them elsewhere should redact (see redactArgv). */
  args: readonly string[];
  startedAt: number;
}

/** `nursery:exit`: a child has exited, been reaped, and what was left of its tree is gone. */
export interface ExitMessage extends ExitInfo {
  pid: number;
  owner: string;
  mode: ChildMode;
}

/** `nursery:stop`: a tree stop has ended (stop(), a timeout, an abort, or leftovers after an exit). */
export interface StopMessage {
  pid: number;
  owner: string;
  reason: 'stop' | 'timeout' | 'abort' | 'leftovers';
  /** Processes signalled. */
  signalled: number;
  /** Processes that needed SIGKILL after the grace period. */
  killedAfterGrace: number;
  /** Processes still there at the end (stuck in D state, or not ours to kill); -1 when the stop failed. */
  survivors: number;
  /** /proc could not be read (out of file descriptors?): the stop could not make sure all is gone. */
  unverified: boolean;
  durationMs: number;
}

type StopReportLike = Pick<StopMessage, 'signalled' | 'killedAfterGrace' | 'survivors' | 'unverified' | 'durationMs'>;

/** `nursery:reap`: the reaper reaped an untracked zombie. */
export interface ReapMessage {
  pid: number;
  comm: string;
  code: number | null;
  signal: string | null;
  path: 'immediate' | 'grace';
  latencyMs: number;
  /** The zombie's session ID: for a process of one of our trees, the PID of the child leading it. */
  session: number;
  /** True when this process is neither PID 1 nor a subreaper: the zombie was our own, leaked, child. */
  leak: boolean;
  /** Epoch milliseconds. */
  at: number;
}

/** `nursery:orphan`: the orphans policy decided to stop an adopted orphan. */
export interface OrphanMessage {
  pid: number;
  comm: string;
  cmdline: string;
  action: 'stop';
  orphanedMs: number;
}

/**
 * `nursery:service`: a supervised service's event (spawn, ready, healthy, unready, exit, backoff,
 * fatal, stopped), the very object its listeners get.
 */
export type ServiceMessage = ServiceEvent;

const spawnChannel = channel(CHANNELS.spawn);
const exitChannel = channel(CHANNELS.exit);
const stopChannel = channel(CHANNELS.stop);
const reapChannel = channel(CHANNELS.reap);
const orphanChannel = channel(CHANNELS.orphan);
const serviceChannel = channel(CHANNELS.service);

/** What the channels read of a Handle (structural: this file imports no class of nursery's). */
export interface ChildFacts {
  readonly pid: number;
  readonly pgid: number;
  readonly owner: string;
  readonly mode: ChildMode;
  readonly command: string;
  readonly args: readonly string[];
  readonly startedAt: number;
}

// Each message is built only when someone listens: without subscribers the spawn path is as it was.
export function publishSpawn(c: ChildFacts): void {
  if (!spawnChannel.hasSubscribers) return;
  const m: SpawnMessage = {
    pid: c.pid,
    pgid: c.pgid,
    owner: c.owner,
    mode: c.mode,
    command: c.command,
    args: c.args,
    startedAt: c.startedAt,
  };
  spawnChannel.publish(m);
}

export function publishExit(c: ChildFacts, info: ExitInfo): void {
  if (exitChannel.hasSubscribers) exitChannel.publish({ pid: c.pid, owner: c.owner, mode: c.mode, ...info });
}

export function publishStop(c: ChildFacts, reason: StopMessage['reason'], report: StopReportLike): void {
  if (!stopChannel.hasSubscribers) return;
  const { signalled, killedAfterGrace, survivors, unverified, durationMs } = report;
  const m: StopMessage = {
    pid: c.pid,
    owner: c.owner,
    reason,
    signalled,
    killedAfterGrace,
    survivors,
    unverified,
    durationMs,
  };
  stopChannel.publish(m);
}

export function publishReap(message: ReapMessage): void {
  if (reapChannel.hasSubscribers) reapChannel.publish(message);
}

export function publishOrphan(message: OrphanMessage): void {
  if (orphanChannel.hasSubscribers) orphanChannel.publish(message);
}

export function publishService(event: ServiceMessage): void {
  if (serviceChannel.hasSubscribers) serviceChannel.publish(event);
}
