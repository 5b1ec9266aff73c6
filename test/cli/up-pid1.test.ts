// `nursery up` as a container's PID 1: an orphan that a service left (setsid'd, its tree tag
// scrubbed, its parent gone) is adopted, stopped gracefully (its TERM trap runs), and when the
// SIGTERM'd run ends nothing is left in the namespace; the exit code is 0.
/* eslint-disable nursery/no-raw-child-process -- the namespace is entered through unshare(1) */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pidnsSkip } from '../helpers/pidns.js';
import { assertNoLeftovers, childrenOf, waitFor } from '../helpers/proc.js';
import { FIXTURES } from '../helpers/tree.js';

const skip = pidnsSkip();
const dir = mkdtempSync(join(tmpdir(), 'nursery-up-pid1-'));

test('as PID 1: orphans stopped, nothing left, exit 0 on SIGTERM', { skip }, async () => {
  const bye = join(dir, 'orphan-bye');
  const lateBye = join(dir, 'late-orphan-bye');
  // An orphan: out of the service's group and session, without the tree tag, its parent gone.
  const orphan = (file: string): string =>
    `trap 'echo bye > ${file}; exit 0' TERM; echo > ${file}.trap; while :; do sleep 1; done`;
  // One left while the service runs, one left by the service's own TERM trap during the stop (it
  // exits once the orphan's trap is set). Either the Nursery's stop finds them (the orphan policy,
  // the stop of adopted orphans) or the wait-for-all at the end does: both traps must run.
  const leaveLate =
    `(env -u NURSERY_TREE setsid sh -c \\"${orphan(lateBye)}\\" &); ` +
    `while [ ! -f ${lateBye}.trap ]; do sleep 0.01; done; exit 0`;
  writeFileSync(
    join(dir, 'Procfile'),
    [
      `app: echo app up; sleep 600 & wait`,
      `leaver: (env -u NURSERY_TREE setsid sh -c "${orphan(bye)}" &); echo leaver up; sleep 600 & wait`,
      `late: trap "${leaveLate}" TERM; echo late up; sleep 600 & wait`,
    ].join('\n'),
  );
  const run = spawn(
    'unshare',
    ['--pid', '--fork', '--mount-proc', '--kill-child', process.execPath, `${FIXTURES}up-pid1.js`, dir],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = once(run, 'exit');
  let out = '';
  run.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  try {
    await waitFor(
      () => ['leaver  | leaver up', 'app     | app up', 'late    | late up'].every((l) => out.includes(l)),
      60_000,
      'both up',
    );
    let pid1 = 0;
    await waitFor(() => (pid1 = childrenOf(run.pid as number)[0] ?? 0) > 0, 30_000, 'the PID 1 under unshare');
    process.kill(pid1, 'SIGTERM');
    await exited;
    const last = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { pid: number; code: number; left: string[] };
    assert.equal(last.pid, 1, out);
    assert.equal(last.code, 0, out);
    assert.deepEqual(last.left, [], 'processes left in the namespace');
    assert.equal(existsSync(bye) ? readFileSync(bye, 'utf8') : '', 'bye\n', "the orphan's TERM trap ran");
    assert.equal(existsSync(lateBye) ? readFileSync(lateBye, 'utf8') : '', 'bye\n', "the late orphan's TERM trap ran");
  } finally {
    if (run.exitCode === null && run.signalCode === null) {
      run.kill('SIGKILL');
      await exited;
    }
  }
});

test('the test file leaves no child or zombie behind', async () => {
  rmSync(dir, { recursive: true, force: true });
  await assertNoLeftovers();
});
