// The reaper beside libuv (docs/design.md, invariant 2): as a subreaper it reaps the orphans our children
// leave, at once and by PID, and never a child that libuv waits for.
/* eslint-disable nursery/no-raw-child-process --
   the reaper must coexist with plain child_process: these tests use it on purpose */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Nursery, type NurseryOptions, isNurseryError } from '../../src/index.js';
import { alive, assertNoLeftovers, ownChildren, stat, waitFor } from '../helpers/proc.js';
import { collect, killChecked, shell } from './util.js';

// Orphans made below come back to this process (not to the machine's PID 1) and are reaped here.
const nursery = new Nursery({ subreaper: true, log: false });
const reaper = nursery.reaper;
assert.ok(reaper, 'the reaper starts with subreaper: true');

test("seed 001: libuv reports its child's exit code while the reaper reaps the grandchild it orphaned", async () => {
  const events = collect(reaper);
  const before = reaper.stats.reaped;
  // The grandchild lives until this test ends it: a short sleep could exit, and be reaped, before
  // a slow machine let us look at it.
  const r = await shell('setsid sleep 1000 >/dev/null 2>&1 & echo $!; exit 3');
  assert.equal(r.code, 3, "libuv's 'exit' carries the child's own code");
  const [gc] = r.pids;
  assert.ok(gc);
  // By 'close' the shell is gone, so its grandchild has been reparented: to us, the subreaper.
  // (The forked shell may not have exec'd setsid, nor setsid sleep, yet: wait for the name.)
  await waitFor(() => stat(gc)?.comm === 'sleep', 10_000, 'the forked shell to exec setsid and setsid to exec sleep');
  const s = stat(gc);
  assert.ok(s && s.state !== 'Z', 'the grandchild is still running');
  assert.equal(s.ppid, process.pid, 'the orphan is adopted by this process');
  assert.equal(s.session, gc, 'it left our session with setsid');
  assert.equal(s.comm, 'sleep');
  assert.ok(killChecked(gc, s.startTime));
  await waitFor(() => events.some((e) => e.pid === gc), 10_000, `the reap of orphan ${gc}`);
  const e = events.find((x) => x.pid === gc);
  assert.deepEqual(
    { comm: e?.comm, code: e?.code, signal: e?.signal, path: e?.path },
    { comm: 'sleep', code: null, signal: 'SIGKILL', path: 'immediate' },
  );
  assert.equal(reaper.stats.reaped, before + 1, 'exactly one untracked zombie was reaped: the grandchild');
  assert.ok(!events.some((x) => x.pid === r.pid), 'the libuv child was not touched');
  assert.equal(stat(gc), null, 'no <defunct> entry remains');
  assert.deepEqual(
    ownChildren().filter((c) => c.state === 'Z'),
    [],
  );
});

test(
  'a scan that runs while a libuv child is a zombie reaps ' + 'the orphan beside it and leaves the child to libuv',
  async () => {
    const events = collect(reaper);
    // The orphan runs until we end it below, with the event loop already blocked: the reaper cannot
    // take it before the scan under test, however slow the machine.
    const r = await shell('sleep 1000 >/dev/null 2>&1 & echo $!');
    const [orphan] = r.pids;
    assert.ok(orphan);
    const o = stat(orphan);
    assert.ok(o && o.ppid === process.pid, 'the orphan is ours');
    const child = spawn('sh', ['-c', 'exit 4'], { stdio: 'ignore' });
    const exited = once(child, 'exit');
    const pid = child.pid as number;
    assert.ok(killChecked(orphan, o.startTime));
    // Spin without yielding: the event loop cannot run, so libuv cannot reap either of them yet.
    const deadline = Date.now() + 30_000;
    while (stat(pid)?.state !== 'Z' || stat(orphan)?.state !== 'Z') {
      if (Date.now() > deadline) assert.fail('the child and the orphan did not both become zombies');
    }
    assert.equal(reaper.scan(), 1, 'one zombie reaped: the orphan');
    assert.equal(stat(orphan), null);
    assert.equal(stat(pid)?.state, 'Z', "libuv's zombie is left for libuv");
    assert.deepEqual(
      events.map((e) => e.pid),
      [orphan],
    );
    const [code] = await exited;
    assert.equal(code, 4);
    assert.equal(stat(pid), null);
  },
);

test('a child_process spawn that fails leaves nothing in the tracked set', async () => {
  const before = reaper.tracked.size;
  const child = spawn('/nonexistent/nursery-reaper-test', [], { stdio: 'ignore' });
  const err = (await once(child, 'error')) as [NodeJS.ErrnoException];
  assert.equal(err[0].code, 'ENOENT');
  // Node emits 'error' and never 'exit' for a spawn that failed; an entry dropped only on 'exit'
  // stays for the life of the process and is walked by every scan. One scan later it must be gone.
  reaper.scan();
  assert.equal(reaper.tracked.size, before, 'the failed ChildProcess is still held by the tracked set');
});

test("a second Nursery's orphan policy and log apply while another Nursery already runs the reaper", async () => {
  const lines: string[] = [];
  const second = new Nursery({ reaper: true, orphans: 'kill', log: (line) => lines.push(line) });
  try {
    assert.equal(second.reaper, reaper, 'the reaper is shared process-wide');
    const r = await shell('sleep 30 >/dev/null 2>&1 & echo $!');
    const [pid] = r.pids;
    assert.ok(pid);
    const startTime = stat(pid)?.startTime as number;
    try {
      await waitFor(() => !alive(pid), 10_000, `orphan ${pid} to be stopped by the second Nursery's orphans: 'kill'`);
      assert.ok(
        lines.some((l) => l.includes(`pid=${pid}`)),
        "the second Nursery's log received the line about its orphan",
      );
    } finally {
      killChecked(pid, startTime);
      await waitFor(() => stat(pid) === null, 10_000, `orphan ${pid} to be reaped`);
    }
  } finally {
    await second.close();
  }
});

test('a bad reaper option throws a TypeError naming it, and starts nothing', () => {
  const listeners = process.listenerCount('SIGCHLD');
  const cases: [unknown, string, string][] = [
    [{ reaper: 'yes' }, 'reaper', 'ERR_NURSERY_INVALID_OPTION'],
    [{ reaper: { graceMs: -1 } }, 'reaper.graceMs', 'ERR_NURSERY_INVALID_OPTION'],
    [{ reaper: { grace: 5 } }, 'grace', 'ERR_NURSERY_UNKNOWN_OPTION'],
    [{ subreaper: 'true' }, 'subreaper', 'ERR_NURSERY_INVALID_OPTION'],
    [{ subreaper: true, orphans: 'always' }, 'orphans', 'ERR_NURSERY_INVALID_OPTION'],
    [
      { subreaper: true, orphans: { kill: () => true, graceMs: Number.NaN } },
      'orphans.graceMs',
      'ERR_NURSERY_INVALID_OPTION',
    ],
    [{ subreaper: true, log: 'stderr' }, 'log', 'ERR_NURSERY_INVALID_OPTION'],
  ];
  for (const [options, option, code] of cases) {
    assert.throws(
      () => new Nursery(options as NurseryOptions),
      (e: unknown) =>
        e instanceof TypeError &&
        isNurseryError(e) &&
        (e as { code?: string }).code === code &&
        e.message.includes(option),
      `${JSON.stringify(options)} names ${option}`,
    );
  }
  assert.equal(process.listenerCount('SIGCHLD'), listeners, 'no reaper was started by a rejected Nursery');
});

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  await assertNoLeftovers();
});
