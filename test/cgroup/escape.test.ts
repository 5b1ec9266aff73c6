// Nothing escapes a stop under cgroup containment: a tree that forks in tight loops, setsid()s and
// double-forks (a setsid'd fork loop whose parent is gone included) leaves zero processes, judged
// by /proc (every process of the tree carries a marker in its environment) and by the child's
// cgroup, which is removed once empty. The same tree under 'group' is measured and its survivors
// are printed, not failed on: a process group and a /proc walk cannot hold an orphan in a session
// of its own; what nursery reports must still be true of what it saw.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { assertNoLeftovers } from '../helpers/proc.js';
import { cgroupSkip, killAndRemove, ourSubtrees, procsBelow } from '../helpers/cgroup.js';
import { type StormOptions, storm, stormCleanups } from '../helpers/storm.js';

const skip = cgroupSkip();
after(async () => {
  for (const c of stormCleanups.splice(0)) await c();
  for (const dir of ourSubtrees()) await killAndRemove(dir);
});

const cases: [string, StormOptions][] = [
  ['dies on SIGTERM', { containment: 'cgroup' }],
  ['ignores SIGTERM: cgroup.kill at the end of the grace', { containment: 'cgroup', ignoreTerm: true, graceMs: 300 }],
  [
    'ignores SIGTERM: a second stop with SIGKILL',
    { containment: 'cgroup', ignoreTerm: true, graceMs: 600_000, tighten: true },
  ],
];

for (const [what, options] of cases)
  test(`'cgroup', a tree that ${what}: stop() leaves zero processes`, { skip }, async () => {
    const r = await storm(options);
    console.log(
      `# containment 'cgroup', tree ${what}: ${r.atStop} processes when stop() began, ` +
        `${r.survivors.length} survivors, ` +
        `stop took ${r.ms.toFixed(0)} ms (grace ${options.graceMs ?? 3000} ms), exit ${r.info.signal}`,
    );
    if (options.ignoreTerm) assert.equal(r.info.signal, 'SIGKILL');
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
    const r = await storm({ containment: 'group', subreaper });
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
  for (const c of stormCleanups.splice(0)) await c();
  await assertNoLeftovers();
});
