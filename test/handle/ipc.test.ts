import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Nursery, isNurseryError, type Handle } from '../../src/index.js';
import { FIXTURES } from '../helpers/tree.js';
import { alive, assertNoLeftovers, openFds, ownChildren, stat, waitFor } from '../helpers/proc.js';

const IPC_CHILD = `${FIXTURES}ipc-child.js`;
const nursery = new Nursery({ subreaper: true, log: false });
after(() => nursery.close());

/** The next message the child sends that has `key`. */
function nextWith<T>(child: Handle, key: string): Promise<T> {
  return new Promise((resolve) => {
    const off = child.onMessage((m) => {
      if (typeof m === 'object' && m !== null && key in m) {
        off();
        resolve(m as T);
      }
    });
  });
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<Error> {
  let caught: unknown;
  try {
    await p;
  } catch (error) {
    caught = error;
  }
  assert.ok(isNurseryError(caught), `expected a nursery error, got ${String(caught)}`);
  assert.equal(caught.code, code, (caught as Error).message);
  return caught as Error;
}

test('fork() starts a Node module with an IPC channel: messages both ways, and disconnect() ends it', async () => {
  const child = nursery.fork(IPC_CHILD, ['a', 'b c']);
  const hello = await nextWith<{ pid: number; argv: string[]; execArgv: string[] }>(child, 'hello');
  assert.equal(hello.pid, child.pid);
  assert.deepEqual(hello.argv, ['a', 'b c']);
  assert.deepEqual(hello.execArgv, [], "the parent's execArgv is not passed on by default");
  assert.equal(child.connected, true);
  const echo = nextWith<{ echo: unknown }>(child, 'echo');
  await child.send({ x: 1, s: 'é\n' });
  assert.deepEqual((await echo).echo, { x: 1, s: 'é\n' });
  child.disconnect();
  assert.equal(child.connected, false);
  child.disconnect(); // a second call is a no-op
  const info = await child.exited;
  assert.equal(info.code, 7, 'the child saw the disconnect');
  assert.equal(info.stopped, false);
});

test('fork() passes execArgv and execPath when given', async () => {
  const child = nursery.fork(IPC_CHILD, [], {
    execArgv: ['--max-old-space-size=64'],
    execPath: process.execPath,
    stdio: 'ignore',
  });
  const hello = await nextWith<{ execArgv: string[] }>(child, 'hello');
  assert.deepEqual(hello.execArgv, ['--max-old-space-size=64']);
  await child.stop();
});

test('messages() yields every message in order and ends when the child exits', async () => {
  const child = nursery.spawn({ command: process.execPath, args: [IPC_CHILD], ipc: true, stdio: 'ignore' });
  const it = child.messages();
  const first = await it.next();
  assert.equal((first.value as { hello?: boolean }).hello, true);
  // Two next() calls before either settles: each gets its own message.
  const pair = Promise.all([it.next(), it.next()]);
  await child.send({ flood: 2 });
  assert.deepEqual(
    (await pair).map((r) => r.value),
    [{ n: 0 }, { n: 1 }],
  );
  await child.send({ flood: 500 });
  await child.send({ exitWith: 3 });
  const got: unknown[] = [];
  for await (const m of it) got.push(m);
  assert.deepEqual(
    got,
    Array.from({ length: 500 }, (_, n) => ({ n })),
    'all 500, in order, then the end',
  );
  assert.equal((await child.exited).code, 3);
  assert.equal(child.connected, false);
  assert.deepEqual(
    await child.messages().next(),
    { done: true, value: undefined },
    'a new iterator on a closed channel ends at once',
  );
});

test('advanced serialization carries what JSON cannot: a Map, a BigInt, a Date', async () => {
  const child = nursery.spawn({
    command: process.execPath,
    args: [IPC_CHILD],
    ipc: true,
    serialization: 'advanced',
    stdio: 'ignore',
  });
  const echo = nextWith<{ echo: Map<bigint, Date> }>(child, 'echo');
  const sent = new Map([[10n ** 20n, new Date(0)]]);
  await child.send(sent);
  assert.deepEqual((await echo).echo, sent);
  await child.stop();
});

test('a message JSON cannot encode rejects with ERR_NURSERY_IPC_SEND, and the channel still works', async () => {
  const child = nursery.fork(IPC_CHILD, [], { stdio: 'ignore' });
  const err = await rejectsWith(child.send({ big: 1n }), 'ERR_NURSERY_IPC_SEND');
  assert.ok(err.cause instanceof TypeError, 'the cause is the serializer error');
  const echo = nextWith<{ echo: unknown }>(child, 'echo');
  await child.send('still here');
  assert.equal((await echo).echo, 'still here');
  await child.stop();
});

test('send() after disconnect, or after the child exited, rejects with ERR_NURSERY_IPC_CLOSED', async () => {
  const a = nursery.fork(IPC_CHILD, [], { stdio: 'ignore' });
  a.disconnect();
  const e1 = await rejectsWith(a.send('x'), 'ERR_NURSERY_IPC_CLOSED');
  assert.match(e1.message, /disconnected|exited/);
  await a.exited;
  const b = nursery.fork(IPC_CHILD, [], { stdio: 'ignore' });
  await b.send({ exitWith: 0 });
  await b.exited;
  const e2 = await rejectsWith(b.send('x'), 'ERR_NURSERY_IPC_CLOSED');
  assert.match(e2.message, /exited/);
});

test('a Handle spawned without ipc refuses every IPC call with ERR_NURSERY_NO_IPC', async () => {
  const child = nursery.spawn({ command: 'sleep', args: ['1000'], stdio: 'ignore' });
  assert.equal(child.connected, false);
  await rejectsWith(child.send('x'), 'ERR_NURSERY_NO_IPC');
  for (const call of [() => child.onMessage(() => {}), () => child.messages(), () => child.disconnect()]) {
    await rejectsWith(Promise.resolve().then(call), 'ERR_NURSERY_NO_IPC');
  }
  await child.stop();
});

test('bad IPC options are typed errors and start nothing', async () => {
  const spawned = nursery.stats().spawned;
  const children = ownChildren().length;
  const bad: [string, () => unknown][] = [
    [
      'ERR_NURSERY_INVALID_OPTION',
      () => nursery.spawn({ command: process.execPath, ipc: true, serialization: 'xml' as never }),
    ],
    ['ERR_NURSERY_INVALID_OPTION', () => nursery.spawn({ command: process.execPath, serialization: 'json' })],
    ['ERR_NURSERY_INVALID_OPTION', () => nursery.spawn({ command: process.execPath, ipc: 'yes' as never })],
    ['ERR_NURSERY_UNKNOWN_OPTION', () => nursery.fork(IPC_CHILD, [], { ipc: false } as never)],
    ['ERR_NURSERY_UNKNOWN_OPTION', () => nursery.fork(IPC_CHILD, [], { command: 'x' } as never)],
    ['ERR_NURSERY_INVALID_OPTION', () => nursery.fork(42 as never)],
    ['ERR_NURSERY_INVALID_OPTION', () => nursery.fork(IPC_CHILD, 'a' as never)],
    ['ERR_NURSERY_INVALID_OPTION', () => nursery.fork(IPC_CHILD, [], { execArgv: '--inspect' as never })],
    ['ERR_NURSERY_INVALID_OPTION', () => nursery.fork(IPC_CHILD, [], { execArgv: ['a\0b'] })],
  ];
  for (const [code, fn] of bad) {
    assert.throws(fn, (e: unknown) => isNurseryError(e) && e.code === code && e instanceof TypeError, code);
  }
  const child = nursery.fork(IPC_CHILD, [], { stdio: 'ignore' });
  assert.throws(
    () => child.onMessage('nope' as never),
    (e: unknown) => isNurseryError(e) && e.code === 'ERR_NURSERY_INVALID_OPTION',
  );
  await child.stop();
  assert.equal(nursery.stats().spawned, spawned + 1, 'only the good fork started a process');
  assert.equal(ownChildren().length, children);
});

test('a fork that cannot start (no such execPath) throws ENOENT and leaks no descriptor', async () => {
  const fds = openFds();
  for (let i = 0; i < 50; i++) {
    assert.throws(
      () => nursery.fork(IPC_CHILD, [], { execPath: '/nonexistent/node' }),
      (e: unknown) => isNurseryError(e) && e.code === 'ENOENT',
    );
  }
  await waitFor(() => openFds() <= fds, 10_000, 'the failed forks to release their descriptors').catch(() => undefined);
  assert.equal(openFds(), fds, 'no IPC socket or pipe left open');
});

test(
  'stop() of a forked child kills the grandchild it let ' + 'escape, closes the channel and ends an open iterator',
  async () => {
    const child = nursery.fork(IPC_CHILD, [], { stdio: 'ignore' });
    const it = child.messages();
    await it.next(); // hello
    await child.send({ escape: true });
    const { value } = await it.next();
    const escaped = (value as { escaped: number }).escaped;
    await waitFor(() => stat(escaped)?.comm === 'sleep', 10_000, 'the escaped grandchild to exec sleep');
    assert.equal(stat(escaped)?.session, escaped, 'it left the group with setsid');
    const info = await child.stop();
    assert.equal(info.stopped, true);
    assert.equal(alive(escaped), false);
    assert.equal(child.connected, false);
    assert.deepEqual(await it.next(), { done: true, value: undefined });
  },
);

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  await assertNoLeftovers();
});
