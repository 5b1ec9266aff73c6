import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync } from 'node:fs';
import { native } from '../helpers/libc.js';
import { assertNoLeftovers } from '../helpers/proc.js';

const n = native();
const skip = n === null ? 'koffi could not load libc here' : false;

test('waitpid on a PID that is not our child is a quiet ECHILD', { skip }, () => {
  assert.ok(n);
  assert.deepEqual(n.waitpidNoHang(1), { pid: -10, status: 0 });
});

test('waitpid on a running child of ours returns 0 and leaves it to its owner', { skip }, async () => {
  assert.ok(n);
  const cp = spawn('sleep', ['1000'], { stdio: 'ignore' });
  assert.equal(n.waitpidNoHang(cp.pid as number).pid, 0);
  cp.kill('SIGTERM');
  const [, signal] = await once(cp, 'exit');
  assert.equal(signal, 'SIGTERM', 'libuv still reaped it and reported the signal');
});

test('waitpid refuses -1 and 0: there is no wait-any', { skip }, () => {
  assert.ok(n);
  assert.throws(() => n.waitpidNoHang(-1), RangeError);
  assert.throws(() => n.waitpidNoHang(0), RangeError);
});

test('hasExited looks at a zombie child without reaping it: libuv still gets its exit code', { skip }, async () => {
  assert.ok(n);
  const cp = spawn('sh', ['-c', 'exit 6'], { stdio: 'ignore' });
  const pid = cp.pid as number;
  const exited = once(cp, 'exit');
  // Keep this thread busy until the child is a zombie, so libuv cannot reap it first.
  const deadline = Date.now() + 30_000;
  while (n.hasExited(pid) === 0 && Date.now() < deadline);
  assert.equal(n.hasExited(pid), 1);
  assert.equal(n.hasExited(pid), 1, 'looking twice still finds it: WNOWAIT reaps nothing');
  const [code] = await exited;
  assert.equal(code, 6);
  assert.equal(n.hasExited(pid), -10, 'ECHILD once libuv has reaped it');
  assert.equal(n.hasExited(1), -10, 'not our child');
});

test('the child-subreaper flag can be read, set and cleared', { skip }, () => {
  assert.ok(n);
  const before = n.getChildSubreaper();
  assert.equal(n.setChildSubreaper(true), 0);
  assert.equal(n.getChildSubreaper(), true);
  assert.equal(n.setChildSubreaper(false), 0);
  assert.equal(n.getChildSubreaper(), false);
  if (before === true) n.setChildSubreaper(true);
});

test('pidfd_open and pidfd_send_signal reach exactly the process opened', { skip }, async () => {
  assert.ok(n);
  const cp = spawn('sleep', ['1000'], { stdio: 'ignore' });
  const fd = n.pidfdOpen(cp.pid as number);
  assert.ok(fd >= 0, `pidfd_open failed: ${fd}`);
  assert.equal(n.pidfdSendSignal(fd, 0), 0);
  assert.equal(n.pidfdSendSignal(fd, 15), 0);
  await once(cp, 'exit');
  assert.equal(n.pidfdSendSignal(fd, 15), -3, 'ESRCH once it is gone, whatever now holds the PID');
  closeSync(fd);
});

test('the test file leaves no child or zombie behind', async () => {
  await assertNoLeftovers();
});
