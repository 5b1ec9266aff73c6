import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeRef, isAlive, openRef, signalRef } from '../../src/terminate/identity.js';
import { readStat } from '../../src/os/proc.js';
import { native } from '../helpers/libc.js';
import { assertNoLeftovers, openFds } from '../helpers/proc.js';

test('openRef holds a pidfd on this kernel and signals through it', async () => {
  const cp = spawn('sleep', ['1000'], { stdio: 'ignore' });
  const s = readStat(cp.pid as number);
  assert.ok(s);
  const ref = openRef(s);
  assert.ok(ref);
  if (native()) assert.ok(ref.pidfd >= 0, 'pidfd_open works on Linux 5.3+');
  assert.equal(isAlive(ref), true);
  assert.equal(signalRef(ref, 15), 'sent');
  const [, signal] = await once(cp, 'exit');
  assert.equal(signal, 'SIGTERM');
  assert.equal(isAlive(ref), false);
  assert.equal(signalRef(ref, 15), 'gone', 'a process that has exited is never signalled again');
  closeRef(ref);
});

test('a ref whose process is gone says so without a pidfd, by start time', async () => {
  const cp = spawn('sleep', ['1000'], { stdio: 'ignore' });
  const s = readStat(cp.pid as number);
  assert.ok(s);
  const ref = openRef(s);
  assert.ok(ref);
  closeRef(ref); // drop the pidfd: the start-time path is what remains
  cp.kill('SIGKILL');
  await once(cp, 'exit');
  assert.equal(signalRef(ref, 15), 'gone');
});

test('openRef refuses a stat whose start time no longer matches (a recycled PID)', () => {
  const self = readStat(process.pid);
  assert.ok(self);
  const fds = openFds();
  assert.equal(openRef({ ...self, startTime: self.startTime + 1 }), null);
  assert.equal(openFds(), fds, 'the refused pidfd was closed');
});

test('the test file leaves no child or zombie behind', async () => {
  await assertNoLeftovers();
});
