// Shared by the reaper tests: shells that report the PIDs of the orphans they leave, reap events
// collected from a Reaper, and a kill that checks identity first.
/* eslint-disable nursery/no-raw-child-process --
   the reaper must coexist with plain child_process: these tests use it on purpose */
import { spawn } from 'node:child_process';
import type { ReapEvent, Reaper } from '../../src/reaper/reaper.js';
import { stat } from '../helpers/proc.js';

export interface ShellResult {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Every number the script printed, one per line (the orphans' PIDs, from `echo $!`). */
  pids: number[];
}

// Runs `sh -c script` through plain child_process. Background commands in the script must send
// their own stdout elsewhere (`>/dev/null`), or 'close' waits for them.
export function shell(script: string): Promise<ShellResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let exit: [number | null, NodeJS.Signals | null] | null = null;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.once('error', reject);
    child.once('exit', (code, signal) => (exit = [code, signal]));
    child.once('close', () => {
      if (exit === null) return reject(new Error(`'close' without 'exit' for pid ${child.pid}`));
      const pids = out.split('\n').filter(Boolean).map(Number);
      resolve({ pid: child.pid as number, code: exit[0], signal: exit[1], pids });
    });
  });
}

/** Every reap the reaper reports from now on. */
export function collect(reaper: Reaper): ReapEvent[] {
  const events: ReapEvent[] = [];
  reaper.onReap = (e) => events.push(e);
  return events;
}

/** SIGKILL to pid, only if it is still the process that started at startTime and has not exited. */
export function killChecked(pid: number, startTime: number): boolean {
  const s = stat(pid);
  if (s === null || s.startTime !== startTime || s.state === 'Z') return false;
  process.kill(pid, 'SIGKILL');
  return true;
}

/** Resolves p, or rejects after ms with what was being waited for. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
