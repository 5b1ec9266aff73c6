import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nursery } from '../../src/index.js';
import { alive, assertNoLeftovers, childrenOf, holdUntil, stat, waitFor } from '../helpers/proc.js';

const nursery = new Nursery({ subreaper: true, log: false, owner: 'handle-tests' });
after(() => nursery.close());

async function firstLine(stream: NodeJS.ReadableStream | null): Promise<string> {
  let buf = '';
  for await (const chunk of stream ?? []) {
    buf += String(chunk);
    if (buf.includes('\n')) return buf.split('\n')[0] ?? '';
  }
  return buf;
}

test('a child leads its own process group and session, and exited reports its code', async () => {
  const child = nursery.spawn({ command: 'sh', args: ['-c', 'sleep 0.05; exit 4'], owner: 'job-1', stdio: 'ignore' });
  const s = stat(child.pid);
  assert.equal(s?.pgrp, child.pid);
  assert.equal(s?.session, child.pid);
  assert.equal(child.pgid, child.pid);
  assert.equal(child.owner, 'job-1');
  assert.equal(child.state, 'running');
  assert.ok(Math.abs(child.startedAt - Date.now()) < 10_000);
  const info = await child.exited;
  assert.equal(info.code, 4);
  assert.equal(info.signal, null);
  assert.equal(info.stopped, false);
  // No lower bound of 50 ms: on a loaded machine the host may get the CPU back from spawn() only
  // after part of the child's sleep has already passed.
  assert.ok(info.durationMs > 0 && info.durationMs < 60_000, `durationMs ${info.durationMs}`);
  assert.equal(child.state, 'exited');
});

test('piped stdio gives streams; the owner defaults to the nursery owner', async () => {
  const child = nursery.spawn({ command: 'cat' });
  assert.equal(child.owner, 'handle-tests');
  child.stdin?.end('hello\n');
  assert.equal(await firstLine(child.stdout), 'hello');
  assert.equal((await child.exited).code, 0);
});

test('stop() twice, and stop() after exit, return the same result', async () => {
  const child = nursery.spawn({ command: 'sleep', args: ['1000'], stdio: 'ignore' });
  const a = child.stop();
  const b = child.stop();
  assert.equal(a, b);
  const info = await a;
  assert.equal(info.signal, 'SIGTERM');
  assert.deepEqual(await child.stop(), info);
  const done = nursery.spawn({ command: 'true', stdio: 'ignore' });
  const natural = await done.exited;
  assert.deepEqual(await done.stop(), natural);
});

test('await using stops the child when the scope ends', async () => {
  let pid = 0;
  {
    await using child = nursery.spawn({ command: 'sleep', args: ['1000'], stdio: 'ignore' });
    pid = child.pid;
    assert.ok(alive(pid));
  }
  assert.equal(alive(pid), false);
});

