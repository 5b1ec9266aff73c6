// stopOnSignals beside signal-exit (execa's cleanup uses it): each re-raises the signal only when
// it is the last listener, so each used to defer to the other and the host ignored SIGTERM. Now the
// trees are stopped first, signal-exit's handlers run, and the host dies of SIGTERM as it would
// have without nursery.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Nursery } from '../../src/index.js';
import { alive, assertNoLeftovers, waitFor } from '../helpers/proc.js';
import { FIXTURES, readJsonLine } from '../helpers/tree.js';

const nursery = new Nursery({ subreaper: true, log: false });
after(() => nursery.close({ signal: 'SIGKILL' }));

test('SIGTERM to a host with stopOnSignals and signal-exit: trees stopped, then the host ends', async () => {
  const host = nursery.spawn({
    command: process.execPath,
    args: [`${FIXTURES}signal-exit-host.js`],
    stdio: ['ignore', 'pipe', 'inherit'],
    killLeftovers: false,
  });
  const pids = await readJsonLine<{ child: number; escaped: number }>(host.stdout);
  let out = '';
  host.stdout?.on('data', (d: Buffer) => (out += String(d)));
  await waitFor(() => alive(pids.escaped), 10_000, 'the escaped grandchild');
  assert.equal(host.signal('SIGTERM'), true);
  // A ceiling, not a speed claim: a host that ignores SIGTERM would wait for ever.
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), 60_000)));
  const outcome = await Promise.race([host.exited, late]);
  clearTimeout(timer);
  if (outcome === 'late') await host.stop({ signal: 'SIGKILL' });
  assert.notEqual(outcome, 'late', 'the host ignored SIGTERM');
  if (outcome !== 'late') assert.equal(outcome.signal, 'SIGTERM', 'the host dies of SIGTERM');
  assert.equal(alive(pids.child), false);
  assert.equal(alive(pids.escaped), false, 'the setsid grandchild was stopped first');
  await waitFor(() => out.includes('signal-exit null SIGTERM'), 10_000, "signal-exit's handler");
});

test('assert no leftovers', assertNoLeftovers);
