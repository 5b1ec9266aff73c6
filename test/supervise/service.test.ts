// The Service's life, with real processes judged by /proc: the restart policies, stop() and
// restart() of the whole tree, the rule that no incarnation starts beside a survivor of the last,
// a spawn that fails, and the options refused before anything starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Nursery, isNurseryError } from '../../src/index.js';
import { TestClock } from '../helpers/clock.js';
import { alive, assertNoLeftovers, waitFor } from '../helpers/proc.js';
import { nextEvent, record } from '../helpers/service.js';

const nursery = new Nursery({ subreaper: true, log: false });
const exitWith = (code: number) => ({ command: 'sh', args: ['-c', `exit ${code}`] });

test("'on-failure' (the default) does not restart a success, and ready resolved at spawn", async () => {
  const s = nursery.supervise({ ...exitWith(0), name: 'ok' });
  await s.ready;
  const exit = await nextEvent(s, 'exit');
  assert.equal(exit.exit.code, 0);
  assert.equal(exit.exit.failed, false);
  await waitFor(() => s.state === 'exited');
  assert.equal(s.restarts, 0);
  assert.equal(s.pid, null);
  await s.stop();
  assert.equal(s.state, 'stopped');
});

test('successCodes make an exit a success; preventCodes are never restarted, even with always', async () => {
  const clock = new TestClock();
  const a = nursery.supervise({ ...exitWith(7), name: 'seven', successCodes: [0, 7] }, { clock });
  assert.equal((await nextEvent(a, 'exit')).exit.failed, false);
  await waitFor(() => a.state === 'exited');
  const b = nursery.supervise({ ...exitWith(9), name: 'nine', restart: 'always', preventCodes: [9] }, { clock });
  assert.equal((await nextEvent(b, 'exit')).exit.failed, true);
  await waitFor(() => b.state === 'exited');
  assert.deepEqual(clock.pending(), [], 'no restart armed');
  await Promise.all([a.stop(), b.stop()]);
});

test("'always' restarts a success; 'never' restarts nothing; a function decides from the exit", async () => {
  const clock = new TestClock();
  const always = nursery.supervise({ ...exitWith(0), name: 'always', restart: 'always' }, { clock });
  await nextEvent(always, 'backoff');
  const never = nursery.supervise({ ...exitWith(1), name: 'never', restart: 'never' }, { clock });
  await nextEvent(never, 'exit');
  await waitFor(() => never.state === 'exited');
  const seen: number[] = [];
  const fnClock = new TestClock();
  const fn = nursery.supervise(
    {
      ...exitWith(4),
      name: 'fn',
      restart: (exit) => {
        seen.push(exit.code ?? -1);
        return exit.incarnation < 2;
      },
    },
    { clock: fnClock },
  );
  await nextEvent(fn, 'backoff');
  fnClock.fireNext();
  await waitFor(() => fn.state === 'exited');
  assert.deepEqual(seen, [4, 4]);
  assert.equal(fn.restarts, 1);
  await Promise.all([always.stop(), never.stop(), fn.stop()]);
  assert.equal(always.state, 'stopped');
});

// A child that leaves a setsid'd, SIGTERM-ignoring grandchild and prints its PID.
const LEAVES_ESCAPEE = [
  'setsid sh -c \'trap "" TERM; echo escapee $$; exec sleep 1000\' &',
  'wait $! 2>/dev/null',
  'while :; do sleep 1; done',
].join('\n');

