// The daemon spec: what `nursery.spawn({ mode: 'daemon', ... })` takes, checked once.
import { isAbsolute, resolve } from 'node:path';
import { checkArgs, checkEnv, type Defaults } from './spawn.js';
import type { SignalLike } from '../os/signals.js';
import { checkBoolean, checkDuration, checkKeys, checkObject, checkSignal, checkString } from './check.js';
import { invalidOption } from '../errors.js';

/** A daemon: started by a launcher that exits, so it outlives this process; see docs/daemons.md. */
export interface DaemonSpec {
  mode: 'daemon';
  command: string;
  args?: readonly string[];
  /** Who asked for it: kept in the registry, shown by daemons(). Default: the nursery's owner. */
  owner?: string;
  cwd?: string;
  /** Variables added to (or, with extendEnv: false, replacing) this process's environment. */
  env?: Readonly<Record<string, string | undefined>>;
  extendEnv?: boolean;
  /** A file the daemon's stdout is appended to (created 0600 if missing). Default: /dev/null. */
  stdout?: string;
  /** A file the daemon's stderr is appended to (created 0600 if missing). Default: /dev/null. */
  stderr?: string;
  /** First signal of stop(). Default: the nursery's, else SIGTERM. */
  killSignal?: SignalLike;
  /** How long stop() waits after killSignal before SIGKILL. Default: the nursery's, else 5000. */
  graceMs?: number;
  /** How long the launcher may take to report the daemon's PID before it is killed. Default 10000. */
  launchTimeoutMs?: number;
}

export interface ResolvedDaemonSpec {
  command: string;
  args: string[];
  owner: string;
  cwd: string | undefined;
  env: NodeJS.ProcessEnv;
  /** Absolute paths, or null for /dev/null. */
  stdout: string | null;
  stderr: string | null;
  killSignal: number;
  graceMs: number;
  launchTimeoutMs: number;
}

export const DEFAULT_LAUNCH_TIMEOUT_MS = 10_000;
const DAEMON_KEYS = new Set([
  'mode',
  'command',
  'args',
  'owner',
  'cwd',
  'env',
  'extendEnv',
  'stdout',
  'stderr',
  'killSignal',
  'graceMs',
  'launchTimeoutMs',
]);

function checkLogPath(value: unknown, name: string): string | null {
  if (value === undefined) return null;
  const path = checkString(value, name);
  return isAbsolute(path) ? path : resolve(path);
}

/** @throws NurseryOptionError */
export function resolveDaemonSpec(spec: unknown, defaults: Defaults): ResolvedDaemonSpec {
  checkObject(spec, 'spec');
  checkKeys(spec, DAEMON_KEYS, 'daemon spawn');
  if (spec.mode !== 'daemon') throw invalidOption('mode', '"daemon"', spec.mode);
  return {
    command: checkString(spec.command, 'command'),
    args: checkArgs(spec.args),
    owner: spec.owner === undefined ? defaults.owner : checkString(spec.owner, 'owner'),
    cwd: spec.cwd === undefined ? undefined : resolve(checkString(spec.cwd, 'cwd')),
    env: checkEnv(spec.env, checkBoolean(spec.extendEnv, 'extendEnv', true)),
    stdout: checkLogPath(spec.stdout, 'stdout'),
    stderr: checkLogPath(spec.stderr, 'stderr'),
    killSignal: checkSignal(spec.killSignal, 'killSignal', defaults.killSignal),
    graceMs: checkDuration(spec.graceMs, 'graceMs', defaults.graceMs),
    launchTimeoutMs: checkDuration(spec.launchTimeoutMs, 'launchTimeoutMs', DEFAULT_LAUNCH_TIMEOUT_MS),
  };
}
