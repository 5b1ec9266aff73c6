// dieWithParent: how soon after a host's SIGKILL its child and grandchild are gone (the kernel's
// teardown of the host, the watcher's wake-up and its group kill, all included), and what the
// option costs: the watcher's memory, and spawn + wait of /bin/true with and without it.
import { readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Nursery } from '../src/index.js';
import { spare, unspare } from './lib/guard.js';
import { type Bench, isMain, runStandalone } from './lib/harness.js';
import { pidsOf, readUntil } from './lib/lines.js';
import { nodeFixture } from './lib/paths.js';
import { cleanup, record, waitGone } from './lib/proc.js';
import { ms, ratio, summarize } from './lib/stats.js';
import type { Row } from './lib/table.js';

const DEADLINE_MS = 1000;

function watcherOf(host: number): number | null {
  for (const tid of readdirSync(`/proc/${host}/task`)) {
    for (const pid of readFileSync(`/proc/${host}/task/${tid}/children`, 'latin1').split(' ').filter(Boolean)) {
      if (readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('nursery-parent-watch')) return Number(pid);
    }
  }
  return null;
}

function rssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
  return m ? Number(m[1]) : NaN;
}

// One host: started, SIGKILLed once its child and grandchild run; the time until both are gone.
async function oneKill(nursery: Nursery): Promise<{ ms: number; hostMs: number; survivors: number; rss: number }> {
  const host = nursery.spawn({
    command: process.execPath,
    args: [nodeFixture('dwp-host')],
    stdio: ['ignore', 'pipe', 'inherit'],
    killLeftovers: false,
  });
  const pids = pidsOf(await readUntil(host.stdout as NonNullable<typeof host.stdout>, 'ready'));
  const recs = record(pids);
  spare(pids);
  const watcher = watcherOf(host.pid);
  const rss = watcher === null ? NaN : rssKiB(watcher);
  const [hostRec] = record([host.pid]);
  const t0 = performance.now();
  host.signal('SIGKILL');
  // The host's own death (the kernel's teardown of a Node process) is most of the time measured.
  const [gone, hostGone] = await Promise.all([waitGone(recs, 5000, t0), waitGone(hostRec ? [hostRec] : [], 5000, t0)]);
  await host.exited;
  const survivors = gone.left.length + (recs.length === 2 ? 0 : 2 - recs.length);
  await cleanup(gone.left);
  unspare(pids);
  return { ms: gone.ms, hostMs: hostGone.ms, survivors, rss };
}

async function spawnWait(nursery: Nursery, dieWithParent: boolean): Promise<number> {
  const t0 = performance.now();
  await nursery.spawn({ command: 'true', stdio: 'ignore', dieWithParent }).exited;
  return performance.now() - t0;
}

export const dieWithParent: Bench = async (ctx) => {
  const nursery = new Nursery({ log: false });
  const kills = ctx.quick ? 5 : 20;
  const spawns = ctx.quick ? 50 : 200;
  const rows: Row[] = [];
  try {
    ctx.log(`host SIGKILL → dieWithParent group gone: ${kills} hosts`);
    const times: number[] = [];
    const rss: number[] = [];
    const hostTimes: number[] = [];
    let survivors = 0;
    for (let i = 0; i < kills; i++) {
      const r = await oneKill(nursery);
      times.push(r.ms);
      rss.push(r.rss);
      hostTimes.push(r.hostMs);
      survivors += r.survivors;
    }
    const t = summarize(times);
    const h = summarize(hostTimes);
    rows.push({
      benchmark: `dieWithParent: host SIGKILL → its child and the grandchild in its group gone, n=${kills} hosts`,
      nursery:
        `p50 ${ms(t.p50)}, p90 ${ms(t.p90)}, max ${ms(t.max)}; ${survivors}/${2 * kills} survived ` +
        `(the host itself dead: p50 ${ms(h.p50)}, p90 ${ms(h.p90)}, max ${ms(h.max)})`,
      peers: 'without dieWithParent: both live on (reparented), nothing runs in a SIGKILLed host',
      ratio: '—',
      target: `all gone, max <= ${DEADLINE_MS} ms`,
      met: survivors === 0 && t.max <= DEADLINE_MS,
    });

    ctx.log(`spawn + wait of /bin/true with and without dieWithParent: ${spawns} each, interleaved`);
    const with_: number[] = [];
    const without: number[] = [];
    for (let i = 0; i < 5; i++) await spawnWait(nursery, true); // warm-up; starts the watcher
    for (let i = 0; i < spawns; i++) {
      const first = i % 2 === 0;
      (first ? with_ : without).push(await spawnWait(nursery, first));
      (first ? without : with_).push(await spawnWait(nursery, !first));
    }
    const a = summarize(with_);
    const b = summarize(without);
    const r = summarize(rss.filter(Number.isFinite));
    rows.push({
      benchmark:
        `dieWithParent: spawn + wait, \`/bin/true\`, stdio ignore: median (p90), n=${spawns} each; ` +
        "the watcher's RSS",
      nursery: `with ${ms(a.p50)} (${ms(a.p90)}); watcher (one \`sh\` per host thread) RSS ${r.p50} KiB`,
      peers: `without ${ms(b.p50)} (${ms(b.p90)})`,
      ratio: `with ÷ without ${ratio(a.p50, b.p50)}`,
      target: 'informational',
      met: null,
    });
  } finally {
    await nursery.close();
  }
  return {
    rows,
    notes: [
      'dieWithParent: bench/fixtures/dwp-host.ts (a Node host) starts ' +
        "`sh -c 'sleep 1000 & echo $!; wait'` with dieWithParent and prints both PIDs; their start times " +
        'are recorded, the host is SIGKILLed through its Handle, and /proc is polled every ~1 ms from just ' +
        "before the kill until both are gone (vanished or zombies), and the host too. The watcher's VmRSS " +
        "is read from /proc before the kill. Spawn cost: `nursery.spawn({ command: 'true', dieWithParent })` " +
        '+ `await exited`, alternating with and without, after 5 warm-up spawns that start the watcher.',
    ],
  };
};

if (isMain(import.meta.url)) await runStandalone('die-with-parent', dieWithParent);
