// The seeds' leaks, replayed with plain child_process exactly as their projects wrote it.
/* eslint-disable nursery/no-raw-child-process -- the demo's "before" half must use the raw API it replaces */
import { exec, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readLines, untilSessionLeader } from './lines.js';
import { readStat } from '../../os/proc.js';

export type Scenario = 'escape' | 'helper' | 'unwaited' | 'pid1';

export async function runPlain(scenario: Scenario): Promise<number[]> {
  if (scenario === 'escape') {
    // Seeds 000 and 004: the wrapper's group is SIGKILLed; a grandchild that called setsid()
    // survives, and the wrapper's own child becomes a zombie nobody reaps.
    const cp = spawn('sh', ['-c', 'setsid sleep 1000 & echo $!; sleep 1000 & echo $!; wait'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const pids = await readLines(cp.stdout, 2);
    await untilSessionLeader(pids[0] ?? 0, (pid) => readStat(pid)?.session);
    process.kill(-(cp.pid as number), 'SIGKILL');
    await once(cp, 'exit');
    return pids;
  }
  if (scenario === 'helper') {
    // Seed 001: a tool times out; Node kills the shell it started, the helper lives on.
    const pids: number[] = [];
    await new Promise<void>((resolve) => {
      const cp = exec('sleep 1000 & echo $!; sleep 1000', { timeout: 200 }, () => resolve());
      void readLines(cp.stdout, 1).then((p) => pids.push(...p));
    });
    return pids;
  }
  if (scenario === 'pid1') {
    await orphanMany(500);
    return [];
  }
  // Seeds 002 and 003: short-lived grandchildren exit under a parent that never waits for them
  // (here: this process, standing in for PID 1).
  const pids: number[] = [];
  for (let i = 0; i < 20; i++) {
    const cp = spawn('sh', ['-c', 'sleep 0.05 & echo $!'], { stdio: ['ignore', 'pipe', 'ignore'] });
    pids.push(...(await readLines(cp.stdout, 1)));
    await once(cp, 'exit');
  }
  return pids;
}

// Seeds 000 and 001 as PID 1: shells that each start 50 short sleeps and exit; the sleeps are
// adopted by PID 1 (this process) and die there, with nobody to reap them.
async function orphanMany(total: number): Promise<void> {
  const waits = [];
  for (let i = 0; i < total / 50; i++) {
    const cp = spawn('sh', ['-c', 'for i in $(seq 50); do sleep 0.2 & done; exit 0'], { stdio: 'ignore' });
    waits.push(once(cp, 'exit'));
  }
  await Promise.all(waits);
}
