// close() gives back what the reaper took (the last behaviour): the SIGCHLD listener, the
// subreaper flag, and any claim on the event loop. An idle reaper costs nothing.
/* eslint-disable nursery/no-raw-child-process -- the exit fixture is spawned directly */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Nursery } from '../../src/index.js';
import { native } from '../helpers/libc.js';
import { assertNoLeftovers, sleep, stat, waitFor } from '../helpers/proc.js';
import { FIXTURES, readJsonLine } from '../helpers/tree.js';
import { killChecked, shell, within } from './util.js';

const n = native();
assert.ok(n, 'koffi loads here');
const sigchldListeners = process.listenerCount('SIGCHLD');
assert.equal(n.getChildSubreaper(), false, 'the test process starts without the subreaper flag');

test('close() stops the reaper, removes its SIGCHLD listener and turns the subreaper flag off', async () => {
  const nursery = new Nursery({ subreaper: true, log: false });
  const reaper = nursery.reaper;
  assert.ok(reaper);
  assert.equal(reaper.running, true);
  assert.equal(process.listenerCount('SIGCHLD'), sigchldListeners + 1);
  assert.equal(n.getChildSubreaper(), true);
  await nursery.close();
  assert.equal(reaper.running, false);
  assert.equal(nursery.reaper, null);
  assert.equal(process.listenerCount('SIGCHLD'), sigchldListeners, 'the listener is gone');
  assert.equal(n.getChildSubreaper(), false, 'the subreaper flag is off again');
});

test('an idle reaper does not busy-poll', async () => {
  const nursery = new Nursery({ subreaper: true, log: false });
  const reaper = nursery.reaper;
  assert.ok(reaper);
  try {
    await waitFor(() => reaper.stats.scans >= 1, 10_000, 'the first scan');
    const scans = reaper.stats.scans;
    const cpu = process.cpuUsage();
    // Absence cannot be polled: watch it idle for a second.
    await sleep(1000);
    const used = process.cpuUsage(cpu);
    assert.ok(reaper.stats.scans - scans <= 2, `${reaper.stats.scans - scans} scans in 1 s of idleness`);
    assert.ok(used.user + used.system < 50_000, `${used.user + used.system} µs of CPU in 1 s of idleness`);
  } finally {
    await nursery.close();
  }
});

test('the reaper stays on until the last Nursery sharing it closes', async () => {
  const first = new Nursery({ subreaper: true, log: false });
  const second = new Nursery({ reaper: true, log: false });
  const reaper = first.reaper;
  assert.ok(reaper);
  assert.equal(second.reaper, reaper, 'one reaper per process');
  assert.equal(process.listenerCount('SIGCHLD'), sigchldListeners + 1, 'and one listener');
  await first.close();
  assert.equal(reaper.running, true, 'still running for the second');
  assert.equal(process.listenerCount('SIGCHLD'), sigchldListeners + 1);
  await second.close();
  assert.equal(reaper.running, false);
  assert.equal(process.listenerCount('SIGCHLD'), sigchldListeners);
  assert.equal(n.getChildSubreaper(), false);
});

test('close() leaves the subreaper flag on when something else had set it', async () => {
  assert.equal(n.setChildSubreaper(true), 0);
  try {
    const nursery = new Nursery({ subreaper: true, log: false });
    await nursery.close();
    assert.equal(n.getChildSubreaper(), true, 'not ours to turn off');
  } finally {
    n.setChildSubreaper(false);
  }
});

test('a host that starts the reaper and never calls close() exits by itself', async () => {
  const child = spawn(process.execPath, [`${FIXTURES}reaper-exit.js`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  const report = await within(
    readJsonLine<{ code: number; reaperRunning: boolean }>(child.stdout),
    30_000,
    'the fixture report',
  );
  assert.deepEqual(report.code, 0);
  assert.equal(report.reaperRunning, true);
  const [code, signal] = (await within(exited, 30_000, 'the host to exit by itself')) as [number | null, string | null];
  assert.deepEqual([code, signal], [0, null]);
});

test('an orphan adopted before close() that exits after it is still reaped', async () => {
  const nursery = new Nursery({ subreaper: true, log: false });
  // It runs until this test ends it, after close(): a short sleep could exit, and be reaped,
  // before close() on a slow machine, and the test would test nothing.
  const r = await shell('sleep 1000 >/dev/null 2>&1 & echo $!');
  const [pid] = r.pids;
  assert.ok(pid);
  const s = stat(pid);
  assert.equal(s?.ppid, process.pid, 'adopted while the subreaper was on');
  await nursery.close();
  try {
    assert.ok(killChecked(pid, s.startTime), `orphan ${pid} still ran at close()`);
    // Once the flag is off new orphans go to PID 1, but this one is already ours: whoever reaps
    // it must be us. Without nursery it would have gone to PID 1 and been reaped there.
    await waitFor(() => stat(pid) === null, 10_000, `orphan ${pid}, ended after close(), to be reaped`).catch(
      () => undefined,
    );
    assert.equal(stat(pid), null, `orphan ${pid} is left as our zombie (${stat(pid)?.state}) after close()`);
  } finally {
    // Clean up after the failure: reap it by PID, as the reaper would.
    if (stat(pid)?.state === 'Z') n.waitpidNoHang(pid);
  }
});

test('the test file leaves no child or zombie behind', async () => {
  await assertNoLeftovers();
  assert.equal(process.listenerCount('SIGCHLD'), sigchldListeners);
});
