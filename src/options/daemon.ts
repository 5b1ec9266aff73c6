// The daemon spec: what `nursery.spawn({ mode: 'daemon', ... })` takes, checked once.
import { isAbsolute, resolve } from 'node:path';
import { checkArgs, checkEnv, type Defaults, type SpawnSpec } from './spawn.js';
import { checkBoolean, checkDuration, checkKeys, checkObject, checkStopSignal, checkString } from './check.js';
import { invalidOption } from '../errors.js';

// What a daemon shares with a normal child: the same names, the same checks.
const FROM_SPAWN = [
  'command',
  'args',
  'owner',
  'cwd',
  'env',
  'extendEnv',
  'killSignal',
  'graceMs',
] as const satisfies readonly (keyof SpawnSpec)[];

/** A daemon: started by a launcher that exits, so it outlives this process; see docs/daemons.md. */
export interface DaemonSpec extends Pick<SpawnSpec, (typeof FROM_SPAWN)[number]> {
  mode: 'daemon';
  /** A file the daemon's stdout is appended to (created 0600 if missing). Default: /dev/null. */
  stdout?: string;
  /** A file the daemon's stderr is appended to (created 0600 if missing). Default: /dev/null. */
  stderr?: string;
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
const DAEMON_KEYS = new Set<string>([...FROM_SPAWN, 'mode', 'stdout', 'stderr', 'launchTimeoutMs']);

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
    killSignal: checkStopSignal(spec.killSignal, 'killSignal', defaults.killSignal),
    graceMs: checkDuration(spec.graceMs, 'graceMs', defaults.graceMs),
    launchTimeoutMs: checkDuration(spec.launchTimeoutMs, 'launchTimeoutMs', DEFAULT_LAUNCH_TIMEOUT_MS),
  };
}
