// What the conformance checks of init-compare.ts share: a command run under an init as PID 1 of
// a fresh PID namespace, the init's host PID (to signal it), files the command writes to report
// (a check reads them while it runs), and a check's verdict for one init.
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchContext } from './harness.js';
import { type InitCommand, type InitName, asPid1 } from './peers.js';
import { type Ran, run } from './run.js';

export interface Cell {
  /** null: not applicable (the init offers no such thing, or it could not be checked here). */
  pass: boolean | null;
  text: string;
}

export interface CheckEnv {
  init: InitCommand;
  /** A fresh directory for this check's files, also in the command's environment as $D. */
  dir: string;
  /** Helpers compiled at bench time (lib/cc.ts); null when cc is missing. */
  sigconf: string | null;
  ignchld: string | null;
  ctx: BenchContext;
}

export interface Check {
  name: string;
  run(env: CheckEnv): Promise<Cell>;
}

export interface UnderOptions {
  /** The init's own options, before `--`. */
  opts?: readonly string[];
  /** Shell words run before the init is exec'd: `sh -c "<wrap> exec unshare ..."`. */
  wrap?: string;
  /** A program that execs its arguments, run in front of unshare (tini's sigconf wrapper). */
  prefix?: readonly string[];
  /** The same, run inside the namespace: it is PID 1 until it execs the init. */
  inner?: readonly string[];
  cwd?: string;
  timeoutMs?: number;
  /** Called with unshare's PID once it is started. */
  started?: (pid: number) => void;
}

/** Runs `command` under `env.init` as PID 1 of a new PID namespace, to its end. */
export function under(env: CheckEnv, command: readonly string[], o: UnderOptions = {}): Promise<Ran> {
  let argv = asPid1([...(o.inner ?? []), ...env.init.argv(command, o.opts)]);
  if (o.prefix) argv = [...o.prefix, ...argv];
  if (o.wrap !== undefined) argv = ['sh', '-c', `${o.wrap} exec "$@"`, 'sh', ...argv];
  return run(argv, {
    env: { ...process.env, D: env.dir },
    cwd: o.cwd,
    timeoutMs: o.timeoutMs ?? 30_000,
    started: o.started,
  });
}

/** Polls until `test` is true; false at the deadline. */
export async function until(test: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export const exists = (path: string): boolean => existsSync(path);

/** The host PID of the init: unshare's only child (`--fork`). 0 if it never appears. */
export async function initPidOf(unsharePid: number): Promise<number> {
  let found = 0;
  await until(() => {
    const first = readText(`/proc/${unsharePid}/task/${unsharePid}/children`).trim().split(' ')[0];
    found = Number(first ?? 0) || 0;
    return found > 0;
  }, 10_000);
  return found;
}

/** `SigBlk`, `SigIgn` etc. of a /proc/PID/status text, as bigints (absent: -1n). */
export function sigMasks(status: string): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const m of status.matchAll(/^(Sig\w+):\s*([0-9a-f]+)$/gm)) out[m[1] as string] = BigInt(`0x${m[2]}`);
  return out;
}

export const bit = (signal: number): bigint => 1n << BigInt(signal - 1);

/** One line on what an init offers for a feature: its option, or why there is none. */
export const OFFER: Record<InitName, Record<'group' | 'remap', string[] | string>> = {
  nursery: { group: ['-g'], remap: ['-e', '42:0'] },
  // tini's -e N maps N to 0, and only to 0.
  tini: { group: ['-g'], remap: ['-e', '42'] },
  // dumb-init's default (setsid) mode signals the child's whole process group; --rewrite maps signals.
  'dumb-init': { group: [], remap: 'no such option (--rewrite maps signals, not exit codes)' },
  catatonit: { group: ['-g'], remap: 'no such option' },
};

export const pass = (text = 'pass'): Cell => ({ pass: true, text });
export const fail = (text: string): Cell => ({ pass: false, text: `FAIL: ${text}` });
export const code = (r: Ran): string => (r.timedOut ? 'timed out' : `${r.code ?? r.signal}`);
