// The seeds' leaks, replayed with plain child_process exactly as their projects wrote it.
/* eslint-disable nursery/no-raw-child-process -- the demo's "before" half must use the raw API it replaces */
import { exec, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readLines } from './lines.js';
import { holdUntil, untilSessionLeader } from './settle.js';
import { childrenOf, readStat } from '../../os/proc.js';

export type Scenario = 'escape' | 'helper' | 'unwaited' | 'pid1';

// The scenarios' shell scripts, the same for both halves of the demo.
// escape: the background sleeps send their stdout elsewhere. Were the escapee to keep the app's
// pipe open, the app would wait for an EOF that never comes (one more harm of the leak, but not
// what the table counts); the escapee survives just the same.
export const ESCAPE_SCRIPT = 'setsid sleep 1000 >/dev/null & echo $!; sleep 1000 >/dev/null & echo $!; wait';
// helper: the shell starts its helper, then becomes the tool itself (exec), the one a timeout kills.
export const HELPER_SCRIPT = 'sleep 1000 >/dev/null 2>&1 & exec sleep 1000';
export const UNWAITED_SCRIPT = 'sleep 0.05 & echo $!';
export const PID1_SCRIPT = 'for i in $(seq 50); do sleep 0.2 & done; exit 0';

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

export async function runPlain(scenario: Scenario): Promise<number[]> {
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
