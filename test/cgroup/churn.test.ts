// No cgroup and no file descriptor left behind by many spawns and stops under cgroup containment
// (the issue asks for 1,000; batches of ten children at a time, half stopped, half exiting by
// themselves), and the subtree goes with the last child cgroup; a cgroup that a child made below
// its own goes with it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Nursery } from '../../src/index.js';
import { assertNoLeftovers, openFds, waitFor } from '../helpers/proc.js';
import { cgroupDirOf, cgroupSkip, killAndRemove, ourSubtrees, procsBelow, subdirs } from '../helpers/cgroup.js';

const skip = cgroupSkip();
const CYCLES = 1000;
const BATCH = 10;
const nursery = new Nursery({ containment: 'cgroup', log: false });
after(async () => {
  await nursery.close({ signal: 'SIGKILL' });
  for (const dir of ourSubtrees()) await killAndRemove(dir);
});

async function batch(): Promise<void> {
  const children = Array.from({ length: BATCH }, (_, i) =>
    i % 2 === 0
      ? nursery.spawn({ command: 'sleep', args: ['1000'], stdio: 'ignore' })
      : nursery.spawn({ command: 'sh', args: ['-c', 'exit 0'], stdio: 'ignore' }),
  );
  const exits = await Promise.all(children.map((c, i) => (i % 2 === 0 ? c.stop() : c.exited)));
  for (const [i, e] of exits.entries()) assert.equal(i % 2 === 0 ? e.stopped : e.code === 0, true);
}

test(`${CYCLES} spawns and stops leave no cgroup and no file descriptor`, { skip }, async () => {
  await batch(); // warm up: the spare descriptor, lazily loaded modules, the pidfd binding
  const fds = openFds();
  const t0 = performance.now();
  for (let i = 0; i < CYCLES / BATCH; i++) {
    await batch();
    assert.deepEqual(
      ourSubtrees().flatMap((d) => subdirs(d)),
      [],
      `after batch ${i}`,
    );
  }
  console.log(`# ${CYCLES} spawn+stop/exit cycles under 'cgroup': ${(performance.now() - t0).toFixed(0)} ms`);
  assert.deepEqual(ourSubtrees(), []);
  assert.equal(openFds(), fds);
});

test('a child that made a cgroup below its own, with a process in it: stop() removes both', { skip }, async () => {
  const h = nursery.spawn({
    command: 'sh',
    args: ['-c', 'read d; mkdir "$d/sub" && sh -c \'echo 0 >"$1/sub/cgroup.procs"; exec sleep 1000\' sh "$d" & wait'],
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  const own = (): string => /^0::(.*)$/m.exec(readFileSync(`/proc/${h.pid}/cgroup`, 'utf8'))?.[1] ?? '';
  await waitFor(() => /\/c\d+$/.test(own()), 30_000, 'the child to be in its cgroup');
  const dir = cgroupDirOf(own());
  h.stdin?.end(`${dir}\n`);
  await waitFor(() => procsBelow(join(dir, 'sub')).length === 1, 30_000, 'the sleep in the sub-cgroup');
  assert.equal((await h.stop()).stopped, true);
  assert.equal(existsSync(dir), false);
  assert.deepEqual(ourSubtrees(), []);
});

test('no leftovers', async () => {
  await assertNoLeftovers();
});
