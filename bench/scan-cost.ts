// Cost of one reaper scan with thousands of unrelated processes on the host: nursery reads only
// this process's children lists (and the stat of children nobody tracks), seed 001 reads every
// /proc/PID/stat. Measured with the host as it is, and again with 5,000 extra `sleep`s alive.
import { performance } from 'node:perf_hooks';
import { Nursery } from '../src/index.js';
import type { Handle } from '../src/index.js';
import { scanAll } from '../src/os/proc.js';
import { makeOrphans } from './fixtures/orphans.js';
import { spare, unspare } from './lib/guard.js';
import { type Bench, isMain, runStandalone } from './lib/harness.js';
import { pidsOf, readUntil } from './lib/lines.js';
import { shellFixture } from './lib/paths.js';
import { type Recorded, allPids, cleanup, record, running } from './lib/proc.js';
import { type Summary, ms, ratio, summarize } from './lib/stats.js';
import type { Row } from './lib/table.js';

const EXTRA = 5000;
const GROUPS = 5;

interface Point {
  hostPids: number;
  nursery: Summary;
  full: Summary;
}

// Alternating blocks rather than alternating calls: a full scan allocates a stat object per
// process, and one call each way would charge its garbage collection to the next nursery scan.
function measure(scan: () => number, rounds: number): Point {
  const hostPids = allPids().length;
  const a: number[] = [];
  const b: number[] = [];
  const time = (fn: () => unknown, n: number, out: number[]): void => {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      fn();
      out.push(performance.now() - t0);
    }
  };
  for (let r = 0; r < rounds; r++) {
    time(scan, 20, a);
    time(scanAll, 5, b);
  }
  return { hostPids, nursery: summarize(a), full: summarize(b) };
}

