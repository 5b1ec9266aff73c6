// A SIGTERM that reaches `nursery init` as PID 1 while it is still starting. The kernel drops a
// signal sent to a namespace's PID 1 from outside when PID 1 has no handler of its own for it.
// The init holds every forwarded signal from the first line of its subcommand (src/init/early.ts)
// and forwards it once the command runs; what remains is Node's own start-up (~50 ms, more on a
// loaded machine), before any JavaScript runs, when Node's built-in SIGTERM handler re-raises the
// signal at its default action, which the kernel drops for PID 1. tini is exposed for ~1 ms only.
// Repro: `unshare --pid --fork --mount-proc --kill-child bin/nursery init -- sleep 3 & sleep 0.03;
// kill -TERM <the init>` exits 0 after 3 s; with tini it exits 143 at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { startInit } from '../helpers/init.js';
import { pidnsSkip } from '../helpers/pidns.js';
import { assertNoLeftovers, waitFor } from '../helpers/proc.js';

const skip = pidnsSkip();

test(
  'as PID 1: a SIGTERM sent while the init is still starting still ends the command (143)',
  {
    skip,
    todo:
      "Node's own start-up (before any JavaScript) has no handler of ours: the kernel drops the " +
      'signal (a known limit; also a row of bench/init-compare.ts)',
  },
  async () => {
    const run = startInit([], ['sleep', '3'], { pidns: true });
    try {
      const init = await run.initPid();
      await waitFor(() => !readFileSync(`/proc/${init}/cmdline`, 'latin1').startsWith('unshare\0'), 5000, 'exec');
      await sleep(20);
      process.kill(init, 'SIGTERM');
      const t0 = Date.now();
      const { code } = await run.exit;
      assert.equal(code, 143, 'the command got the SIGTERM');
      assert.ok(Date.now() - t0 < 2000, 'not after the command ran to its end');
    } finally {
      await run.kill();
    }
  },
);

test('the test file leaves no child or zombie behind', async () => {
  await assertNoLeftovers();
});
