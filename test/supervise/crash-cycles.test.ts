// The rule that beats every anchor (issue 14): 1,000 crash cycles of a child that leaves a setsid'd,
// SIGTERM-ignoring grandchild each time. At every exit event (which comes before the next spawn)
// no process of that or an earlier incarnation is alive; at the end nothing is left and no zombie;
// the host's memory stays flat (growth < 5 MB after the warm-up, with a forced GC, V8's own heap
// reservation aside). Each cycle costs the host's fork of itself and a short grace (the grandchild
// ignores SIGTERM): no new cycle starts after BUDGET_MS, the output says how many ran, and at least
// MIN_N must. NURSERY_CRASH_CYCLES and NURSERY_CRASH_BUDGET_MS change both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Nursery } from '../../src/index.js';
import { assertNoLeftovers, stat } from '../helpers/proc.js';
import { nextEvent } from '../helpers/service.js';

const N = Number(process.env.NURSERY_CRASH_CYCLES ?? 1_000);
const BUDGET_MS = Number(process.env.NURSERY_CRASH_BUDGET_MS ?? 150_000);
const MIN_N = Math.min(N, 300);
// The allocator's arenas settle over the first few hundred cycles.
const WARMUP = Math.min(300, Math.floor(N / 3));
const MARK = `NURSERY_CRASH_MARK=${process.pid}`;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Live (not zombie) processes carrying this file's marker. */
function marked(): string[] {
  const found: string[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    let env: string;
    try {
      env = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue;
    }
    const vars = env.split('\0');
    if (!vars.includes(MARK)) continue;
    const s = stat(pid);
    if (s === null || s.state === 'Z') continue;
    found.push(`${pid}(${s.comm} ${s.state} ppid ${s.ppid} ${vars.find((v) => v.startsWith('P=')) ?? 'no P'})`);
  }
  return found;
}

const nursery = new Nursery({ subreaper: true, log: false });

test(
  `up to ${N} crash cycles leave no survivor of an earlier incarnation, no zombie, flat RSS`,
  { timeout: 600_000 },
  async () => {
    const s = nursery.supervise({
      name: 'crasher',
      command: 'sh',
      // SIGTERM ignored from here on, by the grandchild too (ignored signals survive fork and exec).
      // P names the incarnation the escapee belongs to.
      args: ['-c', "trap '' TERM; P=$$ setsid sleep 1000 & exit 1"],
      env: { NURSERY_CRASH_MARK: String(process.pid) },
      stdio: 'ignore',
      graceMs: 20,
      backoff: { initialMs: 0, jitter: 0 },
      crashLoop: { deaths: 1e9, windowMs: 1 },
    });
    const survivorsAtExit: string[] = [];
    let spawns = 0;
    let after = process.memoryUsage();
    const started = performance.now();
    // The exit event comes once the incarnation's tree is gone, and the next spawn only after it (a
    // zero backoff is still a timer): so at every exit, nothing of this or any earlier incarnation may live.
    s.on((e) => {
      if (e.type === 'exit') {
        const left = marked();
        if (left.length > 0) survivorsAtExit.push(`incarnation ${e.exit.incarnation}: ${left.join(' ')}`);
      }
      if (e.type !== 'spawn') return;
      spawns++;
      if (spawns >= N || performance.now() - started > BUDGET_MS) void s.stop();
    });
    await nextEvent(s, 'spawn', 60_000).catch(() => undefined);
    while (spawns < WARMUP && s.state !== 'stopped') await nextEvent(s, 'spawn', 60_000);
    gc();
    after = process.memoryUsage();
    await nextEvent(s, 'stopped', 600_000);
    gc();
    const end = process.memoryUsage();
    const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(2)} MB`;
    // V8 may double its young generation's reservation midway (heapTotal jumps by 8 MB, heapUsed
    // does not): that is the engine's sizing, not a leak. So the RSS growth is judged without the
    // heap's reservation, and the live heap on its own.
    const heapGrowth = end.heapUsed - after.heapUsed;
    const rssGrowth = end.rss - after.rss;
    const nativeGrowth = rssGrowth - (end.heapTotal - after.heapTotal);
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `# ${spawns} crash cycles in ${seconds.toFixed(1)} s; after ${WARMUP} warm-up cycles: RSS ${mb(rssGrowth)}, ` +
        `RSS outside the V8 heap ${mb(nativeGrowth)}, live heap ${mb(heapGrowth)}\n`,
    );
    assert.ok(spawns >= MIN_N, `only ${spawns} cycles ran within ${BUDGET_MS} ms`);
    assert.deepEqual(survivorsAtExit, [], 'a process of an incarnation outlived its exit event');
    assert.ok(nativeGrowth < 5 * 1024 * 1024, `RSS outside the V8 heap grew by ${mb(nativeGrowth)}`);
    assert.ok(heapGrowth < 5 * 1024 * 1024, `the live heap grew by ${mb(heapGrowth)}`);
    assert.equal(s.restarts, spawns - 1);
  },
);

test('cleanup', async () => {
  await nursery.close();
  await assertNoLeftovers();
});
