// A service's `ready` probe and `health` check (src/supervise/types.ts), checked once, before any
// process exists, into specs the probe runner can trust: exactly one kind per probe, its value
// well-formed, every default filled in.
import { invalidOption } from '../errors.js';
import type { HealthSpec, ProbeSpec } from '../supervise/types.js';
import { checkDuration, checkKeys, checkObject, checkString } from './check.js';
import { checkNotifyFd } from './spawn.js';

export type ProbeKind = 'notifyFd' | 'ipc' | 'logLine' | 'tcp' | 'http' | 'exec';
/** Every kind, in the order of ProbeSpec. */
export const PROBE_KINDS: readonly ProbeKind[] = ['notifyFd', 'ipc', 'logLine', 'tcp', 'http', 'exec'];
/** The kinds a health check may use: those that can be asked again and again. */
export const HEALTH_KINDS: readonly ProbeKind[] = ['tcp', 'http', 'exec'];

export const DEFAULT_READY_TIMEOUT_MS = 30_000;
export const DEFAULT_HEALTH = { intervalMs: 10_000, timeoutMs: 5000, failures: 3, startPeriodMs: 0 } as const;
// 127.0.0.1, not "localhost": a name would be resolved on each attempt and may come back as ::1
// first while the service listens on IPv4 only (or the reverse), which would look like a service
// that never becomes ready.
export const DEFAULT_TCP_HOST = '127.0.0.1';

/** A ready probe, checked: its timeout filled in (and a tcp probe's host). */
export type ResolvedProbe = ProbeSpec & { timeoutMs: number };

/** A health check, checked: every field present. Its probe has no timeoutMs (the check's is timeoutMs). */
export interface ResolvedHealth extends Required<Omit<HealthSpec, 'probe'>> {
  probe: ProbeSpec;
}

const PROBE_KEYS = new Set<string>([...PROBE_KINDS, 'host', 'timeoutMs']);
const HEALTH_KEYS = new Set(['probe', 'intervalMs', 'timeoutMs', 'failures', 'startPeriodMs']);
const ONE_OF = 'notifyFd, ipc, logLine, tcp, http or exec';

/** A duration that must leave some time: > 0 (a zero timeout would fail every probe at once). */
function checkPositiveDuration(value: unknown, name: string, fallback: number): number {
  const ms = checkDuration(value, name, fallback);
  if (ms === 0) throw invalidOption(name, 'a finite number of milliseconds > 0', value);
  return ms;
}

function checkPort(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535)
    throw invalidOption(name, 'a port number (an integer from 1 to 65535)', value);
  return value;
}

// fetch() would take any scheme and fail on each attempt: refuse a URL it cannot GET now.
function checkUrl(value: unknown, name: string): string {
  const text = checkString(value, name);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidOption(name, 'an absolute http: or https: URL', value);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalidOption(name, 'an absolute http: or https: URL', value);
  return url.href;
}

function checkCommand(value: unknown, name: string): readonly [string, ...string[]] {
  if (!Array.isArray(value) || value.length === 0)
    throw invalidOption(name, 'a non-empty array: the command, then its arguments', value);
  // The command must name something; an argument may be empty, as in a spawn's args.
  const parts = (value as unknown[]).map((part, i) => checkString(part, `${name}[${i}]`, i > 0));
  return Object.freeze(parts as [string, ...string[]]);
}

/** The one kind the probe names. @throws NurseryOptionError for none, or more than one. */
function kindOf(value: Record<string, unknown>, name: string): ProbeKind {
  const kinds = PROBE_KINDS.filter((k) => value[k] !== undefined);
  if (kinds.length === 1) return kinds[0] as ProbeKind;
  const got = kinds.length === 0 ? 'none' : kinds.join(' and ');
  throw invalidOption(name, `an object with exactly one of ${ONE_OF} (got ${got})`, value);
}

// The probe itself, without its timeout: shared by ready and health.
function resolveKind(value: Record<string, unknown>, name: string): ProbeSpec {
  const kind = kindOf(value, name);
  if (value.host !== undefined && kind !== 'tcp')
    throw invalidOption(`${name}.host`, 'given only with tcp', value.host);
  const at = `${name}.${kind}`;
  switch (kind) {
    case 'notifyFd':
      return { notifyFd: checkNotifyFd(value.notifyFd, at) as number };
    case 'ipc':
      return { ipc: checkString(value.ipc, at) };
    case 'logLine':
      if (!(value.logLine instanceof RegExp)) throw invalidOption(at, 'a RegExp', value.logLine);
      return { logLine: value.logLine };
    case 'tcp': {
      const host = value.host === undefined ? DEFAULT_TCP_HOST : checkString(value.host, `${name}.host`);
      return { tcp: checkPort(value.tcp, at), host };
    }
    case 'http':
      return { http: checkUrl(value.http, at) };
    case 'exec':
      return { exec: checkCommand(value.exec, at) };
  }
}

/**
 * A service's `ready` probe: exactly one kind, timeoutMs (> 0) defaulting to 30000.
 * @throws NurseryOptionError (ERR_NURSERY_INVALID_OPTION, ERR_NURSERY_UNKNOWN_OPTION)
 */
export function resolveProbe(value: unknown, name = 'ready'): ResolvedProbe {
  checkObject(value, name);
  checkKeys(value, PROBE_KEYS, name);
  const timeoutMs = checkPositiveDuration(value.timeoutMs, `${name}.timeoutMs`, DEFAULT_READY_TIMEOUT_MS);
  return { ...resolveKind(value, name), timeoutMs };
}

/**
 * A service's `health` check: a tcp, http or exec probe, and intervalMs (> 0, default 10000),
 * timeoutMs (> 0, default 5000), failures (an integer >= 1, default 3), startPeriodMs (default 0).
 * @throws NurseryOptionError (ERR_NURSERY_INVALID_OPTION, ERR_NURSERY_UNKNOWN_OPTION)
 */
export function resolveHealth(value: unknown, name = 'health'): ResolvedHealth {
  checkObject(value, name);
  checkKeys(value, HEALTH_KEYS, name);
  const at = `${name}.probe`;
  if (value.probe === undefined) throw invalidOption(at, `a tcp, http or exec probe`, value.probe);
  checkObject(value.probe, at);
  checkKeys(value.probe, PROBE_KEYS, at);
  // One limit per check, and it is the health spec's: a second one on the probe would contradict it.
  if (value.probe.timeoutMs !== undefined)
    throw invalidOption(`${at}.timeoutMs`, `absent in a health probe (${name}.timeoutMs limits a check)`, value.probe);
  const kind = kindOf(value.probe, at);
  if (!HEALTH_KINDS.includes(kind))
    throw invalidOption(at, `a tcp, http or exec probe (a ${kind} probe answers once, at start)`, value.probe);
  const probe = resolveKind(value.probe, at);
  const failures = value.failures ?? DEFAULT_HEALTH.failures;
  if (typeof failures !== 'number' || !Number.isSafeInteger(failures) || failures < 1)
    throw invalidOption(`${name}.failures`, 'an integer >= 1', value.failures);
  return {
    probe,
    intervalMs: checkPositiveDuration(value.intervalMs, `${name}.intervalMs`, DEFAULT_HEALTH.intervalMs),
    timeoutMs: checkPositiveDuration(value.timeoutMs, `${name}.timeoutMs`, DEFAULT_HEALTH.timeoutMs),
    failures,
    startPeriodMs: checkDuration(value.startPeriodMs, `${name}.startPeriodMs`, DEFAULT_HEALTH.startPeriodMs),
  };
}
