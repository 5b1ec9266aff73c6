// The notification fd (spawn option notifyFd, for s6's readiness protocol): a pipe's write end at
// fd N in the child, its read end as handle.notify; with an IPC channel beside it; refused where it
// makes no sense; and no file descriptor left in the host after hundreds of spawns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import { Nursery, type Handle } from '../../src/index.js';
import { assertNoLeftovers, openFds, waitFor } from '../helpers/proc.js';

const nursery = new Nursery({ log: false });

/** Everything the stream carries until EOF, as text. */
function readAll(stream: Readable | null): Promise<string> {
  assert.ok(stream, 'the stream exists');
  return new Promise((resolve, reject) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (text += chunk));
    stream.once('end', () => resolve(text));
    stream.once('error', reject);
  });
}

/** The messages a child sent before its channel closed. */
function messagesOf(child: Handle): Promise<unknown[]> {
  return (async () => {
    const got: unknown[] = [];
    for await (const m of child.messages()) got.push(m);
    return got;
  })();
}

test('an unmodified shell writes a newline to fd 5; handle.notify reads it; fds 3 and 4 stay closed', async () => {
  // The shell lists its own fds (on stdout), then says ready the s6 way.
  const child = nursery.spawn({ command: 'sh', args: ['-c', 'ls /proc/$$/fd; echo >&5'], notifyFd: 5 });
  const [notified, listed, exit] = await Promise.all([readAll(child.notify), readAll(child.stdout), child.exited]);
  assert.equal(notified, '\n');
  assert.equal(exit.code, 0);
  const fds = listed.split('\n').filter(Boolean);
  assert.ok(fds.includes('5'), `fd 5 is open in the child: ${fds.join(' ')}`);
  assert.ok(!fds.includes('3') && !fds.includes('4'), `fds 3 and 4 are not: ${fds.join(' ')}`);
});

test('handle.notify is null without notifyFd', async () => {
  const child = nursery.spawn({ command: 'true', stdio: 'ignore' });
  assert.equal(child.notify, null);
  await child.exited;
});

// Node finds its channel through NODE_CHANNEL_FD, which nursery sets to a free index: 3 when the
// notification pipe is elsewhere, 4 when it is at 3.
for (const fd of [3, 5]) {
  test(`notifyFd ${fd} and an IPC channel side by side: both reach the host`, async () => {
    const script = `require('node:fs').writeSync(${fd}, '\\n'); process.send('ready', () => process.disconnect());`;
    const child = nursery.spawn({ command: process.execPath, args: ['-e', script], notifyFd: fd, ipc: true });
    const [notified, messages, exit] = await Promise.all([readAll(child.notify), messagesOf(child), child.exited]);
    assert.equal(notified, '\n');
    assert.deepEqual(messages, ['ready']);
    assert.equal(exit.code, 0);
  });
}

test('stop() of a child that never says ready ends the notification pipe too', async () => {
  const child = nursery.spawn({ command: 'sleep', args: ['1000'], notifyFd: 3, stdio: 'ignore' });
  const notified = readAll(child.notify);
  const exit = await child.stop();
  assert.equal(exit.stopped, true);
  assert.equal(await notified, '', 'EOF, no newline');
});

test('notifyFd is checked: an integer from 3 to 1023, not in PTY mode', () => {
  for (const bad of [0, 2, 1024, 3.5, '5', -1, Number.NaN]) {
    assert.throws(
      () => nursery.spawn({ command: 'true', notifyFd: bad as number }),
      { code: 'ERR_NURSERY_INVALID_OPTION', option: 'notifyFd' },
      `notifyFd ${String(bad)} is refused`,
    );
  }
  assert.throws(() => nursery.spawn({ mode: 'pty', command: 'true', notifyFd: 3 } as never), {
    code: 'ERR_NURSERY_INVALID_OPTION',
    option: 'notifyFd',
  });
});

test(
  '300 spawns with a notification pipe (and IPC on some) leave no fd open in the host',
  { timeout: 300_000 },
  async () => {
    const once = async (i: number): Promise<void> => {
      const ipc = i % 3 === 0;
      const child = nursery.spawn({
        command: 'sh',
        args: ['-c', 'echo >&4'],
        notifyFd: 4,
        stdio: 'ignore',
        ...(ipc ? { ipc } : {}),
      });
      // An IPC channel the child never uses closes with its exit.
      const [notified] = await Promise.all([readAll(child.notify), child.exited]);
      assert.equal(notified, '\n');
    };
    await once(0); // warm up
    const fds = openFds();
    for (let batch = 0; batch < 30; batch++) await Promise.all(Array.from({ length: 10 }, (_, i) => once(i)));
    // A pipe is closed a turn after its EOF: poll, then judge.
    await waitFor(() => openFds() <= fds, 10_000, 'the pipes to close').catch(() => undefined);
    assert.equal(openFds(), fds, 'no file descriptor leaked');
  },
);

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  await assertNoLeftovers();
});