async function startHelpers(nursery: Nursery): Promise<{ helpers: Handle[]; recs: Recorded[] }> {
  const helpers: Handle[] = [];
  const pids: number[] = [];
  for (let g = 0; g < GROUPS; g++) {
    // Each helper leads its own group (as every nursery child does) and holds its share of the
    // sleeps as children, so they are neither ours nor orphans.
    const h = nursery.spawn({
      command: 'sh',
      args: [shellFixture('sleeps.sh'), String(EXTRA / GROUPS), 'wait'],
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    helpers.push(h);
    if (!h.stdout) throw new Error('no stdout');
    pids.push(...pidsOf(await readUntil(h.stdout, 'ready', 60_000)));
  }
  return { helpers, recs: record(pids) };
}

export const scanCost: Bench = async (ctx) => {
  const nursery = new Nursery({ subreaper: true, log: false });
  const reaper = nursery.reaper;
  const rows: Row[] = [];
  const rounds = ctx.quick ? 3 : 10;
  try {
    if (!reaper) throw new Error('no reaper here (not Linux, or koffi missing)');
    const scan = (): number => reaper.scan();
    measure(scan, 1); // warm-up: JIT, dentry cache
    ctx.log(`baseline: ${rounds} rounds`);
    const base = measure(scan, rounds);

    ctx.log(`starting ${EXTRA} sleeps in ${GROUPS} groups`);
    const { helpers, recs } = await startHelpers(nursery);
    let loaded: Point;
    try {
      ctx.log(`loaded (${recs.length} extra): ${rounds} rounds`);
      loaded = measure(scan, rounds);
    } finally {
      const t0 = performance.now();
      await Promise.all(helpers.map((h) => h.stop()));
      const stopMs = performance.now() - t0;
      const left = running(recs);
      ctx.log(`stop() of ${GROUPS} helpers with ${recs.length} sleeps: ${ms(stopMs)}, ${left.length} left`);
      const stuck = await cleanup(left);
      if (stuck.length > 0) throw new Error(`${stuck.length} sleeps would not die`);
    }

    // What nursery's scan does cost: this process's own untracked children, e.g. adopted orphans.
    ctx.log('1,000 live adopted orphans as our own children');
    const orphanPids = await makeOrphans(1000, process.pid);
    spare(orphanPids);
    const orphans = record(orphanPids);
    let withOrphans: Point;
    try {
      // One round (~0.4 s): measured before the guard's orphan policy, 1 s after adoption,
      // would start asking about each orphan (and reading its cmdline) on every scan.
      withOrphans = measure(scan, 1);
    } finally {
      const stuck = await cleanup(orphans);
      unspare(orphanPids);
      if (stuck.length > 0) throw new Error(`${stuck.length} orphans would not die`);
    }

    const independent = loaded.nursery.p50 / base.nursery.p50;
    rows.push({
      benchmark:
        `one reaper scan, host at ${base.hostPids} PIDs (baseline): median (p90), n=${base.nursery.n} nursery / ` +
        `${base.full.n} full`,
      nursery: `${ms(base.nursery.p50)} (${ms(base.nursery.p90)})`,
      peers: `full /proc scan (seed 001) ${ms(base.full.p50)} (${ms(base.full.p90)})`,
      ratio: `full ÷ nursery ${ratio(base.full.p50, base.nursery.p50)}`,
      target: 'informational',
      met: null,
    });
    rows.push({
      benchmark:
        `one reaper scan, host at ${loaded.hostPids} PIDs (+${recs.length} sleeps): median (p90), ` +
        `n=${loaded.nursery.n} / ${loaded.full.n}`,
      nursery: `${ms(loaded.nursery.p50)} (${ms(loaded.nursery.p90)}); ${independent.toFixed(2)}x its baseline`,
      peers:
        `full /proc scan (seed 001) ${ms(loaded.full.p50)} (${ms(loaded.full.p90)}); ` +
        `${(loaded.full.p50 / base.full.p50).toFixed(1)}x its baseline`,
      ratio: `full ÷ nursery ${ratio(loaded.full.p50, loaded.nursery.p50)}`,
      target: '>= 20x cheaper; independent of host count',
      // "Independent": within 1.5x of its own baseline, where the full scan grows ~50x.
      met: loaded.full.p50 / loaded.nursery.p50 >= 20 && independent <= 1.5,
    });
    rows.push({
      benchmark:
        `one reaper scan with 1,000 live adopted orphans as our own children (host at ${withOrphans.hostPids} ` +
        `PIDs): median (p90), n=${withOrphans.nursery.n} / ${withOrphans.full.n}`,
      nursery: `${ms(withOrphans.nursery.p50)} (${ms(withOrphans.nursery.p90)})`,
      peers: `full /proc scan (seed 001) ${ms(withOrphans.full.p50)} (${ms(withOrphans.full.p90)})`,
      ratio: `full ÷ nursery ${ratio(withOrphans.full.p50, withOrphans.nursery.p50)}`,
      target: 'informational: the cost follows our own children',
      met: null,
    });
  } finally {
    await nursery.close();
  }
  return {
    rows,
    notes: [
      'scan cost: `nursery.reaper.scan()` (reads /proc/self/task/*/children, then the stat of each untracked ' +
        "child) vs `scanAll()` from src/os/proc.ts (readdir /proc, read every /proc/PID/stat: seed 001's " +
        'approach), timed call by call in alternating blocks (20 nursery scans, then 5 full scans, repeated), so ' +
        "a full scan's garbage is not charged to nursery. Host PIDs counted as numeric entries of /proc (kernel " +
        `threads included). The ${EXTRA} extra processes are \`sleep 1000\` children of ${GROUPS} helper shells ` +
        'started with `nursery.spawn` (each its own group), removed with `handle.stop()` and checked gone by ' +
        "PID and start time. The last row adopts 1,000 live orphans (spared from the guard's orphan policy while " +
        "measured), which nursery's scan must stat one by one.",
    ],
  };
};

if (isMain(import.meta.url)) await runStandalone('scan-cost', scanCost);
