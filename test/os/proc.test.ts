import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { constants } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  childrenByThread,
  childrenOf,
  clockTicksPerSecond,
  descendantsOf,
  membersOf,
  parseStat,
  readStat,
  signalDisposition,
  threadCount,
  uptimeSeconds,
  usageOf,
} from '../../src/os/proc.js';
import { assertNoLeftovers, waitFor } from '../helpers/proc.js';

test('parseStat takes comm up to the last ")" when it holds spaces and parentheses', () => {
  const line = '4242 (a) (b c) S 1 4242 4242 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 987654 0 0';
  const s = parseStat(line);
  assert.deepEqual(s, {
    pid: 4242,
    comm: 'a) (b c',
    state: 'S',
    ppid: 1,
    pgrp: 4242,
    session: 4242,
    startTime: 987654,
    utime: 0,
    stime: 0,
    threads: 1,
    rssPages: 0,
  });
  assert.equal(parseStat('garbage'), null);
});

test('parseStat reads CPU ticks (fields 14, 15), threads (20) and RSS pages (24); usageOf converts them', () => {
  const line = '7 (x) R 1 7 7 0 -1 0 0 0 0 0 250 50 0 0 20 0 3 0 1000 123456 300';
  const s = parseStat(line);
  assert.deepEqual(
    { utime: s?.utime, stime: s?.stime, threads: s?.threads, rssPages: s?.rssPages },
    {
      utime: 250,
      stime: 50,
      threads: 3,
      rssPages: 300,
    },
  );
  const self = readStat('self');
  assert.ok(self);
  const u = usageOf(self);
  assert.ok(u.rssBytes > 0 && u.cpuSeconds > 0, JSON.stringify(u));
});

test('readStat parses a real process whose executable is named "a) (b c"', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nursery-comm-'));
  const exe = join(dir, 'a) (b c');
  copyFileSync('/bin/sleep', exe);
  const cp = spawn(exe, ['1000'], { stdio: 'ignore', detached: true });
  try {
    const s = readStat(cp.pid as number);
    assert.ok(s);
    assert.equal(s.comm, 'a) (b c');
    assert.equal(s.ppid, process.pid);
    assert.equal(s.pgrp, cp.pid);
    assert.equal(s.session, cp.pid);
    assert.ok(s.startTime > 0);
    assert.match(s.state, /^[RS]$/);
  } finally {
    cp.kill('SIGKILL');
    await once(cp, 'exit');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('childrenOf, descendantsOf and membersOf see a real tree', async () => {
  const cp = spawn('sh', ['-c', 'sleep 1000 & sleep 1000 & echo ready; wait'], {
    stdio: ['ignore', 'pipe', 'ignore'],
    detached: true,
  });
  await once(cp.stdout, 'data');
  try {
    const pid = cp.pid as number;
    assert.ok(childrenOf('self').includes(pid));
    const main = childrenByThread().get(process.pid) ?? [];
    assert.ok(main.includes(pid), 'a child spawned from the main thread is listed under it');
    // The shell says "ready" after fork; the children may not have exec'd sleep yet.
    await waitFor(() => descendantsOf(pid).every((d) => d.comm === 'sleep'), 10_000, 'both children to exec sleep');
    const desc = descendantsOf(pid);
    assert.equal(desc.length, 2);
    assert.ok(desc.every((d) => d.comm === 'sleep' && d.ppid === pid));
    assert.equal(membersOf(pid).length, 3);
  } finally {
    process.kill(-(cp.pid as number), 'SIGKILL');
    await once(cp, 'exit');
  }
});

test('readStat of a PID that does not exist is null', () => {
  assert.equal(readStat(2 ** 22 + 7), null);
});

test('uptime, clock ticks, signal disposition and thread count, checked against /proc and getconf', async () => {
  const [up] = readFileSync('/proc/uptime', 'latin1').split(' ');
  assert.ok(uptimeSeconds() >= Number(up));
  const getconf = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  if (getconf.status === 0) assert.equal(clockTicksPerSecond(), Number(getconf.stdout.trim()));
  assert.ok(Number.isInteger(clockTicksPerSecond()) && clockTicksPerSecond() > 0);
  // A shell that ignores SIGUSR1 and traps SIGUSR2; SIGWINCH left alone.
  const cp = spawn('sh', ['-c', "trap '' USR1; trap 'exit 0' USR2; echo ready; while :; do sleep 1; done"], {
    stdio: ['ignore', 'pipe', 'ignore'],
    detached: true,
  });
  await once(cp.stdout, 'data');
  try {
    const pid = cp.pid as number;
    assert.equal(signalDisposition(pid, constants.signals.SIGUSR1), 'ignored');
    assert.equal(signalDisposition(pid, constants.signals.SIGUSR2), 'caught');
    assert.equal(signalDisposition(pid, constants.signals.SIGWINCH), 'default');
    assert.equal(threadCount(pid), 1);
    assert.ok(threadCount(process.pid) > 1, 'node runs a few threads');
  } finally {
    process.kill(-(cp.pid as number), 'SIGKILL');
    await once(cp, 'exit');
  }
  assert.equal(signalDisposition(2 ** 22 + 7, 17), null);
  assert.equal(threadCount(2 ** 22 + 7), 0);
});

test('the test file leaves no child or zombie behind', async () => {
  await assertNoLeftovers();
});
