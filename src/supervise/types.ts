// Supervision's types (issue 14): what a caller may ask of a service, the events it sees, and the
// two seams (clock, probe runner) that tests replace. A leaf file: it imports only types, so the
// state machine, the probes, the group and `nursery up` can all name these without importing one
// another.
import type { Readable } from 'node:stream';
import type { PtySpawnSpec, SpawnSpec } from '../options/spawn-spec.js';
import type { ExitInfo } from '../types.js';
import type { StopOptions } from '../options/stop.js';
import type { SignalLike } from '../os/signals.js';

/** One line of a service's output (without its newline). */
export interface LogLine {
  stream: 'stdout' | 'stderr';
  line: string;
  /** Which incarnation wrote it (1 for the first spawn). */
  incarnation: number;
}

/** Whether an exit is followed by a restart: a keyword, or a function of the exit (true restarts). */
export type RestartPolicy = 'always' | 'on-failure' | 'never' | ((exit: ServiceExit) => boolean);

export interface BackoffSpec {
  /** First delay after a death. Default 100 (systemd's RestartSec=100ms). */
  initialMs?: number;
  /** Each later delay is the previous one times this. Default 1.5 (PM2's exponential backoff). */
  factor?: number;
  /** Ceiling of the delay. Default 15000 (PM2's). */
  maxMs?: number;
  /** Random spread, a fraction of the delay: 0.1 picks uniformly in ±10 %. Default 0.1. */
  jitter?: number;
  /**
   * Once an incarnation has been ready (or running without a ready probe) this long, delays start
   * over. Default 30000.
   */
  resetAfterMs?: number;
}

export interface CrashLoopSpec {
  /** This many deaths within windowMs make the service 'fatal'. Default 5. */
  deaths?: number;
  /** Default 60000. */
  windowMs?: number;
}

interface ProbeTimeout {
  /** For `ready`: how long the service has to become ready (default 30000); a timeout is a failed start. */
  timeoutMs?: number;
}

/** How a service says it is ready (or, for `health`, how it is checked). */
export type ProbeSpec =
  /** s6's notification-fd protocol: the child writes a newline to fd N (ready only). */
  | ({ notifyFd: number } & ProbeTimeout)
  /** PM2's: the child calls process.send(message) (ready only; sets ipc: true). */
  | ({ ipc: string } & ProbeTimeout)
  /** A line of stdout or stderr matches (ready only). */
  | ({ logLine: RegExp } & ProbeTimeout)
  /** A TCP connect to the port (on 127.0.0.1 unless host is given) succeeds. */
  | ({ tcp: number; host?: string } & ProbeTimeout)
  /** A GET of the URL answers 2xx or 3xx. */
  | ({ http: string } & ProbeTimeout)
  /** The command exits 0. */
  | ({ exec: readonly [string, ...string[]] } & ProbeTimeout);

export interface HealthSpec {
  /** tcp, http or exec. */
  probe: ProbeSpec;
  /** Between the end of one check and the start of the next. Default 10000. */
  intervalMs?: number;
  /** One check's limit. Default 5000. */
  timeoutMs?: number;
  /** This many failed checks in a row restart the service (one failure makes it 'unready'). Default 3. */
  failures?: number;
  /** No check before this long after the service is ready. Default 0. */
  startPeriodMs?: number;
}

export interface LogsSpec {
  /** Lines kept per incarnation (the last ones ride on the exit event). Default 100. */
  keepLast?: number;
  /** Called for every line of stdout and stderr, in order, none lost. */
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
}

interface SupervisionFields {
  /** The service's name, in errors, events, list() and metrics. Default: the command's basename. */
  name?: string;
  /** Default 'on-failure'. */
  restart?: RestartPolicy;
  /** Exit codes that count as success (for 'on-failure' and the crash tally). Default [0]. */
  successCodes?: readonly number[];
  /** Exit codes after which the service is never restarted, whatever `restart` says. Default []. */
  preventCodes?: readonly number[];
  backoff?: BackoffSpec;
  crashLoop?: CrashLoopSpec;
  ready?: ProbeSpec;
  health?: HealthSpec;
  logs?: LogsSpec;
}

/** What nursery.supervise() takes: a spawn spec (normal or PTY mode) and how to keep it up. */
export type ServiceSpec =
  | (Omit<SpawnSpec, 'timeoutMs' | 'signal'> & SupervisionFields)
  | (Omit<PtySpawnSpec, 'timeoutMs' | 'signal'> & SupervisionFields);

export type ServiceState =
  'starting' | 'running' | 'ready' | 'unready' | 'backoff' | 'stopping' | 'exited' | 'fatal' | 'stopped';

/** Why an incarnation ended. */
export type EndReason =
  /** It exited by itself. */
  | 'exit'
  /** It did not become ready within ready.timeoutMs: stopped, counted as a failure. */
  | 'ready-timeout'
  /** health.failures checks failed in a row: stopped, counted as a failure. */
  | 'health'
  /** The spawn itself failed (ENOENT, EACCES...): `error` says why. */
  | 'spawn-failed'
  /** service.restart() asked for it. */
  | 'restart'
  /** service.stop() (or the group's, or dispose). */
  | 'stop';

