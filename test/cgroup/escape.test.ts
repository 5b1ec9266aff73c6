// Nothing escapes a stop under cgroup containment: a tree that forks in tight loops, setsid()s and
// double-forks (a setsid'd fork loop whose parent is gone included) leaves zero processes, judged
// by /proc (every process of the tree carries a marker in its environment) and by the child's
// cgroup, which is removed once empty. The same tree under 'group' is measured and its survivors
// are printed, not failed on: a process group and a /proc walk cannot hold an orphan in a session
// of its own; what nursery reports must still be true of what it saw.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Nursery, type Containment } from '../../src/index.js';
import { assertNoLeftovers, waitFor } from '../helpers/proc.js';
import { cgroupSkip, killAndRemove, killMarked, markedProcesses, ourSubtrees, procsBelow } from '../helpers/cgroup.js';

const skip = cgroupSkip();
const MARK = 'NURSERY_TEST_STORM';

// The leader waits; below it: a plain member, a setsid'd one, a double-forked setsid'd pair (its
// parent gone at once), a fork loop, and a setsid'd fork loop whose parent is gone.
const STORM = [
  'sleep 1000 &',
  'setsid sleep 1000 &',
  "(setsid sh -c 'sleep 1000 & exec sleep 1000' &)",
  "(setsid sh -c 'while :; do sleep 1 & done' &)",
  "sh -c 'while :; do sleep 1 & done' &",
  'wait',
].join('\n');

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups) await c();
  for (const dir of ourSubtrees()) await killAndRemove(dir);
});

async function storm(containment: Containment, subreaper: boolean) {
  const marker = `${MARK}=${process.pid}.${containment}.${subreaper}`;
  cleanups.push(() => killMarked(marker));
  const nursery = new Nursery({ containment, subreaper, log: false });
  cleanups.push(() => nursery.close({ signal: 'SIGKILL' }));
  const child = nursery.spawn({
    command: 'sh',
    args: ['-c', STORM],
    stdio: 'ignore',
    env: { [MARK]: marker.slice(MARK.length + 1) },
    graceMs: 3000,
  });
  // Both loops running, and the orphaned pair started.
  await waitFor(() => markedProcesses(marker).length >= 30, 60_000, 'the storm to build up');
  const cgroup = /^0::(.*)$/m.exec(readFileSync(`/proc/${child.pid}/cgroup`, 'utf8'))?.[1] ?? '';
  const atStop = markedProcesses(marker).length;
  const t0 = performance.now();
  const info = await child.stop();
  const ms = performance.now() - t0;
  const survivors = markedProcesses(marker);
  await nursery.close();
  return { info, atStop, survivors, ms, cgroup };
}

test("'cgroup': stop() of a forking, setsid'ing, double-forking tree leaves zero processes", { skip }, async () => {
  const r = await storm('cgroup', false);
  console.log(
    `# containment 'cgroup': ${r.atStop} processes when stop() began, ${r.survivors.length} survivors, ` +
      `stop took ${r.ms.toFixed(0)} ms`,
  );
  assert.match(r.cgroup, /\/nursery\.\d+\.\d+\.\d+\/c\d+$/);
  assert.deepEqual(r.survivors, []);
  assert.equal(r.info.stopped, true);
  assert.equal(r.info.unverified, false);
  // The child's cgroup is removed, which the kernel allows only once it is empty.
  const dir = ourSubtrees()[0];
  assert.equal(dir === undefined || !existsSync(`${dir}/${r.cgroup.split('/').pop() ?? ''}`), true);
  assert.deepEqual(
    ourSubtrees().flatMap((d) => procsBelow(d)),
    [],
  );
});

for (const subreaper of [false, true]) {
  test(`'group' (subreaper: ${subreaper}): the same tree, its survivors measured`, { skip }, async () => {
    const r = await storm('group', subreaper);
    console.log(
      `# containment 'group', subreaper ${subreaper}: ${r.atStop} processes when stop() began, ` +
        `${r.survivors.length} survivors (${survivorNames(r.survivors)}), stop took ${r.ms.toFixed(0)} ms`,
    );
    assert.equal(r.cgroup, /^0::(.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1]);
    // nursery vouches only for what it saw: the stop ran to its end, nothing it held survived.
    assert.equal(r.info.stopped, true);
    assert.equal(r.info.unverified, false);
  });
}

function survivorNames(pids: number[]): string {
  const names = new Map<string, number>();
  for (const p of pids) {
    let comm = '?';
    try {
      comm = readFileSync(`/proc/${p}/comm`, 'utf8').trim();
    } catch {
      // gone since
    }
    names.set(comm, (names.get(comm) ?? 0) + 1);
  }
  return [...names].map(([c, n]) => `${n} ${c}`).join(', ') || 'none';
}

test('no leftovers', async () => {
  for (const c of cleanups.splice(0)) await c();
  await assertNoLeftovers();
});
