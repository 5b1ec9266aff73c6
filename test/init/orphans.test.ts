// --kill-orphans: a live orphan handed to the init while the command runs gets SIGTERM as soon as
// the init sees it, and SIGKILL if it is still there after the grace. Without the flag it runs on
// until the command exits (then the shutdown stops it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startInit } from '../helpers/init.js';
import { pidnsSkip } from '../helpers/pidns.js';
import { assertNoLeftovers, waitFor } from '../helpers/proc.js';

const skip = pidnsSkip();
const LOOP = 'while :; do sleep 5 & wait $!; done';

test('--kill-orphans stops an adopted orphan while the command runs; SIGKILL if it ignores SIGTERM', async (t) => {
  if (skip) return t.skip(skip);
  const script = `(sleep 600 &); (trap '' TERM; sleep 601 & exit 0) ; echo ready; ${LOOP}`;
  const run = startInit(['--kill-orphans', '--grace-ms', '300', '-v'], ['sh', '-c', script], { pidns: true });
  try {
    await run.line(/^ready$/);
    const reaped = (): string[] => run.err().match(/reaped orphan \d+: was killed by SIG(TERM|KILL)/g) ?? [];
    await waitFor(() => reaped().length === 2, 30_000, `both orphans stopped (log: ${run.err()})`);
    assert.match(run.err(), /orphan \d+ \(sleep\) adopted: SIGTERM \(--kill-orphans\)/);
    assert.match(run.err(), /orphan \d+ \(sleep\) ignored SIGTERM for 300 ms: SIGKILL/);
    assert.deepEqual(
      reaped()
        .map((l) => l.replace(/\d+/, 'N'))
        .sort(),
      ['reaped orphan N: was killed by SIGKILL', 'reaped orphan N: was killed by SIGTERM'],
    );
    process.kill(await run.initPid(), 'SIGTERM');
    assert.equal((await run.exit).code, 143, 'the command was still running: the orphans went, not it');
  } finally {
    await run.kill();
  }
});

test('the test file leaves no child or zombie behind', async () => {
  await assertNoLeftovers();
});
