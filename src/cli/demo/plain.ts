// The seeds' leaks, replayed with plain child_process exactly as their projects wrote it.
/* eslint-disable nursery/no-raw-child-process -- the demo's "before" half must use the raw API it replaces */
import { exec, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readLines } from './lines.js';
import { holdUntil, untilSessionLeader } from './settle.js';
import { childrenOf, readStat } from '../../os/proc.js';

export type Scenario = 'escape' | 'helper' | 'unwaited' | 'pid1' | 'released' | 'restart';

// The scenarios' shell scripts, the same for both halves of the demo.
// escape: the background sleeps send their stdout elsewhere. Were the escapee to keep the app's
// pipe open, the app would wait for an EOF that never comes (one more harm of the leak, but not
// what the table counts); the escapee survives just the same.
export const ESCAPE_SCRIPT = 'setsid sleep 1000 >/dev/null & echo $!; sleep 1000 >/dev/null & echo $!; wait';
// helper: the shell starts its helper, then becomes the tool itself (exec), the one a timeout kills.
export const HELPER_SCRIPT = 'sleep 1000 >/dev/null 2>&1 & exec sleep 1000';
export const UNWAITED_SCRIPT = 'sleep 0.05 & echo $!';
export const PID1_SCRIPT = 'for i in $(seq 50); do sleep 0.2 & done; exit 0';
// released, restart: a pod's daemon (seed 003's PodDaemon), which runs until its pod is destroyed.
export const DAEMON = ['sleep', '1000'] as const;
// released: the wrapper backgrounds the daemon and exits (a double fork), telling its PID.
export const RELEASED_SCRIPT = `${DAEMON.join(' ')} >/dev/null 2>&1 & echo $!`;
/** Pods created and destroyed in the released scenario: seed 003 counted one zombie per cycle. */
export const PODS = 10;
/** restart: one instance of the app (runner.ts), run as `node RUNNER <plain|nursery> <start|stop> <dir>`. */
export const RUNNER = fileURLToPath(new URL('./runner.js', import.meta.url));

/**
 * The helper scenario's timeout must strike a tool that has started its helper, as in the seed,
 * however slow the machine: hold the event loop (where the timeout fires) until the tool runs
 * and its helper exists. Returns the helper's PID.
 */
export function holdUntilHelperStarted(tool: number): number {
  holdUntil(
    () => readStat(tool)?.comm === 'sleep' && childrenOf(tool).length === 1,
    30_000,
    `the tool ${tool} to start its helper`,
  );
  return childrenOf(tool)[0] as number;
}

export async function runPlain(scenario: Scenario, dir: string): Promise<number[]> {
  if (scenario === 'escape') {
    // Seeds 000 and 004: the wrapper's group is SIGKILLed; a grandchild that called setsid()
    // survives, and the wrapper's own child becomes a zombie nobody reaps.
    const cp = spawn('sh', ['-c', ESCAPE_SCRIPT], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    // Listen before anything else is awaited: an 'exit' emitted with no listener is lost.
    const exited = once(cp, 'exit');
    const pids = await readLines(cp.stdout, 2);
    await untilSessionLeader(pids[0] ?? 0, (pid) => readStat(pid)?.session);
    process.kill(-(cp.pid as number), 'SIGKILL');
    await exited;
    return pids;
  }
  if (scenario === 'helper') {
    // Seed 001: a tool times out; Node kills the tool it started, the helper lives on.
    let helper = 0;
    await new Promise<void>((resolve) => {
      const cp = exec(HELPER_SCRIPT, { timeout: 200 }, () => resolve());
      helper = holdUntilHelperStarted(cp.pid as number);
    });
    return [helper];
  }
  if (scenario === 'pid1') {
    await orphanMany(500);
    return [];
  }
  if (scenario === 'released') return releaseDaemons();
  if (scenario === 'restart') {
    // Seed 003 across a restart: the first instance releases the daemon and exits; the second
    // stops it by the PID the first wrote down. Both are this app's children; the daemon is not.
    const pids = await runInstance('start', dir);
    await runInstance('stop', dir);
    return pids;
  }
  // Seeds 002 and 003: short-lived grandchildren exit under a parent that never waits for them
  // (here: this process, standing in for PID 1).
  const pids: number[] = [];
  for (let i = 0; i < 20; i++) {
    const cp = spawn('sh', ['-c', UNWAITED_SCRIPT], { stdio: ['ignore', 'pipe', 'ignore'] });
    const exited = once(cp, 'exit');
    pids.push(...(await readLines(cp.stdout, 1)));
    await exited;
  }
  return pids;
}

// Seeds 000 and 001 as PID 1: shells that each start 50 short sleeps and exit; the sleeps are
// adopted by PID 1 (this process) and die there, with nobody to reap them.
async function orphanMany(total: number): Promise<void> {
  const waits = [];
  for (let i = 0; i < total / 50; i++) {
    const cp = spawn('sh', ['-c', PID1_SCRIPT], { stdio: 'ignore' });
    waits.push(once(cp, 'exit'));
  }
  await Promise.all(waits);
}

// Seed 003, as it leaks in Node. Releasing a direct child (detached, then unref()) leaks nothing
// while the app lives: libuv still reaps it when it exits. What leaks is a daemon released by a
// double fork, as `sh -c 'daemon &'`, `nohup daemon &` or `setsid -f` do so that it outlives the
// app: the wrapper exits, the daemon is adopted by PID 1 (this process), and when its pod is
// destroyed it dies as a zombie nobody reaps, one per pod. (No unref() of the wrapper here: the app
// waits for it, and an unref()'d child's 'exit' does not keep the event loop alive to be seen.)
async function releaseDaemons(): Promise<number[]> {
  const pids: number[] = [];
  for (let i = 0; i < PODS; i++) {
    const cp = spawn('sh', ['-c', RELEASED_SCRIPT], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    const exited = once(cp, 'exit');
    const [pid] = await readLines(cp.stdout, 1);
    await exited; // the wrapper is gone (libuv reaped it): the daemon is ours, by adoption
    if (pid === undefined) throw new Error('demo: the wrapper printed no daemon PID');
    pids.push(pid);
    process.kill(pid, 'SIGTERM'); // the pod is destroyed
  }
  return pids;
}

// One instance of the app that restarts, in a process of its own; returns the PID it printed.
async function runInstance(step: 'start' | 'stop', dir: string): Promise<number[]> {
  const cp = spawn(process.execPath, [RUNNER, 'plain', step, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(cp, 'exit');
  const pids = await readLines(cp.stdout, 1);
  await exited;
  return pids;
}

/**
 * The restart scenario's app instance with child_process, as a runner writes it: the daemon is
 * released (its own session, no pipe to us, unref() so that this instance may exit while it runs)
 * and its PID written down; the next instance signals that PID when the pod is destroyed.
 */
export function plainInstance(step: 'start' | 'stop', dir: string): number {
  const pidfile = join(dir, 'daemon.pid');
  if (step === 'start') {
    const [command, ...args] = DAEMON;
    const cp = spawn(command, args, { detached: true, stdio: 'ignore' });
    cp.unref();
    writeFileSync(pidfile, `${cp.pid}\n`);
    return cp.pid as number;
  }
  const pid = Number(readFileSync(pidfile, 'utf8'));
  // Never 0 or less: kill(2) would signal a whole process group (ours, and our PID 1's).
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new Error(`demo: no PID in ${pidfile}`);
  process.kill(pid, 'SIGTERM');
  return pid;
}
