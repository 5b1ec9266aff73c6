// An application that is PID 1 of its namespace itself and opted in to stopOnSignals: SIGTERM
// stops its children (their TERM trap runs) and the app exits with 143. Before, the re-raised
// signal was dropped by the kernel (PID 1 ignores default-action signals) and the app ran on.
/* eslint-disable nursery/no-raw-child-process -- the namespace is entered through unshare(1) */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pidnsSkip } from '../helpers/pidns.js';
import { assertNoLeftovers, childrenOf, waitFor } from '../helpers/proc.js';
import { FIXTURES, readJsonLine } from '../helpers/tree.js';

const skip = pidnsSkip();
const dir = mkdtempSync(join(tmpdir(), 'nursery-pid1-app-'));

test('as PID 1 with stopOnSignals, SIGTERM stops the children and the app exits 143', { skip }, async () => {
  const file = join(dir, 'stopped');
  const app = spawn(
    'unshare',
    ['--pid', '--fork', '--mount-proc', '--kill-child', process.execPath, `${FIXTURES}pid1-app.js`, file],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = once(app, 'exit');
  try {
    const r = await readJsonLine<{ pid: number; out: string }>(app.stdout);
    assert.equal(r.pid, 1);
    assert.equal(r.out, 'ready');
    let host = 0;
    await waitFor(() => (host = childrenOf(app.pid as number)[0] ?? 0) > 0, 30_000, 'the app under unshare');
    process.kill(host, 'SIGTERM');
    const [code] = (await exited) as [number | null];
    assert.equal(code, 143, 'unshare passes on the code of its PID 1');
    assert.equal(readFileSync(file, 'utf8'), 'stopped\n', "the child's TERM trap ran before the app ended");
  } finally {
    if (app.exitCode === null && app.signalCode === null) {
      app.kill('SIGKILL');
      await exited;
    }
  }
});

test('the test file leaves no child or zombie behind', async () => {
  rmSync(dir, { recursive: true, force: true });
  await assertNoLeftovers();
});
