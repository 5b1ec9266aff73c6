// PID 1 for real (seeds 000 and 001): a Node program that is PID 1 of its own PID namespace adopts
// every orphan in it. With nursery it reaps them as they exit; without, they stay zombies. The
// counts are exact: the fixture's orphans live until it ends them (see reaper-pid1.ts).
/* eslint-disable nursery/no-raw-child-process -- the namespace is entered through unshare(1), spawned directly */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Nursery } from '../../src/index.js';
import { assertNoLeftovers, waitFor } from '../helpers/proc.js';
import { membersOfNamespace, pidnsSkip } from '../helpers/pidns.js';
import { FIXTURES, readJsonLine } from '../helpers/tree.js';
import { within } from './util.js';

const PID1 = `${FIXTURES}reaper-pid1.js`;
const ORPHANS = 500;

// Hygiene: should anything escape the namespace's end, it comes back here to be reaped.
const nursery = new Nursery({ subreaper: true, log: false });

const skip = pidnsSkip();

interface Report {
  mode: string;
  pid: number;
  ns: string;
  codes: (number | null)[];
  adopted: number;
  reaperRunning: boolean;
  zombies: number;
  liveSleeps: number;
  reaped: number;
  logLines: number;
  settledAfterMs: number;
}

// --kill-child: should this test give up on it, unshare's death SIGKILLs our PID 1, and the
// kernel then kills the rest of its namespace.
async function runAsPid1(mode: 'with-nursery' | 'without'): Promise<Report> {
  const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', process.execPath, PID1, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  try {
    const report = await within(readJsonLine<Report>(child.stdout), 100_000, `the report of PID 1 (${mode})`);
    const [code] = (await within(exited, 30_000, 'unshare to exit')) as [number | null];
    assert.equal(code, 0, 'PID 1 exited by itself with code 0');
    // When PID 1 of a namespace exits the kernel kills the rest of it: nothing may remain.
    await waitFor(() => membersOfNamespace(report.ns).length === 0, 30_000, `the namespace ${report.ns} to be empty`);
    return report;
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  }
}

test(
  'a Node program as PID 1 with a Nursery reaps each of 500 orphans when it exits: no zombie is left',
  { skip, timeout: 120_000 },
  async () => {
    const r = await runAsPid1('with-nursery');
    assert.equal(r.pid, 1, 'the fixture ran as PID 1');
    assert.deepEqual(r.codes, Array(10).fill(0), 'its own children kept their exit codes');
    assert.equal(r.adopted, ORPHANS, 'every grandchild was orphaned to PID 1');
    assert.equal(r.reaperRunning, true, 'new Nursery() started the reaper by itself as PID 1');
    assert.equal(r.liveSleeps, 0);
    // The fixture waits up to 30 s for this: a reaper that left them to its 60 s safety net fails.
    assert.equal(r.zombies, 0, `no zombie left (${r.settledAfterMs} ms after the orphans were ended)`);
    assert.equal(r.reaped, ORPHANS, 'each orphan was counted');
    assert.equal(r.logLines, ORPHANS, 'and logged once');
  },
);

test(
  'the same program as PID 1 without nursery leaves all 500 orphans as zombies',
  { skip, timeout: 120_000 },
  async () => {
    const r = await runAsPid1('without');
    assert.equal(r.pid, 1, 'the fixture ran as PID 1');
    assert.deepEqual(r.codes, Array(10).fill(0));
    assert.equal(r.adopted, ORPHANS, 'every grandchild was orphaned to PID 1');
    assert.equal(r.liveSleeps, 0);
    assert.equal(r.zombies, ORPHANS, 'every orphan stayed a zombie');
  },
);

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  await assertNoLeftovers();
});
