// Live orphans adopted by us as subreaper: 'keep' leaves them alone, 'kill' stops them after their
// grace, a function decides for each (seed 004 stopped its agents' chrome, node and esbuild).
// Each test has its own Nursery: the policy is a setting of the process-wide reaper.
/* eslint-disable nursery/no-raw-child-process -- the fixture host is spawned directly */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { Nursery } from '../../src/index.js';
import type { OrphanInfo } from '../../src/index.js';
import { alive, assertNoLeftovers, sleep, stat, waitFor } from '../helpers/proc.js';
import { FIXTURES } from '../helpers/tree.js';
import { collect, killChecked, shell, within } from './util.js';

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Starts `command` as an orphan of ours and returns its PID. Its parent shell waits until it runs
 * under its own name before exiting, so the orphan is adopted (and a policy's clock starts) only
 * once it is what the test says, however slow the machine.
 */
async function orphan(command: string, comm: string): Promise<{ pid: number; startTime: number; adoptedAt: number }> {
  const ready = `{ read c </proc/$p/comm; } 2>/dev/null && [ "$c" = ${comm} ]`;
  const poll = 'i=$((i+1)); [ $i -lt 3000 ] || exit 1; sleep 0.01'; // 30 s at most
  const r = await shell(`${command} >/dev/null 2>&1 & p=$!; i=0; until ${ready}; do ${poll}; done; echo $p`);
  const adoptedAt = performance.now();
  assert.equal(r.code, 0, `${command} ran as ${comm} within 30 s`);
  const [pid] = r.pids;
  assert.ok(pid);
  const s = stat(pid);
  assert.equal(s?.comm, comm);
  assert.equal(s?.ppid, process.pid, 'adopted by this process, the subreaper');
  return { pid, startTime: s.startTime, adoptedAt };
}

test("'keep' (the default) leaves a live adopted orphan alone, and its reap is logged when it dies", async () => {
  const lines: string[] = [];
  const nursery = new Nursery({ subreaper: true, log: (line) => lines.push(line) });
  const reaper = nursery.reaper;
  assert.ok(reaper);
  const events = collect(reaper);
  try {
    const o = await orphan('sleep 30', 'sleep');
    // Absence cannot be polled: wait past the 1 s after which a policy would be asked, and scan.
    await sleep(1100);
    reaper.scan();
    assert.ok(alive(o.pid), 'the orphan still runs');
    assert.equal(reaper.stats.orphansKilled, 0);
    assert.deepEqual(lines, []);
    // Now stop it ourselves, by PID, after checking it is still the same process.
    assert.ok(killChecked(o.pid, o.startTime));
    await waitFor(() => events.some((e) => e.pid === o.pid), 10_000, `the reap of orphan ${o.pid}`);
    assert.deepEqual(
      events.map((e) => [e.pid, e.comm, e.code, e.signal, e.path]),
      [[o.pid, 'sleep', null, 'SIGKILL', 'immediate']],
    );
    assert.deepEqual(
      lines,
      [`nursery: reaped untracked zombie pid=${o.pid} comm=sleep signal SIGKILL (immediate)`],
      'one log line per reap',
    );
    assert.equal(stat(o.pid), null);
  } finally {
    await nursery.close();
  }
});

test("'kill' stops a live adopted orphan and its descendants after about a second and counts it", async () => {
  const lines: string[] = [];
  const nursery = new Nursery({ subreaper: true, orphans: 'kill', log: (line) => lines.push(line) });
  const reaper = nursery.reaper;
  assert.ok(reaper);
  const events = collect(reaper);
  try {
    // The orphan (sleep 31) has a child of its own (sleep 30) that it never waits for. It is
    // adopted once it has exec'd sleep 31, so after it forked that child.
    const o = await orphan("sh -c 'sleep 30 & exec sleep 31'", 'sleep');
    const [descendant] = childrenOf(o.pid);
    assert.ok(descendant, `the child of orphan ${o.pid}`);
    await waitFor(() => !alive(o.pid), 10_000, `orphan ${o.pid} to be stopped`);
    const elapsed = performance.now() - o.adoptedAt;
    // The upper bound only tells the policy's timer from the reaper's 60 s safety scan.
    assert.ok(
      elapsed >= 900 && elapsed < 10_000,
      `stopped ${Math.round(elapsed)} ms after adoption, after its 1 s grace`,
    );
    await waitFor(() => !alive(descendant), 10_000, `its descendant ${descendant} to be stopped with it`);
    await waitFor(() => events.length >= 2, 10_000, 'the reap of both');
    assert.deepEqual(
      events.map((e) => [e.pid, e.signal]).sort(),
      [
        [o.pid, 'SIGTERM'],
        [descendant, 'SIGTERM'],
      ].sort(),
      'both were stopped by SIGTERM, then reaped',
    );
    assert.equal(reaper.stats.orphansKilled, 1, 'the adopted orphan is counted (its descendant went with it)');
    assert.ok(lines.includes(`nursery: stopping orphan pid=${o.pid} comm=sleep`));
    assert.equal(nursery.stats().orphansKilled, 1);
  } finally {
    await nursery.close();
  }
});

test('a function policy is asked with pid, comm and cmdline, after its own graceMs', async () => {
  const infos: OrphanInfo[] = [];
  // Its own graceMs is longer than the default 1 s: that it is not asked before 2 s shows which one
  // applies, and a lower bound holds however slow the machine.
  const nursery = new Nursery({
    subreaper: true,
    log: false,
    orphans: {
      kill: (info) => {
        infos.push(info);
        return info.comm === 'sleep';
      },
      graceMs: 2000,
    },
  });
  const reaper = nursery.reaper;
  assert.ok(reaper);
  const events = collect(reaper);
  try {
    const s = await orphan('sleep 30', 'sleep');
    const t = await orphan('tail -f /dev/null', 'tail');
    await waitFor(() => !alive(s.pid), 20_000, `the sleep ${s.pid} to be stopped`);
    const elapsed = performance.now() - s.adoptedAt;
    assert.ok(elapsed >= 2000, `stopped ${Math.round(elapsed)} ms after adoption: after the policy's 2 s`);
    await waitFor(() => infos.some((i) => i.pid === t.pid), 20_000, 'the policy to be asked about tail');
    assert.ok(alive(t.pid), 'the policy said no for tail: it still runs');
    const info = infos.find((i) => i.pid === s.pid);
    assert.ok(info);
    assert.equal(info.comm, 'sleep');
    assert.equal(info.cmdline, 'sleep 30');
    assert.equal(info.addonsLoaded, false);
    assert.ok(info.orphanedMs >= 2000, `asked after ${info.orphanedMs} ms, not after the default 1 s`);
    assert.equal(infos.find((i) => i.pid === t.pid)?.cmdline, 'tail -f /dev/null');
    assert.equal(reaper.stats.orphansKilled, 1);
    assert.ok(killChecked(t.pid, t.startTime));
    await waitFor(
      () => events.some((e) => e.pid === t.pid) && events.some((e) => e.pid === s.pid),
      10_000,
      'the reap of both orphans',
    );
  } finally {
    await nursery.close();
  }
});

test('an orphan policy that throws does not bring the host process down', async () => {
  // Should the host die, its orphan comes back here: this Nursery reaps it once stopped below.
  const nursery = new Nursery({ subreaper: true, log: false });
  try {
    const host = spawn(process.execPath, [`${FIXTURES}reaper-throwing-policy.js`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    host.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    host.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const [code] = (await within(once(host, 'close'), 60_000, 'the host to finish')) as [number | null];
    const lines = out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { orphan?: number; startTime?: number; survived?: boolean; asked?: number });
    const adopted = lines.find((l) => l.orphan !== undefined);
    if (
      adopted?.orphan !== undefined &&
      adopted.startTime !== undefined &&
      killChecked(adopted.orphan, adopted.startTime)
    ) {
      const pid = adopted.orphan;
      await waitFor(() => stat(pid) === null, 10_000, `the dead host's orphan ${pid} to be reaped here`);
    }
    assert.ok(
      lines.some((l) => l.survived === true),
      `the host died from the exception thrown by its policy (exit ${code}): ` +
        `${err.split('\n').find((l) => l.startsWith('Error')) ?? err}`,
    );
    assert.ok((lines.find((l) => l.survived)?.asked ?? 0) >= 1, 'the policy was asked, and threw');
    assert.equal(code, 0);
  } finally {
    await nursery.close();
  }
});

test('the test file leaves no child or zombie behind', async () => {
  await assertNoLeftovers();
});
