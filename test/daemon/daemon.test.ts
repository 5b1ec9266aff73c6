// Daemon mode: a launcher that exits, a registry on disk, attach from another process, and a
// whole-tree stop of a process that is not our child. Judged from /proc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopDaemonsUnder } from '../helpers/daemons.js';
import { Nursery, isNurseryError } from '../../src/index.js';
import { alive, assertNoLeftovers, ownChildren, stat, waitFor } from '../helpers/proc.js';

const base = mkdtempSync(join(tmpdir(), 'nursery-daemon-'));
let dirs = 0;
const freshDir = (): string => join(base, `reg-${++dirs}`);

// The test process is the subreaper: its daemons come back to it, and the orphan policy 'keep'
// leaves them running (the harness above would stop orphans it adopted).
const nursery = new Nursery({ subreaper: true, log: false, registryDir: freshDir() });

const fdTarget = (pid: number, fd: number): string => readlinkSync(`/proc/${pid}/fd/${fd}`);

test('a daemon runs in a session of its own, holds none of our pipes, and its launcher leaves no zombie', async () => {
  const out = join(base, 'out.log');
  const err = join(base, 'err.log');
  const d = await nursery.spawn({
    mode: 'daemon',
    command: 'sh',
    args: ['-c', 'echo started; echo oops >&2; exec sleep 1000'],
    stdout: out,
    stderr: err,
    owner: 'pod-a',
  });
  const s = stat(d.pid);
  assert.ok(s && alive(d.pid));
  // The classic double fork: in a new session and group (its launcher's), not leading it, so it
  // can never acquire a controlling terminal; nothing of ours shares that session.
  const own = stat(process.pid);
  assert.notEqual(s.session, own?.session, 'not in our session');
  assert.notEqual(s.session, d.pid, 'not a session leader');
  assert.equal(s.pgrp, s.session);
  assert.equal(d.pgid, s.pgrp);
  await waitFor(
    () => stat(d.pid)?.ppid === process.pid,
    10_000,
    'its launcher to exit and leave it to us, the subreaper',
  );
  // Its redirections run in the forked shell before exec, which a busy machine may not have
  // scheduled yet when spawn() resolves (the PID is known from the fork): poll.
  await waitFor(() => fdTarget(d.pid, 0) === '/dev/null', 10_000, "the daemon's stdin to be /dev/null");
  await waitFor(() => readFileSync(out, 'utf8') === 'started\n' && readFileSync(err, 'utf8') === 'oops\n', 10_000);
  assert.equal(fdTarget(d.pid, 1), out);
  assert.equal(fdTarget(d.pid, 2), err);
  assert.equal(statSync(out).mode & 0o777, 0o600);
  assert.equal(statSync(err).mode & 0o777, 0o600);
  // libuv reaps the launcher when its exit is processed: poll, a busy machine may take a while.
  await waitFor(() => !ownChildren().some((c) => c.state === 'Z'), 10_000, 'no zombie: the launcher reaped');
  assert.equal(d.mode, 'daemon');
  assert.equal(d.owner, 'pod-a');
  const exit = await d.stop();
  assert.deepEqual(exit, { known: true, code: null, signal: 'SIGTERM', stopped: true });
  assert.ok(!alive(d.pid));
});