/** One incarnation's end. */
export interface ServiceExit extends ExitInfo {
  service: string;
  incarnation: number;
  /** 0 when the spawn failed. */
  pid: number;
  reason: EndReason;
  /** The exit counts as a failure (not a success code, or a failed start or health). */
  failed: boolean;
  /** The spawn error, for 'spawn-failed'. */
  error?: Error;
  /** The last logs.keepLast lines of this incarnation, read to EOF before this exit was reported. */
  lastLines: LogLine[];
  /** Epoch ms. */
  at: number;
}

export type ServiceEvent =
  | { type: 'spawn'; service: string; incarnation: number; pid: number; at: number }
  | { type: 'ready'; service: string; incarnation: number; pid: number; at: number }
  /** The first passing health check of an incarnation (or the first after an 'unready'). */
  | { type: 'healthy'; service: string; incarnation: number; pid: number; at: number }
  | { type: 'unready'; service: string; incarnation: number; pid: number; reason: string; at: number }
  | { type: 'exit'; service: string; exit: ServiceExit; at: number }
  | { type: 'backoff'; service: string; delayMs: number; restarts: number; at: number }
  | { type: 'fatal'; service: string; reason: string; history: ServiceExit[]; at: number }
  | { type: 'stopped'; service: string; at: number };

/** Time, for the state machine: real by default, replaced by tests to run it exactly, without sleeps. */
export interface Clock {
  now(): number;
  /** Calls fn after ms; returns the cancel. */
  setTimeout(fn: () => void, ms: number): () => void;
}

/** What a probe can see of the incarnation it checks. */
export interface ProbeContext {
  service: string;
  pid: number;
  /** Aborted when the probe's time is up or the incarnation ends: a probe stops and rejects then. */
  signal: AbortSignal;
  /** Subscribes to the incarnation's output lines; returns the unsubscribe. */
  onLine(listener: (line: LogLine) => void): () => void;
  /** The read end of the notification fd (ready: { notifyFd }), else null. */
  notify: Readable | null;
  /** Subscribes to IPC messages (ipc: true), else null. */
  onMessage: ((listener: (message: unknown) => void) => () => void) | null;
  /** Runs a command to completion under the service's nursery (tree-safe); resolves to its exit code (null: signal). */
  exec(command: string, args: readonly string[], signal: AbortSignal): Promise<number | null>;
}

/**
 * Runs probes. `ready` resolves once the incarnation is ready (retrying tcp, http and exec until
 * then) and rejects when ctx.signal aborts; `check` is one health check: resolves healthy, rejects
 * not. The Service applies the timeouts (with its clock) by aborting ctx.signal.
 */
export interface ProbeRunner {
  ready(spec: ProbeSpec, ctx: ProbeContext): Promise<void>;
  check(spec: ProbeSpec, ctx: ProbeContext): Promise<void>;
}

/** Test seams of nursery.supervise(): a clock, a probe runner, a random source for the jitter. */
export interface SuperviseHooks {
  clock?: Clock;
  probes?: ProbeRunner;
  random?: () => number;
}

/** One service, as list() and the debug page show it. */
export interface ServiceInfo {
  name: string;
  state: ServiceState;
  pid: number | null;
  restarts: number;
  incarnation: number;
  lastExit: ServiceExit | null;
  /** In 'backoff': the delay before the next incarnation, else null. */
  backoffMs: number | null;
  /** In 'backoff': when the next incarnation starts (epoch ms, the service's clock), else null. */
  nextStartAt: number | null;
}

/** What a Service offers (src/supervise/service.ts); the group and `nursery up` depend on this only. */
export interface ServiceLike extends AsyncDisposable {
  readonly name: string;
  readonly state: ServiceState;
  readonly pid: number | null;
  readonly restarts: number;
  readonly lastExit: ServiceExit | null;
  /**
   * Resolves at the first readiness (spawned, for a service without `ready`); rejects if it goes
   * fatal or is stopped first.
   */
  readonly ready: Promise<void>;
  /** Calls listener with every event from now on, synchronously; returns the unsubscribe. */
  on(listener: (event: ServiceEvent) => void): () => void;
  /** The events from now on, as an async iterator; it ends after 'stopped' or 'fatal'. */
  events(): AsyncIterableIterator<ServiceEvent>;
  /** Stops the current incarnation (whole tree) and restarts no more; resolves when nothing is left. */
  stop(options?: StopOptions): Promise<void>;
  /** Ends the current incarnation (whole tree) and starts the next at once, without backoff. */
  restart(): Promise<void>;
  /** One signal to the current incarnation's process alone; false when there is none. */
  signal(signal: SignalLike): boolean;
  info(): ServiceInfo;
}

/** What must hold of a dependency before a service of a group starts. */
export type DependencyCondition = 'started' | 'ready' | 'healthy' | 'completed';

/** One entry of nursery.group(): a service spec and what it waits for. */
export type GroupMemberSpec = ServiceSpec & { dependsOn?: Readonly<Record<string, DependencyCondition>> };
