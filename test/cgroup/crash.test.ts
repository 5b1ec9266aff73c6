// A host killed by SIGKILL runs no code: its children's cgroups stay, with what runs in them. The
// next Nursery (not on 'group') to start cleans them (cgroup.kill, then rmdir), because their
// owner, named in the subtree (nursery.<pid>.<start time>...), is dead; the subtree of a live
// nursery in another process is never touched.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { Nursery } from '../../src/index.js';
import { alive, assertNoLeftovers, waitFor } from '../helpers/proc.js';
import { FIXTURES, readJsonLine } from '../helpers/tree.js';
import { cgroupDirOf, cgroupSkip, killAndRemove, ourSubtrees } from '../helpers/cgroup.js';

const skip = cgroupSkip();
const HOST = `${FIXTURES}cgroup-host.js`;
// The hosts are started by process groups only: this file's own cgroup use must start after the crash.
const launcher = new Nursery({ log: false });
const made: string[] = [];
after(async () => {
  await launcher.close({ signal: 'SIGKILL' });
  for (const dir of [...made, ...ourSubtrees()]) await killAndRemove(dir);
});

interface HostReport {
  pid: number;
  pids: number[];
  cgroups: string[];
}

async function startHost() {
  const host = launcher.spawn({ command: process.execPath, args: [HOST], stdio: ['ignore', 'pipe', 'inherit'] });
  const report = await readJsonLine<HostReport>(host.stdout);
  // The host's subtree: nursery.<pid>.<start>.<thread>, the parent of each child's cgroup.
  const subtrees = [...new Set(report.cgroups.map((c) => dirname(cgroupDirOf(c))))];
  made.push(...subtrees);
  return { host, report, subtrees };
}

test('a SIGKILLed host leaves cgroups the next start cleans; a live nursery keeps its own', { skip }, async () => {
  const dead = await startHost();
  const live = await startHost();
  assert.equal(dead.subtrees.length, 1);
  assert.ok(dead.report.cgroups.every((c) => c.includes(`/nursery.${dead.report.pid}.`)));
  dead.host.signal('SIGKILL');
  await dead.host.exited;
  // What it left: its cgroups, with its children (the setsid'd one too) still running in them.
  assert.ok(existsSync(dead.subtrees[0] ?? ''));
  assert.ok(dead.report.pids.every(alive));

  const next = new Nursery({ containment: 'cgroup', log: false });
  try {
    await waitFor(() => !existsSync(dead.subtrees[0] ?? ''), 30_000, "the dead host's subtree to be removed");
    await waitFor(() => !dead.report.pids.some(alive), 30_000, "the dead host's children to die");
    // The live host's subtree and children are untouched.
    assert.ok(live.subtrees.every((d) => existsSync(d)));
    assert.ok(live.report.pids.every(alive));
  } finally {
    await next.close();
  }
  live.host.signal('SIGTERM');
  await live.host.exited;
  await waitFor(() => !live.subtrees.some((d) => existsSync(d)), 30_000, "the live host's own cleanup at close");
  assert.ok(!live.report.pids.some(alive));
});

test('no leftovers', async () => {
  await assertNoLeftovers();
});
