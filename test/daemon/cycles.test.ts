// 1,000 daemon create-destroy cycles (a real launcher, a real stop, real re-parenting to us as
// subreaper): no zombie of ours, nothing reaped past the manager (the reaper's leak count stays 0),
// no file descriptor and no registry entry left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopDaemonsUnder } from '../helpers/daemons.js';
import { Nursery } from '../../src/index.js';
import { assertNoLeftovers, openFds, ownChildren, waitFor } from '../helpers/proc.js';

const CYCLES = 1000;
const base = mkdtempSync(join(tmpdir(), 'nursery-cycles-'));
const registryDir = join(base, 'reg');
const nursery = new Nursery({ subreaper: true, log: false, registryDir });

// About 20 s on a quiet 2-core machine; several minutes beside four fork loops, hence its own limit.
test(
  `${CYCLES} daemon create-destroy cycles leave no zombie, no leak count, no fd and no entry`,
  { timeout: 10 * 60_000 },
  async () => {
    // Warm up (koffi, the registry directory), then count fds.
    await (await nursery.spawn({ mode: 'daemon', command: 'sleep', args: ['1000'] })).stop();
    const fds = openFds();
    let launched = 0;
    for (let i = 0; i < CYCLES; i++) {
      const d = await nursery.spawn({ mode: 'daemon', command: 'sleep', args: ['1000'], owner: `cycle-${i}` });
      launched++;
      const exit = await d.stop({ graceMs: 5000 });
      assert.equal(exit.stopped, true);
      assert.equal(exit.known, true, 'our subreaper reaped it and handed its status over');
    }
    await waitFor(() => ownChildren().length === 0, 10_000, 'no child or zombie left');
    // Counted, not told apart by PID: beside fork loops the PIDs wrap, and a later daemon may get an
    // earlier one's.
    assert.equal(launched, CYCLES);
    assert.equal(nursery.stats().reaped, 0, 'no daemon went past the manager to the leak detector');
    assert.equal(openFds(), fds, 'no file descriptor leaked');
    assert.deepEqual(readdirSync(registryDir), [], 'no registry entry left');
  },
);

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  await stopDaemonsUnder(base);
  await assertNoLeftovers();
});
