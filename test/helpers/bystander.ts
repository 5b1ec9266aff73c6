// A live, unrelated process to stand in for a recycled PID (test/fixtures/bystander.ts), and the
// check that it got no signal at all: still running with its own start time, and nothing in its
// signal log but the test's own probe.
/* eslint-disable nursery/no-raw-child-process -- the bystander must be nobody's child but the test's */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alive, stat, waitFor } from './proc.js';
import { FIXTURES, readJsonLine } from './tree.js';

export interface Bystander {
  pid: number;
  startTime: number;
  session: number;
  pgrp: number;
  cp: ChildProcess;
  log: string;
}

/** Starts one, in a session of its own when `setsid` (so its PID is also a session ID). */
export async function startBystander(dir: string, setsid = false): Promise<Bystander> {
  const log = join(dir, `bystander-${Date.now()}-${Math.random().toString(16).slice(2)}`);
  const cp = spawn(process.execPath, [`${FIXTURES}bystander.js`, log], {
    detached: setsid,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const { pid } = await readJsonLine<{ pid: number }>(cp.stdout);
  cp.stdout?.destroy();
  const s = stat(pid);
  assert.ok(s, 'the bystander runs');
  return { pid, startTime: s.startTime, session: s.session, pgrp: s.pgrp, cp, log };
}

/** Fails unless the bystander is still the same live process and got no signal but the probe. */
export async function assertUntouched(b: Bystander): Promise<void> {
  assert.ok(alive(b.pid) && stat(b.pid)?.startTime === b.startTime, `bystander ${b.pid} still runs`);
  const lines = (): string[] => (existsSync(b.log) ? readFileSync(b.log, 'utf8').split('\n').filter(Boolean) : []);
  const probes = (): number => lines().filter((l) => l === 'SIGWINCH').length;
  const before = probes();
  process.kill(b.pid, 'SIGWINCH');
  await waitFor(() => probes() > before, 30_000, 'the bystander to log the probe');
  assert.deepEqual(
    lines().filter((l) => l !== 'SIGWINCH'),
    [],
    `bystander ${b.pid} got a signal meant for a process that is gone`,
  );
  assert.ok(alive(b.pid) && stat(b.pid)?.startTime === b.startTime, `bystander ${b.pid} still runs`);
}

export async function endBystander(b: Bystander): Promise<void> {
  if (b.cp.exitCode !== null || b.cp.signalCode !== null) return;
  const exited = once(b.cp, 'exit');
  b.cp.kill('SIGKILL');
  await exited;
}
