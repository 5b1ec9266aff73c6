// The restart delays and the crash-loop verdict, with an injected clock: the exact sequence of
// delays, the move to 'fatal' with the exit history, the reset after a long enough run, and one
// real run whose delays are checked within a tolerance. Real processes (`sh -c 'exit 3'`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { Nursery } from '../../src/index.js';
import { TestClock } from '../helpers/clock.js';
import { assertNoLeftovers } from '../helpers/proc.js';
import { nextEvent, record } from '../helpers/service.js';

const nursery = new Nursery({ subreaper: true, log: false });
const crash = { command: 'sh', args: ['-c', 'exit 3'] };

test('the delays grow by the factor up to the ceiling, and the 6th failure in the window is fatal', async () => {
  const clock = new TestClock();
  const s = nursery.supervise(
    {
      ...crash,
      name: 'crashy',
      backoff: { initialMs: 100, factor: 2, maxMs: 500, jitter: 0 },
      crashLoop: { deaths: 6, windowMs: 60_000 },
    },
    { clock },
  );
  const events = record(s);
  const delays: number[] = [];
  for (let i = 0; i < 5; i++) {
    const b = await nextEvent(s, 'backoff');
    assert.equal(s.state, 'backoff');
    delays.push(b.delayMs);
    assert.deepEqual(clock.pending().slice(-1), [b.delayMs], 'one timer, of the announced delay');
    clock.fireNext();
  }
  const fatal = await nextEvent(s, 'fatal');
  assert.deepEqual(delays, [100, 200, 400, 500, 500]);
  assert.equal(s.state, 'fatal');
  assert.equal(s.restarts, 5);
  assert.equal(fatal.history.length, 6);
  assert.ok(fatal.history.every((e) => e.code === 3 && e.failed && e.reason === 'exit'));
  assert.match(fatal.reason, /6 failures within 60000 ms/);
  await assert.rejects(
    s.ready.then(() => Promise.reject(new Error('never ready'))),
    /never ready|fatal/,
  );
  assert.deepEqual(
    events.map((e) => e.type),
    ['spawn', 'ready', 'exit', ...Array(5).fill(['backoff', 'spawn', 'ready', 'exit']).flat(), 'fatal'],
  );
  await assert.rejects(s.restart(), { code: 'ERR_NURSERY_SERVICE_ENDED' });
});

test('failures spread over more than the window never make it fatal', async () => {
  const clock = new TestClock();
  const s = nursery.supervise(
    {
      ...crash,
      name: 'slow-crashy',
      backoff: { initialMs: 10_000, factor: 1, jitter: 0 },
      crashLoop: { deaths: 3, windowMs: 15_000 },
    },
    { clock },
  );
  for (let i = 0; i < 6; i++) {
    await nextEvent(s, 'backoff');
    clock.fireNext();
  }
  await nextEvent(s, 'backoff');
  assert.equal(s.state, 'backoff');
  assert.equal(s.restarts, 6);
  await s.stop();
  assert.equal(s.state, 'stopped');
});

test('the jitter spreads each delay within ±jitter of the base', async () => {
  const clock = new TestClock();
  const randoms = [0, 1, 0.5];
  const s = nursery.supervise(
    { ...crash, name: 'jittery', backoff: { initialMs: 1000, factor: 1, jitter: 0.2 } },
    { clock, random: () => randoms.shift() ?? 0.5 },
  );
  const delays: number[] = [];
  for (let i = 0; i < 3; i++) {
    delays.push((await nextEvent(s, 'backoff')).delayMs);
    clock.fireNext();
  }
  assert.deepEqual(delays, [800, 1200, 1000]);
  await s.stop();
});

test('after running resetAfterMs, the next death waits initialMs again', async (t) => {
  t.after(() => rmSync(`/tmp/nursery-reset-${process.pid}`, { force: true }));
  const clock = new TestClock();
  // Crashes three times, then stays up until told: a marker file decides.
  const s = nursery.supervise(
    {
      command: 'sh',
      args: [
        '-c',
        'n=$(cat "$F" 2>/dev/null || echo 0); echo $((n+1)) > "$F"; [ "$n" -ge 3 ] && exec sleep 1000; exit 1',
      ],
      env: { F: `/tmp/nursery-reset-${process.pid}` },
      name: 'resets',
      backoff: { initialMs: 100, factor: 2, maxMs: 10_000, jitter: 0, resetAfterMs: 5000 },
    },
    { clock },
  );
  const delays: number[] = [];
  const ready = new Promise<void>((resolve) => s.on((e) => e.type === 'ready' && e.incarnation === 4 && resolve()));
  for (let i = 0; i < 3; i++) {
    delays.push((await nextEvent(s, 'backoff')).delayMs);
    clock.fireNext();
  }
  await ready;
  assert.deepEqual(clock.pending(), [5000], 'the reset is armed once ready');
  clock.advance(5000);
  // Up long enough: a crash now waits initialMs.
  const backoff = nextEvent(s, 'backoff');
  assert.ok(s.signal('SIGKILL'));
  assert.equal((await backoff).delayMs, 100);
  assert.deepEqual(delays, [100, 200, 400]);
  await s.stop();
});

test('a real run: each restart waits at least its delay, and not far more', async () => {
  const s = nursery.supervise({ ...crash, name: 'timed', backoff: { initialMs: 100, factor: 2, jitter: 0 } });
  const spawns: number[] = [];
  const delays: number[] = [];
  s.on((e) => {
    if (e.type === 'spawn') spawns.push(performance.now());
    if (e.type === 'backoff') delays.push(e.delayMs);
  });
  while (spawns.length < 4) await nextEvent(s, 'spawn');
  await s.stop();
  assert.deepEqual(delays.slice(0, 3), [100, 200, 400]);
  for (let i = 1; i < 4; i++) {
    const gap = spawns[i]! - spawns[i - 1]!;
    assert.ok(
      gap >= delays[i - 1]! - 2,
      `restart ${i} came after ${gap.toFixed(0)} ms, before its ${delays[i - 1]} ms`,
    );
    // Generous: a loaded machine may be slow, but not by seconds.
    assert.ok(gap < delays[i - 1]! + 5000, `restart ${i} came after ${gap.toFixed(0)} ms`);
  }
});

test('cleanup', async () => {
  await nursery.close();
  await assertNoLeftovers();
});
