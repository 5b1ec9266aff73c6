// The fork-storm tree of test/cgroup/: the leader waits; below it a plain member, a setsid'd one, a
// double-forked setsid'd pair (its parent gone at once), a fork loop, and a setsid'd fork loop
// whose parent is gone. Every process carries a marker in its environment, so /proc tells what is
// left of it whatever group, session or parent it ends up with.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Nursery, type Containment, type ExitInfo } from '../../src/index.js';
import { waitFor } from './proc.js';
import { killMarked, markedProcesses } from './cgroup.js';

const MARK = 'NURSERY_TEST_STORM';
const STORM = [
  'sleep 1000 &',
  'setsid sleep 1000 &',
  "(setsid sh -c 'sleep 1000 & exec sleep 1000' &)",
  "(setsid sh -c 'while :; do sleep 1 & done' &)",
  "sh -c 'while :; do sleep 1 & done' &",
  'wait',
].join('\n');

export interface StormOptions {
  containment: Containment;
  subreaper?: boolean;
  /** The whole tree ignores SIGTERM (inherited SIG_IGN): only SIGKILL ends it. */
  ignoreTerm?: boolean;
  graceMs?: number;
  /** Right after stop(), a second stop with SIGKILL (Escalation.tighten). */
  tighten?: boolean;
}

export interface StormResult {
  info: ExitInfo;
  /** Marked processes when stop() began, and after it resolved. */
  atStop: number;
  survivors: number[];
  ms: number;
  /** The leader's v2 cgroup while it ran. */
  cgroup: string;
}

let runs = 0;
/** Cleanups for the after() hook: SIGKILL to whatever a storm left, however the test ended. */
export const stormCleanups: (() => Promise<void>)[] = [];

export async function storm(o: StormOptions): Promise<StormResult> {
  const marker = `${MARK}=${process.pid}.${++runs}`;
  stormCleanups.push(() => killMarked(marker));
  const nursery = new Nursery({ containment: o.containment, subreaper: o.subreaper ?? false, log: false });
  stormCleanups.push(() => nursery.close({ signal: 'SIGKILL' }));
  const child = nursery.spawn({
    command: 'sh',
    args: ['-c', (o.ignoreTerm ? "trap '' TERM\n" : '') + STORM],
    stdio: 'ignore',
    env: { [MARK]: marker.slice(MARK.length + 1) },
    graceMs: o.graceMs ?? 3000,
  });
  // Both loops running, and the orphaned pair started.
  await waitFor(() => markedProcesses(marker).length >= 30, 60_000, 'the storm to build up');
  const cgroup = /^0::(.*)$/m.exec(readFileSync(`/proc/${child.pid}/cgroup`, 'utf8'))?.[1] ?? '';
  const atStop = markedProcesses(marker).length;
  const t0 = performance.now();
  const stopping = child.stop();
  if (o.tighten) void child.stop({ signal: 'SIGKILL' });
  const info = await stopping;
  const ms = performance.now() - t0;
  const survivors = markedProcesses(marker);
  await nursery.close();
  return { info, atStop, survivors, ms, cgroup };
}
