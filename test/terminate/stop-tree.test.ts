import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { Nursery } from '../../src/index.js';
import { alive, assertNoLeftovers, stat, waitFor } from '../helpers/proc.js';
import { TREE, readJsonLine, type TreePids } from '../helpers/tree.js';

// As a subreaper the test process gets the killed tree's orphans back and reaps them, so the
// machine keeps no zombie of ours whatever its PID 1 does.
const nursery = new Nursery({ subreaper: true, log: false });
after(() => nursery.close());

function spawnTree(group: number, setsid: number, extra: string[] = [], graceMs?: number) {
  const child = nursery.spawn({
    command: process.execPath,
    args: [TREE, String(group), String(setsid), ...extra],
    stdio: ['ignore', 'pipe', 'inherit'],
    ...(graceMs === undefined ? {} : { graceMs }),
  });
  return { child, pids: readJsonLine<TreePids>(child.stdout) };
}

test('stop() kills the group and every descendant that called setsid()', async () => {
  const { child, pids } = spawnTree(4, 3);
  const p = await pids;
  const all = [p.pid, ...p.group, ...p.setsid];
  for (const pid of p.setsid) assert.equal(stat(pid)?.session, pid, 'the setsid sleeps lead their own sessions');
  assert.ok(all.every(alive));
  const info = await child.stop();
  assert.equal(info.signal, 'SIGTERM');
  assert.equal(info.stopped, true);
  assert.deepEqual(all.filter(alive), []);
});

test('stop() returns as soon as the tree is gone, not at the end of the grace period', async () => {
  // A grace far longer than any machine takes to kill seven sleeps: the bound below is about the
  // grace, not about speed.
  const { child, pids } = spawnTree(5, 2, [], 60_000);
  await pids;
  const t0 = performance.now();
  await child.stop();
  const took = performance.now() - t0;
  assert.ok(took < 30_000, `stop took ${took} ms with a 60 s grace`);
});

test('stop() sends SIGKILL after graceMs to a tree that ignores SIGTERM', async () => {
  const before = nursery.stats().killedAfterGrace;
  const { child, pids } = spawnTree(3, 2, ['ignore-term'], 300);
  const p = await pids;
  const all = [p.pid, ...p.group, ...p.setsid];
  const t0 = performance.now();
  const info = await child.stop();
  const took = performance.now() - t0;
  assert.equal(info.signal, 'SIGKILL');
  // Not before the grace ends; the upper bound only catches a stop that never escalates.
  assert.ok(took >= 290 && took < 30_000, `took ${took} ms`);
  assert.deepEqual(all.filter(alive), []);
  assert.equal(nursery.stats().killedAfterGrace, before + 1);
  assert.ok(nursery.stats().processesKilledAfterGrace >= all.length);
});

test('stop() with an explicit signal and grace overrides the spec', async () => {
  const { child, pids } = spawnTree(2, 1, ['ignore-term']);
  await pids;
  const info = await child.stop({ signal: 'SIGKILL', graceMs: 0 });
  assert.equal(info.signal, 'SIGKILL');
});

test('a wrapper killed by stop() leaves no grandchild behind (seeds 000 and 004)', async () => {
  // The wrapper backgrounds a child that escapes the group and one that stays; both must die.
  const child = nursery.spawn({
    command: 'sh',
    args: ['-c', 'setsid sleep 1000 & echo $!; sleep 1000 & echo $!; wait'],
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: number[] = [];
  await new Promise<void>((resolve) => {
    child.stdout?.on('data', (d: Buffer) => {
      for (const l of d.toString().split('\n')) if (l) lines.push(Number(l));
      if (lines.length >= 2) resolve();
    });
  });
  await child.stop();
  assert.deepEqual(lines.filter(alive), []);
});

test('stop() kills a setsid() descendant whose parent died before the stop (adopted by our subreaper)', async () => {
  // The inner shell starts an escaping sleep and exits at once: the sleep is reparented to us
  // before stop() is called, so neither the tree walk nor the session can reach it.
  const child = nursery.spawn({
    command: 'sh',
    args: ['-c', 'sh -c "setsid sleep 1000 & echo \\$!"; sleep 1000'],
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const escaped = Number(await readJsonLine<number>(child.stdout));
  // setsid(1) calls setsid() before it execs sleep, so wait for the exec as well as the adoption.
  await waitFor(
    () => {
      const s = stat(escaped);
      return s?.ppid === process.pid && s.session === escaped && s.comm === 'sleep';
    },
    10_000,
    'the escaped sleep to be adopted',
  );
  await child.stop();
  assert.equal(alive(escaped), false);
});

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  await assertNoLeftovers();
});
