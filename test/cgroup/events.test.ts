// A stop under cgroup containment learns that the cgroup emptied from cgroup.events' inotify
// event, not only from its polls: the event arrives when the last process exits, and the watch is
// closed on every path (no inotify watch, no descriptor left after many stops). Where no watch can
// be had (NURSERY_CGROUP_NO_WATCH=1 stands in for a file system where inotify misses), the polls
// alone still end the stop.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Nursery } from '../../src/index.js';
import { CgroupEvents } from '../../src/os/cgroup-events.js';
import { assertNoLeftovers, openFds, waitFor } from '../helpers/proc.js';
import { cgroupSkip, killAndRemove, markedProcesses, ownCgroupDir, ourSubtrees, write } from '../helpers/cgroup.js';

const skip = cgroupSkip();
const scratch = join(ownCgroupDir() ?? '/nonexistent', `nursery-test-events.${process.pid}`);
after(async () => {
  await killAndRemove(scratch);
  for (const dir of ourSubtrees()) await killAndRemove(dir);
});

// inotify watches held by this process: one "inotify wd:" line per watch in its fdinfo.
function inotifyWatches(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) !== 'anon_inode:inotify') continue;
      n += readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1')
        .split('\n')
        .filter((l) => l.startsWith('inotify wd:')).length;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

const populated = (dir: string): string =>
  /^populated (\d)$/m.exec(readFileSync(join(dir, 'cgroup.events'), 'latin1'))?.[1] ?? '?';

test('next() settles when the last process of the cgroup exits; close() releases a waiter', { skip }, async () => {
  mkdirSync(scratch);
  const cp = spawn('sleep', ['1000'], { stdio: 'ignore' });
  const exited = new Promise((r) => cp.once('exit', r));
  assert.ok(write(join(scratch, 'cgroup.procs'), String(cp.pid)));
  await waitFor(() => populated(scratch) === '1', 10_000, 'the cgroup to be populated');
  const events = new CgroupEvents(scratch);
  assert.equal(events.watching, true);
  const next = events.next();
  assert.ok(next);
  assert.equal(events.next(), next, 'one promise per change');
  let settled = false;
  void next.then(() => (settled = true));
  cp.kill('SIGKILL');
  await exited;
  // No poll here: only the event can settle it.
  await waitFor(() => settled, 30_000, 'the cgroup.events modify event');
  assert.equal(populated(scratch), '0');
  const waiting = events.next();
  events.close();
  await waiting;
  assert.equal(events.watching, false);
  assert.equal(events.next(), null);
  events.close();
});

async function stops(n: number): Promise<void> {
  const nursery = new Nursery({ containment: 'cgroup', log: false });
  try {
    for (let i = 0; i < n; i++) {
      // Ignores SIGTERM, with a child of its own: the stop ends only by cgroup.kill and the empty cgroup.
      const h = nursery.spawn({
        command: 'sh',
        args: ['-c', "trap '' TERM; sleep 1000 & wait"],
        stdio: 'ignore',
        env: { NURSERY_TEST_EVENTS: `${process.pid}.${i}` },
        graceMs: 20,
      });
      // The trap is set once the sleep runs (no pipe: its descriptor would close only later).
      const marked = (): number => markedProcesses(`NURSERY_TEST_EVENTS=${process.pid}.${i}`).length;
      await waitFor(() => marked() >= 2, 30_000, 'the trap to be set');
      const info = await h.stop();
      assert.equal(info.stopped, true);
      assert.equal(info.signal, 'SIGKILL');
    }
  } finally {
    await nursery.close();
  }
  assert.deepEqual(ourSubtrees(), []);
}

test('stops with the watch leave no inotify watch and no descriptor', { skip }, async () => {
  await stops(2); // warm up: libuv's one inotify descriptor, made with the first watch, stays
  const fds = openFds();
  const watches = inotifyWatches();
  await stops(30);
  // A watch is closed a moment after its stop settles, and the warm-up's last one may still have
  // been open at the count above: the number may fall, never grow (a leak adds one per stop).
  await waitFor(() => inotifyWatches() <= watches, 10_000, `inotify watches back to ${watches} (${inotifyWatches()})`);
  await waitFor(() => openFds() <= fds, 10_000, `descriptors back to ${fds} (${openFds()})`);
});

test('without a watch (NURSERY_CGROUP_NO_WATCH=1), the polls end the stop', { skip }, async () => {
  process.env.NURSERY_CGROUP_NO_WATCH = '1';
  try {
    const events = new CgroupEvents(ownCgroupDir() ?? '/');
    assert.equal(events.watching, false);
    assert.equal(events.next(), null);
    const watches = inotifyWatches();
    await stops(5);
    assert.equal(inotifyWatches(), watches);
  } finally {
    delete process.env.NURSERY_CGROUP_NO_WATCH;
  }
});

test('a watch on a cgroup that does not exist is no watch', () => {
  const events = new CgroupEvents(join(scratch, 'no-such-cgroup'));
  assert.equal(events.watching, false);
  assert.equal(events.next(), null);
});

test('no leftovers', async () => {
  await assertNoLeftovers();
});
