// Wait-for-all: when the command exits, everything left under the init gets SIGTERM and as long as
// it needs within the grace (a slow flush finishes), no longer than it needs (nothing left: no
// wait), and SIGKILL at the grace limit; setsid escapees and orphans included. Both as PID 1 of a
// namespace and as a subreaper.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInit } from '../helpers/init.js';
import { namespaceMembers, pidnsSkip } from '../helpers/pidns.js';
import { alive, assertNoLeftovers, stat, waitFor } from '../helpers/proc.js';

const skip = pidnsSkip();
const dir = mkdtempSync(join(tmpdir(), 'nursery-init-shutdown-'));
const LOOP = 'while :; do sleep 5 & wait $!; done';
// A TERM-ignoring sleep, orphaned: the subshell runs in the foreground, so the sleep ignores SIGTERM
// before the command exits (a `(...) &` subshell might not have set its trap yet).

for (const pidns of [true, false]) {
  const where = pidns ? 'as PID 1' : 'as a subreaper';

  test(`${where}: a descendant that takes 1 s to flush on SIGTERM finishes before the init exits`, async (t) => {
    if (pidns && skip) return t.skip(skip);
    const file = join(dir, `flushed-${pidns}`);
    const ready = `${file}.ready`;
    const slow = `trap 'sleep 1; echo flushed > ${file}; exit 0' TERM; : > ${ready}; ${LOOP}`;
    const main = `sh -c "${slow}" & while [ ! -e ${ready} ]; do sleep 0.01; done; exit 3`;
    const run = startInit(['--grace-ms', '120000'], ['sh', '-c', main], { pidns });
    try {
      const { code } = await run.exit;
      assert.equal(code, 3);
      assert.equal(readFileSync(file, 'utf8'), 'flushed\n', 'written before the init exited');
    } finally {
      await run.kill();
    }
  });

  test(`${where}: a setsid escapee and an orphan are stopped when the command exits, fast`, async (t) => {
    if (pidns && skip) return t.skip(skip);
    // Both die at once on SIGTERM: with a grace of 10 minutes, the init must not wait it out.
    const script = 'setsid sleep 600 & a=$!; (sleep 601 & echo "orphan $!"); echo "escapee $a"; exit 0';
    const started = performance.now();
    const run = startInit(['--grace-ms', '600000', '-v'], ['sh', '-c', script], { pidns });
    try {
      const { code } = await run.exit;
      assert.equal(code, 0);
      assert.ok(performance.now() - started < 300_000, 'the init did not wait out its grace');
      assert.match(run.err(), /SIGTERM to 2 process\(es\) left/);
      assert.match(run.err(), /: was killed by SIGTERM\n[^]*: was killed by SIGTERM\n/);
      if (!pidns) {
        // On the host, the PIDs printed are real: neither process is running any more.
        for (const line of run.out.filter(Boolean)) {
          const pid = Number(line.split(' ')[1]);
          const s = stat(pid);
          assert.ok(s === null || !['sleep'].includes(s.comm) || !alive(pid), `${line} is gone`);
        }
      }
    } finally {
      await run.kill();
    }
  });

  test(`${where}: a descendant that ignores SIGTERM is SIGKILLed at the grace limit`, async (t) => {
    if (pidns && skip) return t.skip(skip);
    const run = startInit(['--grace-ms', '300'], ['sh', '-c', "(trap '' TERM; sleep 600 &); exit 0"], { pidns });
    try {
      assert.equal((await run.exit).code, 0);
      assert.match(run.err(), /1 process\(es\) still running after 300 ms: SIGKILL/);
    } finally {
      await run.kill();
    }
  });
}

test('a second SIGTERM during the shutdown SIGKILLs what is left at once', { skip }, async () => {
  const run = startInit(['--grace-ms', '600000', '-v'], ['sh', '-c', "(trap '' TERM; sleep 600 &); exit 0"], {
    pidns: true,
  });
  try {
    const init = await run.initPid();
    await waitFor(() => /SIGTERM to 1 process\(es\) left/.test(run.err()), 30_000, 'the shutdown to begin');
    process.kill(init, 'SIGTERM');
    assert.equal((await run.exit).code, 0, "still the command's code");
    assert.match(run.err(), /SIGTERM during shutdown: SIGKILL to everything left/);
  } finally {
    await run.kill();
  }
});

test('as PID 1: 500 orphaned grandchildren are reaped as they exit, none left a zombie', { skip }, async () => {
  const script = 'i=0; while [ $i -lt 500 ]; do (true &); i=$((i+1)); done; echo spawned; exec sleep 600';
  const run = startInit(['-v'], ['sh', '-c', script], { pidns: true });
  try {
    await run.line(/^spawned$/);
    const count = (): number =>
      run
        .err()
        .split('\n')
        .filter((l) => /reaped orphan \d+: exited with code 0/.test(l)).length;
    await waitFor(() => count() === 500, 60_000, 'the init to reap 500 orphans');
    const init = await run.initPid();
    const zombies = namespaceMembers(init).filter((p) => stat(p)?.state === 'Z');
    assert.deepEqual(zombies, [], 'no zombie in the namespace');
    process.kill(init, 'SIGTERM');
    assert.equal((await run.exit).code, 143);
  } finally {
    await run.kill();
  }
});

test('the test file leaves no child or zombie behind', async () => {
  rmSync(dir, { recursive: true, force: true });
  await assertNoLeftovers();
});
