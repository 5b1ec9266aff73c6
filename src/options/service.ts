// A service spec (nursery.supervise(), issue 14): the spawn spec's fields, checked by resolveSpec
// at each spawn, plus how to keep it up, checked here once, before anything starts.
import { basename } from 'node:path';
import { invalidOption } from '../errors.js';
import type {
  BackoffSpec,
  CrashLoopSpec,
  HealthSpec,
  LogsSpec,
  RestartPolicy,
  ServiceSpec,
} from '../supervise/types.js';
import { checkAmount, checkDuration, checkObject, checkKeys, checkString } from './check.js';
import { type ResolvedProbe, resolveHealth, resolveProbe } from './probe.js';
import type { PtySpawnSpec, SpawnSpec } from './spawn-spec.js';

export interface ResolvedBackoff {
  initialMs: number;
  factor: number;
  maxMs: number;
  jitter: number;
  resetAfterMs: number;
}

export interface ResolvedService {
  name: string;
  /** What each incarnation is spawned with (its own checks run at spawn). */
  spawn: SpawnSpec | PtySpawnSpec;
  restart: RestartPolicy;
  successCodes: ReadonlySet<number>;
  preventCodes: ReadonlySet<number>;
  backoff: ResolvedBackoff;
  crashLoop: { deaths: number; windowMs: number };
  ready: ResolvedProbe | null;
  health: Required<HealthSpec> | null;
  keepLast: number;
  onLine: LogsSpec['onLine'] | null;
}

const SERVICE_KEYS = [
  'name',
  'restart',
  'successCodes',
  'preventCodes',
  'backoff',
  'crashLoop',
  'ready',
  'health',
  'logs',
];
const BACKOFF_KEYS = new Set(['initialMs', 'factor', 'maxMs', 'jitter', 'resetAfterMs']);
const CRASH_KEYS = new Set(['deaths', 'windowMs']);
const LOGS_KEYS = new Set(['keepLast', 'onLine']);
/** Spawn options a service cannot take: its life is the supervisor's to end. */
const NOT_FOR_SERVICES: Record<string, string> = {
  timeoutMs: 'a service is stopped with service.stop(), not by a timeout',
  signal: 'a service is stopped with service.stop() (or the group), not by an AbortSignal',
  killLeftovers: 'a service always has its leftovers stopped: no incarnation starts beside the last one',
};

export const BACKOFF_DEFAULTS: ResolvedBackoff = {
  initialMs: 100,
  factor: 1.5,
  maxMs: 15_000,
  jitter: 0.1,
  resetAfterMs: 30_000,
};

function checkCodes(value: unknown, name: string, fallback: number[]): Set<number> {
  if (value === undefined) return new Set(fallback);
  if (!Array.isArray(value)) throw invalidOption(name, 'an array of exit codes (integers 0..255)', value);
  return new Set(
    value.map((c: unknown, i) => {
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > 255)
        throw invalidOption(`${name}[${i}]`, 'an exit code (an integer 0..255)', c);
      return c;
    }),
  );
}

function checkRestart(value: unknown): RestartPolicy {
  if (value === undefined) return 'on-failure';
  if (typeof value === 'function') return value as RestartPolicy;
  if (value === 'always' || value === 'on-failure' || value === 'never') return value;
  throw invalidOption('restart', '"always", "on-failure", "never" or a function of the exit', value);
}

function checkBackoff(value: unknown): ResolvedBackoff {
  if (value === undefined) return { ...BACKOFF_DEFAULTS };
  checkObject(value, 'backoff');
  checkKeys(value, BACKOFF_KEYS, 'backoff');
  const b = value as BackoffSpec;
  const d = BACKOFF_DEFAULTS;
  const factor = checkAmount(b.factor, 'backoff.factor', d.factor, 'times');
  if (factor < 1) throw invalidOption('backoff.factor', 'a number >= 1', b.factor);
  const jitter = checkAmount(b.jitter, 'backoff.jitter', d.jitter, 'fraction');
  if (jitter > 1) throw invalidOption('backoff.jitter', 'a fraction between 0 and 1', b.jitter);
  const initialMs = checkDuration(b.initialMs, 'backoff.initialMs', d.initialMs);
  const maxMs = checkDuration(b.maxMs, 'backoff.maxMs', Math.max(d.maxMs, initialMs));
  if (maxMs < initialMs) throw invalidOption('backoff.maxMs', `at least backoff.initialMs (${initialMs})`, b.maxMs);
  return {
    initialMs,
    factor,
    maxMs,
    jitter,
    resetAfterMs: checkDuration(b.resetAfterMs, 'backoff.resetAfterMs', d.resetAfterMs),
  };
}

function checkCrashLoop(value: unknown): ResolvedService['crashLoop'] {
  if (value === undefined) return { deaths: 5, windowMs: 60_000 };
  checkObject(value, 'crashLoop');
  checkKeys(value, CRASH_KEYS, 'crashLoop');
  const c = value as CrashLoopSpec;
  const deaths = checkAmount(c.deaths, 'crashLoop.deaths', 5, 'deaths');
  if (!Number.isInteger(deaths) || deaths < 1) throw invalidOption('crashLoop.deaths', 'an integer >= 1', c.deaths);
  return { deaths, windowMs: checkDuration(c.windowMs, 'crashLoop.windowMs', 60_000) };
}

function checkLogs(value: unknown): { keepLast: number; onLine: LogsSpec['onLine'] | null } {
  if (value === undefined) return { keepLast: 100, onLine: null };
  checkObject(value, 'logs');
  checkKeys(value, LOGS_KEYS, 'logs');
  const l = value as LogsSpec;
  const keepLast = checkAmount(l.keepLast, 'logs.keepLast', 100, 'lines');
  if (!Number.isInteger(keepLast)) throw invalidOption('logs.keepLast', 'an integer >= 0', l.keepLast);
  if (l.onLine !== undefined && typeof l.onLine !== 'function')
    throw invalidOption('logs.onLine', 'a function', l.onLine);
  return { keepLast, onLine: l.onLine ?? null };
}

/** @throws NurseryOptionError for a bad field (the spawn fields are checked again at each spawn). */
export function resolveService(spec: unknown): ResolvedService {
  checkObject(spec, 'spec');
  for (const [key, why] of Object.entries(NOT_FOR_SERVICES))
    if (key in spec && spec[key] !== undefined) throw invalidOption(key, `absent (${why})`, spec[key]);
  const s = spec as ServiceSpec & Record<string, unknown>;
  const command = checkString(s.command, 'command');
  const name = s.name === undefined ? basename(command) : checkString(s.name, 'name');
  const spawn: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) if (!SERVICE_KEYS.includes(k)) spawn[k] = v;
  const ready = s.ready === undefined ? null : resolveProbe(s.ready, 'ready');
  // PM2's protocol needs the channel: asking for it is asking for ipc.
  if (ready !== null && 'ipc' in ready) spawn.ipc = true;
  if (ready !== null && 'notifyFd' in ready) spawn.notifyFd = ready.notifyFd;
  return {
    name,
    spawn: spawn as unknown as SpawnSpec,
    restart: checkRestart(s.restart),
    successCodes: checkCodes(s.successCodes, 'successCodes', [0]),
    preventCodes: checkCodes(s.preventCodes, 'preventCodes', []),
    backoff: checkBackoff(s.backoff),
    crashLoop: checkCrashLoop(s.crashLoop),
    ready,
    health: s.health === undefined ? null : resolveHealth(s.health, 'health'),
    ...checkLogs(s.logs),
  };
}
