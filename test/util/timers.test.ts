import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Nursery } from '../../src/index.js';
import { MAX_TIMER_MS, setLongTimeout, timerDelay } from '../../src/util/timers.js';
import { assertNoLeftovers, sleep } from '../helpers/proc.js';

// Node's timers overflow past 2^31 - 1 ms and fire after 1 ms instead. Watch for its warning too.
const overflows: string[] = [];
const onWarning = (w: Error): void => void (w.name === 'TimeoutOverflowWarning' && overflows.push(w.message));
process.on('warning', onWarning);
const nursery = new Nursery({ subreaper: true, log: false, reaper: { graceMs: 3e9, safetyIntervalMs: 3e9 } });
after(() => nursery.close());

test('timerDelay keeps a delay within what one Node timer holds', () => {
  assert.equal(timerDelay(3e9), MAX_TIMER_MS);
  assert.equal(timerDelay(0), 1);
  assert.equal(timerDelay(250), 250);
});

test('setLongTimeout fires short delays, holds long ones, and clear() cancels', async () => {
  let fired = 0;
  setLongTimeout(() => fired++, 5);
  const long = setLongTimeout(() => fired++, 3e9);
  const cleared = setLongTimeout(() => fired++, 10);
  cleared.clear();
  // Not a race: timers fire in order of expiry, so the 5 ms one has fired by the time this 100 ms
  // one does, however late both are; the wait is for the 10 ms one that must NOT fire.
  await sleep(100);
  assert.equal(fired, 1, 'only the 5 ms timer fired');
  long.clear();
});

test('a timeoutMs longer than a Node timer can hold (3e9 ms, ~35 days) does not stop the child early', async () => {
  const child = nursery.spawn({ command: 'sleep', args: ['1000'], timeoutMs: 3e9, graceMs: 3e9, stdio: 'ignore' });
  // Absence cannot be polled: an overflowing timer would fire after 1 ms and stop it at once.
  await sleep(200);
  assert.equal(child.state, 'running');
  const info = await child.stop({ graceMs: 1000 });
  assert.equal(info.timedOut, false);
  assert.equal(info.stopped, true);
});

test('a reaper with a 3e9 ms grace and safety interval arms no overflowing timer, and stays idle', async () => {
  assert.ok(nursery.reaper, 'the reaper runs');
  const before = process.cpuUsage();
  // Absence cannot be polled: an overflowing timer would fire every 1 ms; watch 300 ms of idling.
  await sleep(300);
  const used = process.cpuUsage(before);
  assert.ok(used.user + used.system < 100_000, `${used.user + used.system} µs of CPU in 300 ms of idling`);
  assert.deepEqual(overflows, []);
});

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  process.off('warning', onWarning);
  assert.deepEqual(overflows, [], 'no TimeoutOverflowWarning at all');
  await assertNoLeftovers();
});
