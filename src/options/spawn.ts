// The spawn spec: what a caller may ask of a child, checked once into a ResolvedSpec that the
// rest of nursery trusts.
import { fstatSync } from 'node:fs';
import { invalidOption } from '../errors.js';
import { SIGTERM } from '../os/signals.js';
import {
  checkAbortSignal,
  checkBoolean,
  checkDuration,
  checkKeys,
  checkObject,
  checkPlainObject,
  checkOneOf,
  checkStopSignal,
  checkString,
} from './check.js';
import { PTY_KILL_SIGNAL, dropInheritedSize, resolveTerminal } from './pty.js';
import type {
  Containment,
  Defaults,
  ForkOptions,
  ResolvedSpec,
  SpawnSpec,
  StdioEntry,
  StdioValue,
} from './spawn-spec.js';

export type {
  Containment,
  Defaults,
  ForkOptions,
  ResolvedSpec,
  SpawnSpec,
  StdioEntry,
  StdioSpec,
  StdioValue,
} from './spawn-spec.js';

export const DEFAULT_GRACE_MS = 5000;
/** The variable that marks every process of a tree (see TreeRoot.tag). */
export const TREE_TAG_NAME = 'NURSERY_TREE';
let treeCounter = 0;
export const DEFAULT_KILL_SIGNAL = SIGTERM;

const SPAWN_KEYS = new Set([
  'mode',
  'cols',
  'rows',
  'command',
  'args',
  'owner',
  'cwd',
  'env',
  'extendEnv',
  'stdio',
  'killSignal',
  'graceMs',
  'timeoutMs',
  'signal',
  'killLeftovers',
  'ipc',
  'serialization',
  'dieWithParent',
  'containment',
  'notifyFd',
]);
const STDIO_VALUES = new Set(['pipe', 'inherit', 'ignore']);

export function checkArgs(value: unknown, name = 'args'): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalidOption(name, 'an array of strings', value);
  return value.map((arg, i) => checkString(arg, `${name}[${i}]`, true));
}

export function checkEnv(value: unknown, extend: boolean): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = extend ? { ...process.env } : {};
  // A tag inherited from a nursery above us must not make our tree look like theirs.
  delete out[TREE_TAG_NAME];
  if (value === undefined) return out;
  checkPlainObject(value, 'env');
  for (const [key, v] of Object.entries(value)) {
    if (key.length === 0 || key.includes('=') || key.includes('\0'))
      throw invalidOption('env', 'an object whose keys are variable names', key);
    if (v === undefined) {
      delete out[key];
      continue;
    }
    out[key] = checkString(v, `env.${key}`, true);
  }
  return out;
}

// A descriptor must be open now: spawn would otherwise fail with EBADF, or (closed and reused
// meanwhile) hand the child some other file.
function checkFd(v: number, name: string): number {
  if (!Number.isSafeInteger(v) || v < 0) throw invalidOption(name, 'a file descriptor (an integer >= 0)', v);
  try {
    fstatSync(v);
  } catch {
    throw invalidOption(name, 'an open file descriptor', v);
  }
  return v;
}

function checkStdio(value: unknown): [StdioEntry, StdioEntry, StdioEntry] {
  if (value === undefined) return ['pipe', 'pipe', 'pipe'];
  if (typeof value === 'string') {
    if (!STDIO_VALUES.has(value))
      throw invalidOption('stdio', '"pipe", "inherit", "ignore" or an array of them', value);
    const v = value as StdioValue;
    return [v, v, v];
  }
  if (!Array.isArray(value) || value.length > 3)
    throw invalidOption(
      'stdio',
      '"pipe", "inherit", "ignore" or an array of up to three of them (or file descriptors)',
      value,
    );
  const out: [StdioEntry, StdioEntry, StdioEntry] = ['pipe', 'pipe', 'pipe'];
  value.forEach((v: unknown, i) => {
    if (v === undefined) return;
    if (typeof v === 'number') {
      out[i] = checkFd(v, `stdio[${i}]`);
      return;
    }
    if (typeof v !== 'string' || !STDIO_VALUES.has(v))
      throw invalidOption(`stdio[${i}]`, '"pipe", "inherit", "ignore" or an open file descriptor', v);
    out[i] = v as StdioValue;
  });
  return out;
}

function checkIpc(ipc: unknown, serialization: unknown): ResolvedSpec['ipc'] {
  const on = checkBoolean(ipc, 'ipc', false);
  const encoding = checkOneOf(serialization, 'serialization', ['json', 'advanced'], 'json');
  if (!on) {
    if (serialization !== undefined) throw invalidOption('serialization', 'given only with ipc: true', serialization);
    return undefined;
  }
  return { serialization: encoding };
}

