// What the tests judge by: /proc, read directly. Every test file ends with assertNoLeftovers().
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';

export interface Stat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  startTime: number;
}

export function stat(pid: number): Stat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  const close = text.lastIndexOf(')');
  const f = text.slice(close + 2).split(' ');
  return {
    pid,
    comm: text.slice(text.indexOf('(') + 1, close),
    state: f[0] ?? '?',
    ppid: Number(f[1]),
    pgrp: Number(f[2]),
    session: Number(f[3]),
    startTime: Number(f[19]),
  };
}

/** Running (not exited): the PID exists and is not a zombie. */
export function alive(pid: number): boolean {
  const s = stat(pid);
  return s !== null && s.state !== 'Z' && s.state !== 'X';
}

export function ownChildren(): Stat[] {
  const out: Stat[] = [];
  for (const tid of readdirSync('/proc/self/task')) {
    let text = '';
    try {
      text = readFileSync(`/proc/self/task/${tid}/children`, 'latin1');
    } catch {
      continue;
    }
    for (const p of text.split(' ')) {
      if (!p) continue;
      const s = stat(Number(p));
      if (s) out.push(s);
    }
  }
  return out;
}

/** Children of `pid`, every thread of it (a child is listed under the thread that forked it). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      for (const p of readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1').split(' '))
        if (p) out.push(Number(p));
    } catch {
      // the thread or the process is gone
    }
  }
  return out;
}

export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

// Deadlines are generous on purpose: they bound a failure, they are not a claim about speed. A
// busy machine (CI, or four fork loops beside the suite) may take seconds for what takes
// milliseconds here.
export async function waitFor(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 1;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 25);
  }
}

/**
 * waitFor without yielding: this thread's event loop stays blocked until cond() holds, so no
 * timer of this process (a timeoutMs under test, a reaper's grace) can fire before it does,
 * however slow the machine. For a test whose subject is a timer racing a child's start-up.
 */
export function holdUntil(cond: () => boolean, timeoutMs = 30_000, what = 'condition'): void {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms holding the event loop for ${what}`);
    Atomics.wait(nap, 0, 0, 1);
  }
}

/** The closing check of every test file: no child of ours, live or zombie, is left. */
export async function assertNoLeftovers(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (ownChildren().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const left = ownChildren();
  assert.deepEqual(
    left.map((s) => `${s.pid} ${s.comm} ${s.state}`),
    [],
    'this test file left children or zombies behind',
  );
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
