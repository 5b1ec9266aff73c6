// What the benchmarks judge by: /proc, read directly. Deliberately not src/os/proc.ts, so the
// code under test does not grade itself.
import { readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Stat {
  pid: number;
  comm: string;
  /** Field 3: R, S, D, Z, ... */
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  /** Fields 14 + 15: utime + stime, in clock ticks. */
  ticks: number;
  /** Field 22: with the PID it names one process for the life of the machine. */
  startTime: number;
}

// `comm` may hold spaces and ')', so the fields are counted from the LAST ')'.
export function stat(pid: number | 'self'): Stat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  const close = text.lastIndexOf(')');
  const f = text.slice(close + 2).split(' '); // f[0] is field 3
  return {
    pid: Number(text.slice(0, text.indexOf('('))),
    comm: text.slice(text.indexOf('(') + 1, close),
    state: f[0] ?? '?',
    ppid: Number(f[1]),
    pgrp: Number(f[2]),
    session: Number(f[3]),
    ticks: Number(f[11]) + Number(f[12]),
    startTime: Number(f[19]),
  };
}

/** A process as recorded when it was alive: the start time tells it from a later PID holder. */
export interface Recorded {
  pid: number;
  startTime: number;
}

export function record(pids: readonly number[]): Recorded[] {
  const out: Recorded[] = [];
  for (const pid of pids) {
    const s = stat(pid);
    if (s && s.state !== 'Z' && s.state !== 'X') out.push({ pid, startTime: s.startTime });
  }
  return out;
}

/** Still running: the PID exists, is not a zombie, and is still the process we recorded. */
export function isRunning(r: Recorded): boolean {
  const s = stat(r.pid);
  return s !== null && s.startTime === r.startTime && s.state !== 'Z' && s.state !== 'X';
}

export function running(list: readonly Recorded[]): Recorded[] {
  return list.filter(isRunning);
}

// Polls every ~1 ms until every recorded process is gone (vanished or a zombie) or the deadline
// passes. `ms` is the time of the last observed change, so it stays meaningful with survivors.
export async function waitGone(
  list: readonly Recorded[],
  timeoutMs: number,
  t0 = performance.now(),
): Promise<{ ms: number; left: Recorded[] }> {
  let left = running(list);
  let lastChange = performance.now();
  while (left.length > 0 && performance.now() - t0 < timeoutMs) {
    await sleep(1);
    const now = running(left);
    if (now.length !== left.length) lastChange = performance.now();
    left = now;
  }
  return { ms: (left.length === 0 ? performance.now() : lastChange) - t0, left };
}

// Kills recorded processes that still run, by PID, each only after re-reading its start time:
// a PID we no longer hold may already belong to a stranger.
export function killRecorded(list: readonly Recorded[], signal: NodeJS.Signals = 'SIGKILL'): number {
  let n = 0;
  for (const r of list) {
    if (!isRunning(r)) continue;
    try {
      process.kill(r.pid, signal);
      n++;
    } catch {
      // exited between the check and the kill
    }
  }
  return n;
}

/** SIGKILL what still runs of `list`, wait for it, and return what would not die. */
export async function cleanup(list: readonly Recorded[]): Promise<Recorded[]> {
  killRecorded(list);
  return (await waitGone(list, 3000)).left;
}

/** Every PID in /proc (kernel threads included): the host's process count as a full scan sees it. */
export function allPids(): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c >= 48 && c <= 57) out.push(Number(name));
  }
  return out;
}

export function readEnviron(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return '';
  }
}