// Below 3 are stdin, stdout and stderr; 1023 is the usual soft RLIMIT_NOFILE minus one, and a
// child whose limit is lower could not even receive a higher fd.
const MAX_NOTIFY_FD = 1023;

/**
 * A notification fd: an integer from 3 to 1023, never in PTY mode (node-pty forks with forkpty(3),
 * which hands the child no fd but the terminal). Also checks a ready probe's notifyFd.
 * @throws NurseryOptionError
 */
export function checkNotifyFd(value: unknown, name: string, pty = false): number | undefined {
  if (value === undefined) return undefined;
  if (pty) throw invalidOption(name, "absent with mode: 'pty' (a terminal's child gets no extra fd)", value);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 3 || value > MAX_NOTIFY_FD)
    throw invalidOption(name, `an integer from 3 to ${MAX_NOTIFY_FD}`, value);
  return value;
}

const CONTAINMENTS = ['auto', 'cgroup', 'group'] as const;

/** The containment of a child, or of a Nursery's children by default. PTY children: their group only. */
export function checkContainment(value: unknown, fallback: Containment, pty = false): Containment {
  if (pty && value !== undefined)
    throw invalidOption('containment', "absent in PTY mode (it uses the child's group)", value);
  return pty ? 'group' : checkOneOf(value, 'containment', CONTAINMENTS, fallback);
}

// A child meant to outlive the host cannot also die with it: daemons take their own spec
// (src/options/daemon.ts), which has no dieWithParent.
function checkDieWithParent(value: unknown): boolean {
  return checkBoolean(value, 'dieWithParent', false);
}

const FORK_KEYS = new Set([
  ...[...SPAWN_KEYS].filter((k) => !['mode', 'cols', 'rows', 'command', 'args', 'ipc'].includes(k)),
  'execPath',
  'execArgv',
]);

/** The spawn spec for `fork(modulePath, args, options)`. @throws NurseryOptionError */
export function forkSpec(modulePath: unknown, args: unknown, options: unknown): SpawnSpec {
  checkString(modulePath, 'modulePath');
  const moduleArgs = checkArgs(args);
  checkObject(options, 'options');
  checkKeys(options, FORK_KEYS, 'fork');
  const { execPath, execArgv, ...rest } = options as ForkOptions;
  const command = execPath === undefined ? process.execPath : checkString(execPath, 'execPath');
  const flags = execArgv === undefined ? [] : checkArgs(execArgv, 'execArgv');
  return { ...rest, command, args: [...flags, modulePath as string, ...moduleArgs], ipc: true };
}

/** @throws NurseryOptionError for any bad field. */
export function resolveSpec(spec: unknown, defaults: Defaults): ResolvedSpec {
  checkObject(spec, 'spec');
  checkKeys(spec, SPAWN_KEYS, 'spawn');
  const mode = checkOneOf(spec.mode, 'mode', ['normal', 'pty'], 'normal');
  const pty = resolveTerminal(spec, mode === 'pty');
  const owner = spec.owner === undefined ? defaults.owner : checkString(spec.owner, 'owner');
  const tag = `${TREE_TAG_NAME}=${defaults.scope}.${++treeCounter}`;
  const env = checkEnv(spec.env, checkBoolean(spec.extendEnv, 'extendEnv', true));
  env[TREE_TAG_NAME] = tag.slice(TREE_TAG_NAME.length + 1);
  if (pty) dropInheritedSize(env, spec.env as Record<string, unknown> | undefined);
  return {
    mode,
    pty,
    tag,
    command: checkString(spec.command, 'command'),
    args: checkArgs(spec.args),
    owner,
    cwd: spec.cwd === undefined ? undefined : checkString(spec.cwd, 'cwd'),
    env,
    stdio: checkStdio(spec.stdio),
    killSignal: checkStopSignal(spec.killSignal, 'killSignal', pty ? PTY_KILL_SIGNAL : defaults.killSignal),
    graceMs: checkDuration(spec.graceMs, 'graceMs', defaults.graceMs),
    timeoutMs: checkDuration(spec.timeoutMs, 'timeoutMs', 0),
    signal: checkAbortSignal(spec.signal, 'signal'),
    killLeftovers: checkBoolean(spec.killLeftovers, 'killLeftovers', true),
    ipc: checkIpc(spec.ipc, spec.serialization),
    dieWithParent: checkDieWithParent(spec.dieWithParent),
    containment: checkContainment(spec.containment, defaults.containment, pty !== undefined),
    notifyFd: checkNotifyFd(spec.notifyFd, 'notifyFd', pty !== undefined),
  };
}
