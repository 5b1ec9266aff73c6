// A Nursery in a worker thread must not outlive its worker's trees: on worker.terminate() and on
// the main thread's process.exit() the worker runs no more JavaScript (no 'exit' listener), so the
// watcher process (the one behind dieWithParent) holds the worker's groups and kills them when the
// worker's end closes its pipe.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Nursery } from '../../src/index.js';
import { alive, assertNoLeftovers, waitFor } from '../helpers/proc.js';
import { FIXTURES, readJsonLine } from '../helpers/tree.js';

const nursery = new Nursery({ subreaper: true, log: false });
after(() => nursery.close({ signal: 'SIGKILL' }));

for (const mode of ['terminate', 'exit'] as const) {
  const how = mode === 'terminate' ? 'worker.terminate()' : "the main thread's process.exit()";
  test(`a worker's tree is killed on ${how}`, async () => {
    const host = nursery.spawn({
      command: process.execPath,
      args: [`${FIXTURES}worker-trees.js`, mode],
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pids = await readJsonLine<{ child: number; grandchild: number }>(host.stdout);
    try {
      await waitFor(() => !alive(pids.child) && !alive(pids.grandchild), 10_000, `the worker's tree to die (${how})`);
    } finally {
      if (mode === 'terminate') assert.equal(alive(host.pid), true, 'the host keeps running');
      await host.stop({ signal: 'SIGKILL' });
    }
  });
}

test('assert no leftovers', assertNoLeftovers);
