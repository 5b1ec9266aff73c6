// No descriptor leaks (issue 13): 10,000 spawns and stops, as a subreaper, every 100th a tree with
// an escapee that called setsid() (so the stop holds it by pidfd), leave this process's open
// descriptors where they were, and no pidfd open. The cost is the host's fork of itself (about 10
// ms a spawn on a loaded 2-core machine, 20 ms and more beside other suites), so no new cycle
// starts after BUDGET_MS, and the output says how many ran; at least MIN_N must. NURSERY_FD_LEAK_N
// and NURSERY_FD_LEAK_BUDGET_MS change both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readlinkSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Nursery } from '../../src/index.js';
import { alive, assertNoLeftovers, openFds, stat, waitFor } from '../helpers/proc.js';
import { readJsonLine } from '../helpers/tree.js';

const N = Number(process.env.NURSERY_FD_LEAK_N ?? 10_000);
const BUDGET_MS = Number(process.env.NURSERY_FD_LEAK_BUDGET_MS ?? 90_000);
const MIN_N = Math.min(N, 1_000);
const AT_ONCE = 16;
const ESCAPE_EVERY = 100;

const nursery = new Nursery({ subreaper: true, log: false });

function pidfds(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === 'anon_inode:[pidfd]') n++;
    } catch {
      // closed while we looked (the readdir's own descriptor)
    }
  }
  return n;
}

// A shell that starts a setsid'd sleep and, once /proc shows it leading its own session (field 6
// of its stat), prints its PID as a JSON array and waits.
const ESCAPE = `setsid sleep 1000 & e=$!
while :; do
  read -r s <"/proc/$e/stat" || exit 3
  set -- \${s##*") "}
  [ "$4" = "$e" ] && break
done
echo "[$e]"
wait`;

async function escapeeTree(): Promise<number> {
  const h = nursery.spawn({ command: '/bin/sh', args: ['-c', ESCAPE], stdio: ['ignore', 'pipe', 'inherit'] });
  const [escapee] = await readJsonLine<number[]>(h.stdout);
  h.stdout?.destroy();
  assert.ok(escapee !== undefined && stat(escapee)?.session === escapee, 'the escapee left the session');
  const info = await h.stop();
  assert.equal(info.signal, 'SIGTERM');
  assert.ok(!alive(escapee), `escapee ${escapee} was stopped with its tree`);
  return escapee;
}

async function plain(): Promise<void> {
  const h = nursery.spawn({ command: 'sleep', args: ['1000'], stdio: 'ignore' });
  await h.stop();
}

/** Runs cycles [from, to) with AT_ONCE in flight, none started after `until`; returns how many ran. */
async function cycles(from: number, to: number, until = Infinity): Promise<number> {
  let next = from;
  const worker = async (): Promise<void> => {
    while (next < to && performance.now() < until) {
      const i = next++;
      await (i % ESCAPE_EVERY === ESCAPE_EVERY - 1 ? escapeeTree() : plain());
    }
  };
  await Promise.all(Array.from({ length: AT_ONCE }, worker));
  return next - from;
}

test(`up to ${N} spawns and stops (every ${ESCAPE_EVERY}th with a setsid escapee) leak no descriptor`, async () => {
  // Warm-up: what is opened once for good (libuv's signal pipe, libc through koffi) is opened here.
  await cycles(ESCAPE_EVERY - AT_ONCE, ESCAPE_EVERY);
  await waitFor(() => pidfds() === 0, 10_000, 'the warm-up to close its pidfds');
  const before = openFds();
  const t0 = performance.now();
  const ran = await cycles(0, N, t0 + BUDGET_MS);
  const ms = performance.now() - t0;
  // Pipes are closed by libuv on a later turn of the loop: give them time, then compare.
  await waitFor(() => openFds() <= before, 30_000, `open descriptors back to ${before}`);
  const after = openFds();
  const cut = ran < N ? ` (of ${N}: no new one after ${BUDGET_MS / 1000} s)` : '';
  process.stdout.write(`# ${ran} spawns and stops${cut} in ${(ms / 1000).toFixed(1)} s; fds ${before} -> ${after}\n`);
  assert.ok(ran >= MIN_N, `only ${ran} cycles ran within the budget`);
  assert.equal(after, before, 'the descriptor count is where it was');
  assert.equal(pidfds(), 0, 'no pidfd is left open');
  assert.equal(nursery.list().length, 0);
});

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  await assertNoLeftovers();
});
