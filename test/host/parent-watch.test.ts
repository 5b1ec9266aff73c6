// dieWithParent, judged by /proc: a host program (test/fixtures/die-with-parent-host.ts) is
// SIGKILLed, and what it started with dieWithParent must be gone within a second, while what it
// started without must live on. This process is a subreaper, so whatever the dead host leaves
// comes back here and is reaped (or, for the survivors the tests expect, killed by identity).
import { test, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Nursery, isNurseryError, type Handle } from '../../src/index.js';
import { alive, assertNoLeftovers, childrenOf, ownChildren, sleep, stat, waitFor } from '../helpers/proc.js';
import { killChecked } from '../reaper/util.js';

const HOST = fileURLToPath(new URL('../fixtures/die-with-parent-host.js', import.meta.url));
const DEADLINE_MS = 1000;
const nursery = new Nursery({ subreaper: true, log: false });
after(() => nursery.close());

interface Host {
  handle: Handle;
  /** Sends one command and resolves with the host's JSON reply (one command at a time). */
  ask<T>(command: string): Promise<T>;
}

// Every process a host reports, with its start time: whatever a failing test leaves running is
// killed after it (by identity), so that one failure does not leave processes on the machine.
const reported = new Map<number, number>();
afterEach(() => {
  for (const [pid, startTime] of reported) killChecked(pid, startTime);
  reported.clear();
});

function record(reply: Record<string, unknown>): void {
  const { child, grandchild, leftovers } = reply;
  for (const pid of [child, grandchild, ...(Array.isArray(leftovers) ? leftovers : [])]) {
    const s = typeof pid === 'number' ? stat(pid) : null;
    if (s) reported.set(s.pid, s.startTime);
  }
}

function startHost(): Host {
  const handle = nursery.spawn({ command: process.execPath, args: [HOST], stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: handle.stdout as NodeJS.ReadableStream });
  return {
    handle,
    ask<T>(command: string): Promise<T> {
      handle.stdin?.write(`${command}\n`);
      return new Promise((resolve) =>
        lines.once('line', (line) => {
          const reply = JSON.parse(line) as Record<string, unknown>;
          record(reply);
          resolve(reply as T);
        }),
      );
    },
  };
}

function isWatcher(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').includes('nursery-parent-watch');
  } catch {
    return false;
  }
}

const watchersOf = (host: number): number[] => childrenOf(host).filter(isWatcher);

/** SIGKILLs the host, then polls every millisecond until none of `pids` runs; the time since the kill. */
async function killHostAndTime(host: Host, pids: number[]): Promise<number> {
  const t0 = performance.now();
  assert.equal(host.handle.signal('SIGKILL'), true);
  while (pids.some(alive) && performance.now() - t0 < 10_000) await sleep(1);
  const elapsed = performance.now() - t0;
  await host.handle.exited;
  return elapsed;
}

function startTimes(pids: number[]): Map<number, number> {
  return new Map(pids.map((pid) => [pid, stat(pid)?.startTime ?? -1]));
}

function killAll(survivors: Map<number, number>): void {
  for (const [pid, startTime] of survivors) assert.ok(killChecked(pid, startTime), `${pid} was alive to be killed`);
}

test('dieWithParent is a boolean option of spawn, fork and run, false by default', async () => {
  const n = new Nursery({ log: false });
  for (const bad of ['yes', 1, null]) {
    assert.throws(
      () => n.spawn({ command: 'true', dieWithParent: bad as never }),
      (e: unknown) =>
        e instanceof TypeError &&
        isNurseryError(e) &&
        e.code === 'ERR_NURSERY_INVALID_OPTION' &&
        /dieWithParent/.test(e.message),
    );
  }
  await assert.rejects(n.run('true', [], { dieWithParent: 'no' as never }), /dieWithParent/);
  assert.throws(() => n.fork('child.js', [], { dieWithParent: 1 as never }), /dieWithParent/);
  assert.equal((await n.run('true', [], { dieWithParent: false })).code, 0);
  await n.close();
});

