// Seed 003's lesson: a leak shows as growth over many cycles, not in one. Twenty rounds of every
// pattern the seeds leaked with, and after each round nothing of ours may remain or grow: no
// process, no zombie, no file descriptor, no entry in list().
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Nursery } from '../src/index.js';
import { FIXTURES, TREE, readJsonLine, type TreePids } from './helpers/tree.js';
import { alive, assertNoLeftovers, openFds, ownChildren, waitFor } from './helpers/proc.js';

const ROUNDS = 20;
const nursery = new Nursery({ subreaper: true, log: false });
after(() => nursery.close());

async function round(i: number): Promise<number[]> {
  const pids: number[] = [];
  // A tree with setsid'd members, stopped (every fifth ignores SIGTERM: SIGKILL after the grace).
  const ignoring = i % 5 === 0;
  const tree = nursery.spawn({
    command: process.execPath,
    args: [TREE, '4', '2', ...(ignoring ? ['ignore-term'] : [])],
    stdio: ['ignore', 'pipe', 'inherit'],
    graceMs: 200,
  });
  const p = await readJsonLine<TreePids>(tree.stdout);
  pids.push(p.pid, ...p.group, ...p.setsid);
  const stopped = await tree.stop();
  assert.equal(stopped.signal, ignoring ? 'SIGKILL' : 'SIGTERM');
  // A timed-out tool whose helper would outlive it (seed 001).
  const r = await nursery.run('sh', ['-c', 'sleep 1000 & echo $!; sleep 1000'], { timeoutMs: 50 });
  assert.equal(r.timedOut, true);
  pids.push(...r.stdout.split('\n').filter(Boolean).map(Number));
  // A wrapper whose grandchild escapes by double fork and is adopted by us, then exits (seed 002).
  const w = await nursery.run('sh', ['-c', '(setsid sleep 0.05 >/dev/null 2>&1 & echo $!); exit 0']);
  pids.push(...w.stdout.split('\n').filter(Boolean).map(Number));
  // A forked Node child over IPC that exits by itself.
  const f = nursery.fork(`${FIXTURES}ipc-child.js`, [], { stdio: 'ignore' });
  pids.push(f.pid);
  await f.send({ exitWith: 0 });
  assert.equal((await f.exited).code, 0);
  // A child disposed at the end of its scope.
  {
    await using c = nursery.spawn({ command: 'sleep', args: ['1000'], stdio: 'ignore' });
    pids.push(c.pid);
  }
  return pids;
}

test(`${ROUNDS} rounds of the seeds' patterns: after each, nothing of ours is left and nothing grows`, async () => {
  await round(-1); // warm-up: lazily opened descriptors (the reaper's, the FFI's) are not leaks
  await waitFor(() => ownChildren().length === 0, 10_000, 'the warm-up to leave nothing');
  const fds = openFds();
  const spawned = nursery.stats().spawned;
  for (let i = 0; i < ROUNDS; i++) {
    const pids = await round(i);
    await waitFor(
      () => ownChildren().length === 0,
      10_000,
      `round ${i}: every child and adopted orphan to be gone and reaped`,
    );
    assert.deepEqual(pids.filter(alive), [], `round ${i}: every process it started is gone`);
    assert.deepEqual(nursery.list(), [], `round ${i}: list() is empty`);
    await waitFor(() => openFds() <= fds, 10_000, `round ${i}: descriptors back to ${fds}`).catch(() => undefined);
    assert.equal(openFds(), fds, `round ${i}: no file descriptor more than before`);
  }
  const s = nursery.stats();
  assert.equal(s.spawned - spawned, ROUNDS * 5, 'five children a round');
  assert.equal(s.running, 0);
  assert.equal(s.spawnFailed, 0);
});

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  await assertNoLeftovers();
});
