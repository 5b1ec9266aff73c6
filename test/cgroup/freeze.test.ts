// Where cgroup.kill is missing (Linux 5.2 to 5.13; forced here with NURSERY_CGROUP_NO_KILL=1), the
// end of the grace is freeze, SIGKILL to each member (held by identity), thaw, again for any found
// later: a TERM-ignoring fork storm still leaves zero processes, and its cgroup is removed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoLeftovers } from '../helpers/proc.js';
import { cgroupSkip, killAndRemove, ourSubtrees, procsBelow } from '../helpers/cgroup.js';
import { storm, stormCleanups } from '../helpers/storm.js';

// Read once, when this process first asks for cgroups (the first Nursery below).
process.env.NURSERY_CGROUP_NO_KILL = '1';
const skip = cgroupSkip();
after(async () => {
  for (const c of stormCleanups.splice(0)) await c();
  for (const dir of ourSubtrees()) await killAndRemove(dir);
});

test("'cgroup' without cgroup.kill: a TERM-ignoring storm is frozen, killed and thawed to zero", { skip }, async () => {
  const r = await storm({ containment: 'cgroup', ignoreTerm: true, graceMs: 300 });
  console.log(
    `# containment 'cgroup', freeze fallback: ${r.atStop} processes when stop() began, ` +
      `${r.survivors.length} survivors, stop took ${r.ms.toFixed(0)} ms (grace 300 ms)`,
  );
  assert.match(r.cgroup, /\/nursery\.\d+\.\d+\.\d+\/c\d+$/);
  assert.deepEqual(r.survivors, []);
  assert.equal(r.info.signal, 'SIGKILL');
  assert.equal(r.info.stopped, true);
  assert.deepEqual(ourSubtrees().flatMap(procsBelow), []);
  assert.deepEqual(ourSubtrees(), []);
});

test('no leftovers', async () => {
  for (const c of stormCleanups.splice(0)) await c();
  await assertNoLeftovers();
});