test('a SIGKILLed host takes its dieWithParent child and its group within 1 s; a sibling lives on', async (t) => {
  const host = startHost();
  const { child, grandchild } = await host.ask<{ child: number; grandchild: number }>('dwp');
  const [watcher] = watchersOf(host.handle.pid);
  assert.ok(watcher !== undefined, 'the first dieWithParent child started a watcher');
  // A hang-up or a Ctrl-C that ends the host must not end the watcher first. (Each signal only
  // after its start time is checked again: the watcher is not our child.)
  const started = stat(watcher)?.startTime;
  // Its `trap` line must have run first: on a busy machine the shell may not have got that far.
  const ignores = (): bigint => {
    const hex = readFileSync(`/proc/${watcher}/status`, 'latin1').match(/^SigIgn:\s*([0-9a-f]+)$/m)?.[1] ?? '0';
    return BigInt(`0x${hex}`);
  };
  const HUP_INT_TERM = (1n << 0n) | (1n << 1n) | (1n << 14n);
  await waitFor(() => (ignores() & HUP_INT_TERM) === HUP_INT_TERM, 10_000, 'the watcher to ignore HUP, INT, TERM');
  for (const sig of ['SIGHUP', 'SIGINT', 'SIGTERM'] as const) {
    assert.equal(stat(watcher)?.startTime, started);
    process.kill(watcher, sig);
  }
  const sibling = (await host.ask<{ child: number }>('plain')).child; // a round trip: signals handled
  const survivor = startTimes([sibling]);
  assert.deepEqual(watchersOf(host.handle.pid), [watcher], 'one watcher, still there');
  assert.equal(alive(watcher), true, 'SIGHUP, SIGINT and SIGTERM are ignored');
  // The grandchild is in the child's group, and the watcher in a session of its own, holding
  // nothing but its stdin pipe (stdout and stderr are /dev/null; cwd is /).
  assert.equal(stat(grandchild)?.pgrp, child);
  assert.equal(stat(watcher)?.session, watcher);
  assert.equal(readlinkSync(`/proc/${watcher}/cwd`), '/');
  const fds = Object.fromEntries(
    readdirSync(`/proc/${watcher}/fd`).map((fd) => [fd, readlinkSync(`/proc/${watcher}/fd/${fd}`)]),
  );
  assert.match(fds['0'] ?? '', /^(socket|pipe):/);
  assert.equal(fds['1'], '/dev/null');
  assert.equal(fds['2'], '/dev/null');

  const elapsed = await killHostAndTime(host, [child, grandchild]);
  t.diagnostic(`host SIGKILL → child and grandchild gone: ${elapsed.toFixed(1)} ms`);
  assert.ok(elapsed <= DEADLINE_MS, `gone ${elapsed.toFixed(0)} ms after the kill (deadline ${DEADLINE_MS} ms)`);
  assert.equal(alive(sibling), true, 'the child without dieWithParent lives on');
  await waitFor(() => !alive(watcher), 2000, 'the watcher to exit once it has acted');
  killAll(survivor);
});

test('no watcher without dieWithParent; close() ends the watcher, reaped at once', async () => {
  const host = startHost();
  const plain = (await host.ask<{ child: number }>('plain')).child;
  assert.deepEqual(childrenOf(host.handle.pid), [plain], 'no watcher without dieWithParent');
  await host.ask('dwp');
  const [watcher] = watchersOf(host.handle.pid);
  assert.ok(watcher !== undefined);
  await host.ask('close');
  // close() resolves after libuv has reaped the watcher: no process left, not even a zombie.
  assert.equal(stat(watcher), null, 'the watcher is gone and reaped when close() resolves');
  assert.deepEqual(childrenOf(host.handle.pid), []);
  host.handle.stdin?.end();
  assert.equal((await host.handle.exited).code, 0);
});