test('timeoutMs stops the whole tree and says so', async () => {
  const child = nursery.spawn({
    command: 'sh',
    args: ['-c', 'setsid sleep 1000 & echo $!; sleep 1000'],
    timeoutMs: 150,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  // However slow the machine, the timeout must strike a tree whose grandchild has escaped: hold
  // the event loop (the timer's) until the shell has forked both and one leads its own session.
  let escaped = 0;
  holdUntil(
    () => {
      const kids = childrenOf(child.pid);
      escaped = kids.find((pid) => stat(pid)?.session === pid) ?? 0;
      return kids.length === 2 && escaped > 0;
    },
    30_000,
    'the setsid grandchild',
  );
  assert.equal(Number(await firstLine(child.stdout)), escaped);
  const info = await child.exited;
  assert.equal(info.timedOut, true);
  assert.equal(info.stopped, true);
  assert.ok(info.durationMs >= 140, `durationMs ${info.durationMs}`);
  assert.equal(alive(escaped), false, 'the setsid grandchild was stopped too');
});

test('an AbortSignal stops the whole tree, also when it was aborted before spawn', async () => {
  const ac = new AbortController();
  const child = nursery.spawn({ command: 'sleep', args: ['1000'], signal: ac.signal, stdio: 'ignore' });
  setTimeout(() => ac.abort(), 20);
  const info = await child.exited;
  assert.equal(info.aborted, true);
  const pre = nursery.spawn({ command: 'sleep', args: ['1000'], signal: AbortSignal.abort(), stdio: 'ignore' });
  assert.equal((await pre.exited).aborted, true);
});

test('list() shows every live child as a plain object, and forgets it once it exits', async () => {
  const child = nursery.spawn({ command: 'sleep', args: ['1000'], owner: 'lister', stdio: 'ignore' });
  const entry = nursery.list().find((c) => c.pid === child.pid);
  assert.ok(entry);
  assert.deepEqual(Object.keys(entry).sort(), [
    'args',
    'command',
    'containment',
    'cpuUsec',
    'memoryBytes',
    'mode',
    'owner',
    'pgid',
    'pid',
    'service',
    'startedAt',
    'state',
    'uptimeMs',
  ]);
  assert.equal(entry.owner, 'lister');
  assert.equal(entry.service, null, 'a plain child belongs to no service');
  assert.equal(child.service, null);
  assert.equal(entry.containment, 'group');
  assert.equal(entry.cpuUsec, null);
  assert.equal(entry.memoryBytes, null);
  assert.equal(entry.mode, 'normal');
  assert.equal(child.mode, 'normal');
  assert.equal(entry.command, 'sleep');
  assert.equal(entry.state, 'running');
  assert.doesNotThrow(() => JSON.stringify(entry));
  await child.stop();
  assert.equal(
    nursery.list().some((c) => c.pid === child.pid),
    false,
  );
});

test('what a child leaves behind when it exits by itself is stopped (killLeftovers)', async () => {
  const before = nursery.stats().leftoversStopped;
  const child = nursery.spawn({
    command: 'sh',
    args: ['-c', 'sleep 1000 & echo $!'],
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const left = Number(await firstLine(child.stdout));
  await child.exited;
  assert.equal(alive(left), false);
  assert.equal(nursery.stats().leftoversStopped, before + 1);
});

test('killLeftovers: false leaves the group alone when the child exits', async () => {
  const child = nursery.spawn({
    command: 'sh',
    args: ['-c', 'sleep 1000 & echo $!'],
    killLeftovers: false,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const left = Number(await firstLine(child.stdout));
  await child.exited;
  assert.equal(alive(left), true);
  // Clean up through a second handle-free path: the orphan is ours (subreaper); SIGKILL it by PID.
  const s = stat(left);
  assert.equal(s?.ppid, process.pid, 'the orphan was adopted by the subreaper');
  process.kill(left, 'SIGKILL');
  await waitFor(() => !alive(left));
});

test('signal() reaches the child alone, and is refused once it has exited', async () => {
  const child = nursery.spawn({
    command: 'sh',
    args: ['-c', 'trap "exit 5" USR1; echo ready; while :; do sleep 0.01; done'],
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await firstLine(child.stdout);
  assert.equal(child.signal('SIGUSR1'), true);
  assert.equal((await child.exited).code, 5);
  assert.equal(child.signal('SIGUSR1'), false);
});

test('stdio takes an open file descriptor: both streams of the child go to one log file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nursery-fd-'));
  const log = join(dir, 'child.log');
  const fd = openSync(log, 'a');
  try {
    const child = nursery.spawn({ command: 'sh', args: ['-c', 'echo out; echo err >&2'], stdio: ['ignore', fd, fd] });
    assert.equal(child.stdout, null);
    assert.equal(child.stderr, null);
    assert.equal((await child.exited).code, 0);
    assert.equal(readFileSync(log, 'utf8'), 'out\nerr\n');
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  'writing to a child that closed its stdin (EPIPE) does ' + "not crash the host; a caller's listener still sees it",
  async () => {
    const quiet = nursery.spawn({ command: 'head', args: ['-c', '1'], stdio: ['pipe', 'ignore', 'ignore'] });
    quiet.stdin?.write(Buffer.alloc(4_000_000));
    assert.equal((await quiet.exited).code, 0);
    if (quiet.stdin && !quiet.stdin.closed) await new Promise((resolve) => quiet.stdin?.once('close', resolve));
    assert.equal(quiet.stdin?.destroyed, true, 'the failed pipe was torn down');
    // Had the EPIPE been unhandled, the runner would have failed this test with an uncaught error.

    const watched = nursery.spawn({ command: 'head', args: ['-c', '1'], stdio: ['pipe', 'ignore', 'ignore'] });
    const seen = new Promise<string | undefined>((resolve) =>
      watched.stdin?.once('error', (e: NodeJS.ErrnoException) => resolve(e.code)),
    );
    watched.stdin?.write(Buffer.alloc(4_000_000));
    assert.equal(await seen, 'EPIPE');
    await watched.exited;
  },
);

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  await assertNoLeftovers();
});