test('restart(): the next incarnation is spawned only when nothing of the last one is left', async () => {
  const s = nursery.supervise({ command: 'sh', args: ['-c', LEAVES_ESCAPEE], name: 'escapes', graceMs: 100 });
  const escapees: number[] = [];
  const atSpawn: boolean[] = [];
  s.on((e) => {
    if (e.type === 'spawn') atSpawn.push(escapees.some(alive));
  });
  const lines = s.lines();
  for (let i = 0; i < 3; i++) {
    for (;;) {
      const { value } = await lines.next();
      const m = /^escapee (\d+)$/.exec(value?.line ?? '');
      if (m) {
        escapees.push(Number(m[1]));
        break;
      }
    }
    if (i < 2) await s.restart();
  }
  assert.deepEqual(atSpawn, [false, false, false], 'an escapee of an earlier incarnation was alive at a spawn');
  assert.equal(s.restarts, 2);
  assert.ok(alive(escapees[2]!));
  await s.stop();
  assert.deepEqual(escapees.filter(alive), []);
  assert.equal(s.lastExit?.reason, 'stop');
  assert.equal((await lines.next()).done, true, 'lines() ends with the service');
});

test('stop(): the whole tree goes, the events end, await using stops too', async () => {
  let pid = 0;
  {
    await using s = nursery.supervise({ command: 'sleep', args: ['1000'], name: 'sleeper' });
    const events = s.events();
    assert.equal((await events.next()).value?.type, 'spawn');
    pid = s.pid!;
    assert.ok(alive(pid));
    void (async () => {
      const types: string[] = [];
      for await (const e of events) types.push(e.type);
      assert.deepEqual(types, ['ready', 'exit', 'stopped']);
    })();
  }
  assert.ok(!alive(pid));
});

test('a command that cannot be spawned: spawn-failed deaths, then fatal; ready rejects', async () => {
  const clock = new TestClock();
  const s = nursery.supervise(
    { command: '/nonexistent/nursery-cmd', name: 'missing', crashLoop: { deaths: 2, windowMs: 10_000 } },
    { clock },
  );
  const backoff = nextEvent(s, 'backoff');
  const first = await nextEvent(s, 'exit');
  assert.equal(first.exit.reason, 'spawn-failed');
  assert.equal(first.exit.pid, 0);
  assert.ok(isNurseryError(first.exit.error) && first.exit.error.code === 'ENOENT');
  await backoff;
  const fatal = nextEvent(s, 'fatal');
  clock.fireNext();
  await fatal;
  await assert.rejects(s.ready, { code: 'ERR_NURSERY_SERVICE_FATAL' });
});

test('bad options are refused by supervise(), before anything starts', () => {
  const bad: [Record<string, unknown>, string][] = [
    [{ restart: 'sometimes' }, 'restart'],
    [{ timeoutMs: 10 }, 'timeoutMs'],
    [{ killLeftovers: false }, 'killLeftovers'],
    [{ backoff: { factor: 0.5 } }, 'backoff.factor'],
    [{ backoff: { initialMs: 100, maxMs: 10 } }, 'backoff.maxMs'],
    [{ backoff: { jitter: 2 } }, 'backoff.jitter'],
    [{ backoff: { speed: 1 } }, 'speed'],
    [{ crashLoop: { deaths: 0 } }, 'crashLoop.deaths'],
    [{ successCodes: [256] }, 'successCodes[0]'],
    [{ logs: { keepLast: -1 } }, 'logs.keepLast'],
    [{ cwd: 5 }, 'cwd'],
  ];
  const before = nursery.list().length;
  for (const [extra, option] of bad) {
    assert.throws(
      () => nursery.supervise({ command: 'sleep', args: ['1000'], ...extra } as never),
      (e: unknown) => isNurseryError(e) && (e as { option?: string }).option === option,
      option,
    );
  }
  assert.equal(nursery.list().length, before, 'nothing was spawned');
});

test('close() stops services (no restart of the child stopped under them)', async () => {
  const n = new Nursery({ subreaper: true, log: false });
  const s = n.supervise({ command: 'sleep', args: ['1000'], name: 'closing', restart: 'always' });
  const events = record(s);
  await s.ready;
  const pid = s.pid!;
  await n.close();
  assert.equal(s.state, 'stopped');
  assert.ok(!alive(pid));
  assert.deepEqual(
    events.map((e) => e.type),
    ['spawn', 'ready', 'exit', 'stopped'],
  );
  assert.deepEqual(n.services(), []);
});

test('cleanup', async () => {
  await nursery.close();
  await assertNoLeftovers();
});