test('neither the watcher nor its pipe holds the host open: it exits by itself, and the watcher follows', async (t) => {
  const host = startHost();
  await host.ask('dwp');
  const [watcher] = watchersOf(host.handle.pid);
  assert.ok(watcher !== undefined);
  await host.ask('stopall');
  host.handle.stdin?.end(); // the host's last handle: it has nothing left to wait for
  const t0 = performance.now();
  assert.equal((await host.handle.exited).code, 0);
  t.diagnostic(`host exited ${(performance.now() - t0).toFixed(0)} ms after its stdin closed`);
  await waitFor(() => stat(watcher) === null, 2000, 'the watcher to exit and be reaped');
});

test('a killed watcher is replaced at the next dieWithParent spawn, which lists the live groups again', async () => {
  const host = startHost();
  const a = await host.ask<{ child: number; grandchild: number }>('dwp');
  const [first] = watchersOf(host.handle.pid);
  assert.ok(first !== undefined);
  assert.ok(killChecked(first, stat(first)?.startTime ?? -1));
  // libuv reaps it like any child: it leaves the host's children without lingering as a zombie.
  await waitFor(() => !childrenOf(host.handle.pid).includes(first), 2000, 'the killed watcher to be reaped');
  const b = await host.ask<{ child: number; grandchild: number }>('dwp');
  const watchers = watchersOf(host.handle.pid);
  assert.equal(watchers.length, 1);
  assert.notEqual(watchers[0], first);
  const elapsed = await killHostAndTime(host, [a.child, a.grandchild, b.child, b.grandchild]);
  assert.ok(elapsed <= DEADLINE_MS, `both groups gone ${elapsed.toFixed(0)} ms after the kill`);
});

test('50 spawn/exit cycles leave nothing listed: a later host SIGKILL kills only the live child', async () => {
  const host = startHost();
  // Every 10th child leaves a sleep in its group: a live group whose PGID was listed once. Were
  // it still listed, the watcher would kill it.
  const { leftovers } = await host.ask<{ leftovers: number[] }>('cycles 50');
  assert.equal(leftovers.length, 5);
  const survivors = startTimes(leftovers);
  const live = await host.ask<{ child: number; grandchild: number }>('dwp');
  const [watcher] = watchersOf(host.handle.pid);
  assert.ok(watcher !== undefined);
  const elapsed = await killHostAndTime(host, [live.child, live.grandchild]);
  assert.ok(elapsed <= DEADLINE_MS, `the live child's group gone ${elapsed.toFixed(0)} ms after the kill`);
  // Once the watcher has exited, its kills are all done.
  await waitFor(() => !alive(watcher), 2000, 'the watcher to exit');
  assert.deepEqual(
    leftovers.filter((pid) => !alive(pid)),
    [],
    'no released group was killed',
  );
  killAll(survivors);
});

test("a worker's child dies with the host while the worker runs, and is let go when it ends", async () => {
  const host = startHost();
  const ended = (await host.ask<{ child: number }>('worker end')).child;
  const running = (await host.ask<{ child: number }>('worker stay')).child;
  const survivors = startTimes([ended]);
  const elapsed = await killHostAndTime(host, [running]);
  assert.ok(elapsed <= DEADLINE_MS, `the running worker's child gone ${elapsed.toFixed(0)} ms after the kill`);
  assert.equal(alive(ended), true, 'the ended worker let its child go');
  killAll(survivors);
});

test('the Nurseries of a thread share one watcher, and the last close() ends it', async () => {
  const watchers = (): number[] =>
    ownChildren()
      .filter((c) => isWatcher(c.pid))
      .map((c) => c.pid);
  assert.deepEqual(watchers(), [], 'none before the first dieWithParent child');
  const a = new Nursery({ log: false });
  const b = new Nursery({ log: false });
  a.spawn({ command: 'sleep', args: ['1000'], stdio: 'ignore', dieWithParent: true });
  b.spawn({ command: 'sleep', args: ['1000'], stdio: 'ignore', dieWithParent: true });
  const [watcher] = watchers();
  assert.ok(watcher !== undefined);
  assert.deepEqual(watchers(), [watcher], 'one watcher for both');
  await a.close();
  assert.equal(alive(watcher), true, 'still used by the other Nursery');
  await b.close();
  assert.equal(stat(watcher), null, 'ended and reaped by the time the last close() resolves');
});

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  await assertNoLeftovers();
});
