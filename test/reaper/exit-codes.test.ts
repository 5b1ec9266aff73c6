// No exit code is lost (docs/design.md, invariant 2): a blanket waitpid(-1) would take libuv's children
// from it and their 'exit' would never fire. Here 2,000 plain child_process children run in
// bursts while the reaper, as subreaper, reaps the orphans some of them leave.
/* eslint-disable nursery/no-raw-child-process --
   the reaper must coexist with plain child_process: this test uses it on purpose */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Nursery } from '../../src/index.js';
import { assertNoLeftovers, ownChildren, waitFor } from '../helpers/proc.js';
import { collect, within } from './util.js';

const nursery = new Nursery({ subreaper: true, log: false });
const reaper = nursery.reaper;
assert.ok(reaper, 'the reaper starts with subreaper: true');

const BURSTS = 20;
const PER_BURST = 100;

interface Outcome {
  n: number;
  want: number;
  code: number | null;
  signal: NodeJS.Signals | null;
}

function start(n: number, orphan: boolean): Promise<Outcome> {
  const want = n % 256;
  // One child in ten leaves a sleep behind that outlives it by 10 to 50 ms, into the next bursts.
  const script = orphan ? `sleep 0.0${1 + (n % 5)} >/dev/null 2>&1 & exit ${want}` : `exit ${want}`;
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ n, want, code, signal }));
  });
}

test(
  "2,000 plain child_process children in bursts all get their 'exit' " +
    'with the right code while orphans are reaped beside them',
  async () => {
    const events = collect(reaper);
    const wrong: Outcome[] = [];
    let exits = 0;
    let orphans = 0;
    let reapedDuringBursts = 0;
    for (let b = 0; b < BURSTS; b++) {
      const burst: Promise<Outcome>[] = [];
      for (let i = 0; i < PER_BURST; i++) {
        const orphan = i % 10 === 0;
        if (orphan) orphans++;
        burst.push(start(b * PER_BURST + i, orphan));
      }
      // A stolen child never gets its 'exit': the burst would hang, so it is bounded.
      for (const o of await within(Promise.all(burst), 20_000, `the 'exit' of every child of burst ${b}`)) {
        exits++;
        if (o.code !== o.want || o.signal !== null) wrong.push(o);
      }
      if (b < BURSTS - 1) reapedDuringBursts = events.length;
    }
    assert.equal(exits, BURSTS * PER_BURST);
    assert.deepEqual(wrong, [], 'every exit code as the child set it');
    await waitFor(() => events.length >= orphans, 20_000, `the reap of all ${orphans} orphans`);
    assert.equal(events.length, orphans, 'exactly the orphans were reaped by the reaper');
    assert.ok(
      events.every((e) => e.comm === 'sleep' && e.code === 0 && e.path === 'immediate'),
      'only the orphaned sleeps were reaped, each at once: never a libuv child',
    );
    assert.ok(reapedDuringBursts > 0, 'orphans were reaped while the bursts still ran');
    await waitFor(() => ownChildren().length === 0, 20_000, 'no child or zombie left');
  },
);

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  await assertNoLeftovers();
});