test('the registry is private and written whole; daemons() and attach() find a daemon; stop() removes it', async () => {
  const dir = freshDir();
  const n = new Nursery({ subreaper: true, log: false, registryDir: dir });
  const d = await n.spawn({ mode: 'daemon', command: 'sleep', args: ['1000'], owner: 'pod-b' });
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  const files = readdirSync(dir);
  assert.deepEqual(files, [`${d.id}.json`], 'one entry, no temporary file left');
  assert.equal(statSync(join(dir, files[0] ?? '')).mode & 0o777, 0o600);
  const entry = JSON.parse(readFileSync(join(dir, `${d.id}.json`), 'utf8')) as Record<string, unknown>;
  assert.equal(entry.pid, d.pid);
  assert.equal(entry.startTime, stat(d.pid)?.startTime);
  assert.deepEqual(entry.args, ['1000']);
  const listed = n.daemons();
  assert.deepEqual(
    listed.map((x) => [x.id, x.pid, x.owner, x.command]),
    [[d.id, d.pid, 'pod-b', 'sleep']],
  );
  // A second Nursery on the same registry (a later process, in effect) attaches to it.
  const other = new Nursery({ log: false, registryDir: dir });
  const h = other.attach(d.id);
  assert.equal(h.pid, d.pid);
  const exit = await h.stop();
  assert.equal(exit.stopped, true);
  assert.ok(!alive(d.pid));
  await waitFor(() => readdirSync(dir).length === 0, 5000, 'the entry to go');
  assert.deepEqual(n.daemons(), []);
  const ended = await d.exited;
  assert.equal(ended.stopped, false, 'this handle did not stop it; it saw it end');
  await assert.rejects(
    async () => other.attach(d.id),
    (e: unknown) => isNurseryError(e) && e.code === 'ERR_NURSERY_NO_DAEMON',
  );
  await n.close();
  await other.close();
});

test(
  'a daemon adopted by our subreaper hands its real exit ' + 'code over; close() and stopAll() leave daemons alone',
  async () => {
    const fifo = join(base, 'go.fifo');
    assert.equal((await nursery.run('mkfifo', [fifo])).code, 0);
    const d = await nursery.spawn({ mode: 'daemon', command: 'sh', args: ['-c', `read x < ${fifo}; exit 7`] });
    const n2 = new Nursery({ log: false, registryDir: freshDir() });
    await n2.stopAll();
    await n2.close();
    await nursery.stopAll();
    assert.ok(alive(d.pid), 'stopAll() without daemons: true leaves it running');
    writeFileSync(fifo, 'go\n');
    const exit = await d.exited;
    assert.deepEqual(exit, { known: true, code: 7, signal: null, stopped: false });
    assert.equal(nursery.stats().reaped, 0, 'its reap went through the manager, not the leak detector');
  },
);

test('a daemon starts with default dispositions, not the SIGINT/SIGQUIT a shell ignores for `cmd &`', async () => {
  const d = await nursery.spawn({ mode: 'daemon', command: 'sleep', args: ['1000'] });
  // The PID is known from the launcher's fork, before env(1) has reset the dispositions and exec'd
  // the command: judge the command, once it runs (a read before that saw the shell's SigIgn).
  await waitFor(() => stat(d.pid)?.comm === 'sleep', 10_000, 'the daemon to exec its command');
  const ignored = readFileSync(`/proc/${d.pid}/status`, 'latin1').match(/^SigIgn:\s*([0-9a-f]+)$/m)?.[1];
  assert.equal(BigInt(`0x${ignored ?? 'f'}`) & 0b110n, 0n, `SigIgn ${ignored}: SIGINT and SIGQUIT are not ignored`);
  const exit = await d.stop({ signal: 'SIGINT', graceMs: 30_000 });
  assert.deepEqual(exit, { known: true, code: null, signal: 'SIGINT', stopped: true }, 'SIGINT alone ended it');
});

test('daemons() does not list a daemon that ended unseen, even while this process holds its handle', async () => {
  const d = await nursery.spawn({ mode: 'daemon', command: 'sleep', args: ['1000'] });
  assert.ok(nursery.daemons().some((x) => x.id === d.id));
  process.kill(d.pid, 'SIGKILL'); // alive and ours a moment ago: no stranger can hold the PID yet
  await waitFor(() => !alive(d.pid), 10_000, 'the daemon to die');
  assert.ok(!nursery.daemons().some((x) => x.id === d.id), 'an ended daemon is not listed');
  assert.equal((await d.exited).signal, 'SIGKILL');
});

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  await stopDaemonsUnder(base);
  await assertNoLeftovers();
});
