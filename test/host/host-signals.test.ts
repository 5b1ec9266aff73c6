import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Nursery, isNurseryError } from '../../src/index.js';
import { alive, assertNoLeftovers, waitFor } from '../helpers/proc.js';
import { readJsonLine } from '../helpers/tree.js';

const HOST = fileURLToPath(new URL('../fixtures/signal-host.js', import.meta.url));
const nursery = new Nursery({ subreaper: true, log: false });
after(() => nursery.close());

async function startHost(mode = '') {
  const host = nursery.spawn({
    command: process.execPath,
    args: [HOST, mode],
    stdio: ['ignore', 'pipe', 'inherit'],
    killLeftovers: false,
  });
  const pids = await readJsonLine<{ child: number; escaped: number; canary?: number }>(host.stdout);
  await waitFor(() => alive(pids.escaped), 10_000, 'the escaped grandchild');
  return { host, pids };
}

test('stopOnSignals: SIGINT to the host stops its trees, then the host dies of SIGINT', async () => {
  const { host, pids } = await startHost();
  assert.equal(host.signal('SIGINT'), true);
  const info = await host.exited;
  assert.equal(info.signal, 'SIGINT', 'the host ends as it would have without nursery');
  assert.equal(alive(pids.child), false);
  assert.equal(alive(pids.escaped), false, 'the setsid grandchild was stopped too');
});

test('stopOnSignals: a second signal during a graceful stop SIGKILLs the trees at once', async () => {
  const { host, pids } = await startHost('ignore-term');
  const canary = pids.canary ?? 0;
  assert.ok(alive(canary), 'the canary runs');
  host.signal('SIGTERM');
  // Not a fixed pause: wait until the graceful stop has reached the tree (the canary, which does
  // not ignore SIGTERM, dies of it). Sent earlier, the second signal could merge with the first.
  await waitFor(() => !alive(canary), 30_000, 'the first signal to start a graceful stop');
  assert.equal(alive(pids.child), true, 'the child ignores SIGTERM and the grace is 60 s');
  host.signal('SIGTERM');
  await waitFor(() => !alive(pids.child), 20_000, 'the second signal to SIGKILL the tree, long before the grace ends');
  const info = await host.exited;
  assert.equal(info.signal, 'SIGTERM');
});

test('without stopOnSignals a Nursery adds no signal listener', async () => {
  const before = ['SIGINT', 'SIGTERM', 'SIGHUP'].map((s) => process.listenerCount(s));
  const n = new Nursery({ log: false });
  assert.deepEqual(
    ['SIGINT', 'SIGTERM', 'SIGHUP'].map((s) => process.listenerCount(s)),
    before,
  );
  await n.close();
  const withSignals = new Nursery({ log: false, stopOnSignals: ['SIGHUP'] });
  assert.equal(process.listenerCount('SIGHUP'), (before[2] ?? 0) + 1);
  await withSignals.close();
  assert.equal(process.listenerCount('SIGHUP'), before[2]);
  assert.throws(
    () => new Nursery({ stopOnSignals: ['SIGUSR1' as never] }),
    (e: unknown) => isNurseryError(e) && e.code === 'ERR_NURSERY_INVALID_OPTION',
  );
});

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  await assertNoLeftovers();
});
