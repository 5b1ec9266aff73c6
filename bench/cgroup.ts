// cgroup containment (issue 13): what a cgroup per child costs at spawn, and what it buys at stop.
// 1. spawn + wait of `/bin/true`: nursery with containment 'cgroup' vs 'group' vs a bare
//    child_process.spawn(); interleaved rounds, order rotated.
// 2. Two trees that ignore SIGTERM (lib/kill-trees.ts): a fork storm, and a 200-process tree whose
//    setsid'd branches are orphaned at once. For nursery 'cgroup', nursery 'group' (the walk, in
//    this subreaper process), tree-kill and PM2's lib/TreeKill (both SIGKILL, since SIGTERM is
//    ignored): survivors, and the time until the tree is empty after the grace, judged by /proc.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Nursery } from '../src/index.js';
import { type Bench, isMain, runStandalone } from './lib/harness.js';
import {
  MARK,
  type Outcome,
  PEERS,
  type Peer,
  STORM,
  TREE200,
  type TreeShape,
  killAllTrees,
  stopOnce,
} from './lib/kill-trees.js';
import { ms, ratio, summarize } from './lib/stats.js';
import type { Row } from './lib/table.js';

const GRACE_MS = 200;
const SETTLE_MS = 500;
function raw(): Promise<void> {
  return new Promise((resolve, reject) => {
    const cp = spawn('/bin/true', [], { stdio: 'ignore' });
    cp.once('error', reject);
    cp.once('exit', () => resolve());
  });
}

function viaNursery(n: Nursery): () => Promise<void> {
  return async () => {
    await n.spawn({ command: '/bin/true', stdio: 'ignore' }).exited;
  };
}

async function spawnWait(rounds: number, perRound: number, methods: Record<string, () => Promise<void>>) {
  const names = Object.keys(methods);
  const out: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
  for (const k of names) for (let i = 0; i < 3; i++) await methods[k]?.();
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(r + k) % names.length] as string;
      for (let i = 0; i < perRound; i++) {
        const t0 = performance.now();
        await methods[name]?.();
        out[name]?.push(performance.now() - t0);
      }
    }
  }
  return out;
}

// Per peer, over its rounds: survivors in all, and for the rounds that emptied, the median time to
// empty after the grace (nursery) or after the call (the SIGKILL peers), and when stop() returned.
function describe(peer: Peer, o: Outcome[]): { text: string; survivors: number; p50: number } {
  const grace = peer.startsWith('nursery') ? GRACE_MS : 0;
  const emptied = o.filter((x) => !Number.isNaN(x.emptyMs));
  const e = summarize(emptied.length > 0 ? emptied.map((x) => x.emptyMs - grace) : [NaN]);
  const r = summarize(o.map((x) => x.returnedMs - grace));
  const survivors = o.reduce((a, x) => a + x.survivors, 0);
  const size = summarize(o.map((x) => x.atStop)).p50;
  const scan = summarize(o.map((x) => x.scanMs)).p50;
  const when = grace > 0 ? 'after the grace' : 'after the call';
  return {
    text:
      `${survivors} survivors over ${o.length} rounds (~${size.toFixed(0)} processes at the stop); ` +
      (emptied.length > 0
        ? `${emptied.length} emptied, ${ms(e.p50)} ${when} (p90 ${ms(e.p90)}), returned at ${ms(r.p50)}`
        : `never empty within ${SETTLE_MS} ms after the stop returned`) +
      ` [scan ${ms(scan)}]`,
    survivors,
    p50: e.p50,
  };
}

async function treeRow(shape: TreeShape, rounds: number, log: (m: string) => void): Promise<Row> {
  log(`${shape.name}: ${rounds} rounds per peer`);
  const out = new Map<Peer, Outcome[]>(PEERS.map((p) => [p, []]));
  for (let i = 0; i < rounds; i++)
    for (let k = 0; k < PEERS.length; k++) {
      const peer = PEERS[(i + k) % PEERS.length] as Peer;
      out.get(peer)?.push(await stopOnce(shape, peer, GRACE_MS, SETTLE_MS));
    }
  const d = new Map(PEERS.map((p) => [p, describe(p, out.get(p) ?? [])]));
  const cg = d.get('nursery cgroup');
  return {
    benchmark:
      `stop() of a ${shape.name} that ignores SIGTERM (${shape.what}), grace ${GRACE_MS} ms: ` +
      'survivors and time to empty after the grace',
    nursery: `cgroup: ${cg?.text}; group + walk: ${d.get('nursery group + walk')?.text}`,
    peers:
      `tree-kill (SIGKILL): ${d.get('tree-kill')?.text}; ` +
      `PM2 lib/TreeKill (SIGKILL): ${d.get('pm2 TreeKill')?.text}`,
    ratio: '—',
    target: "0 survivors for 'cgroup', empty < 50 ms after the grace",
    met: cg !== undefined && cg.survivors === 0 && cg.p50 < 50,
  };
}

// BENCH_CGROUP_ONLY=spawn or =trees runs one half (while working on it).
const only = process.env['BENCH_CGROUP_ONLY'];

async function spawnRow(quick: boolean, log: (m: string) => void): Promise<Row> {
  const cg = new Nursery({ containment: 'cgroup', log: false });
  const group = new Nursery({ log: false });
  try {
    const rounds = quick ? 5 : 20;
    const per = quick ? 20 : 50;
    log(`spawn + wait of /bin/true: ${rounds} rounds x ${per} per method`);
    const s = await spawnWait(rounds, per, { cgroup: viaNursery(cg), group: viaNursery(group), raw });
    const c = summarize(s['cgroup'] ?? []);
    const g = summarize(s['group'] ?? []);
    const r = summarize(s['raw'] ?? []);
    return {
      benchmark: "spawn + wait of `/bin/true` (stdio ignore) with containment 'cgroup': median (p90)",
      nursery: `cgroup ${ms(c.p50)} (p90 ${ms(c.p90)}); group ${ms(g.p50)} (p90 ${ms(g.p90)})`,
      peers: `raw child_process ${ms(r.p50)} (p90 ${ms(r.p90)})`,
      ratio: `cgroup ÷ raw ${ratio(c.p50, r.p50)}; cgroup ÷ group ${ratio(c.p50, g.p50)}`,
      target: '≤ 1.3x raw',
      met: c.p50 / r.p50 <= 1.3,
    };
  } finally {
    await cg.close();
    await group.close();
  }
}

export const cgroupBench: Bench = async (ctx) => {
  const rows: Row[] = [];
  const n = ctx.quick ? 2 : 5;
  try {
    if (only !== 'trees') rows.push(await spawnRow(ctx.quick, ctx.log));
    if (only !== 'spawn') for (const shape of [STORM, TREE200]) rows.push(await treeRow(shape, n, ctx.log));
  } finally {
    const left = await killAllTrees();
    if (left > 0) ctx.log(`killed ${left} marked processes left by the trees`);
  }
  return {
    rows,
    notes: [
      "cgroup spawn + wait: `nursery.spawn({ command: '/bin/true', stdio: 'ignore' })` + `await exited` in a Nursery " +
        "with containment 'cgroup' (a cgroup made and removed per child, the child started through the " +
        "wrapper that moves itself in) vs the same with 'group' vs `child_process.spawn` + 'exit'; 3 warm-ups each, " +
        'rounds interleaved, order rotated.',
      `trees: the fork storm is \`sh -c\` of ${JSON.stringify(STORM.script)}; the 200-process tree is ` +
        `${JSON.stringify(TREE200.script)} with NB_BRANCH=${JSON.stringify(TREE200.env['NB_BRANCH'])} and ` +
        `NB_LEAF=${JSON.stringify(TREE200.env['NB_LEAF'])}. Every process carries ${MARK}=<run> in its ` +
        'environment. Once the tree is built up (>= 30 storm processes; all 201), nursery: `handle.stop()` ' +
        "(SIGTERM, then SIGKILL after the grace); tree-kill: `treeKill(pid, 'SIGKILL', cb)` and PM2: " +
        "`require('pm2/lib/TreeKill')(pid, 'SIGKILL', cb)`, each on a `detached: true` child. When the call " +
        'returned, /proc is scanned back to back until no marked process is left, or for ' +
        `${SETTLE_MS} ms; time to empty is from the call to the start of the first scan that finds none ` +
        '(so within one scan, shown as [scan]), minus the grace for nursery. Survivors are then SIGSTOPped and ' +
        'SIGKILLed by PID after a start-time check; at the end every process of any run is killed by marker. ' +
        'The benchmark process is a subreaper, so orphans come back to it (the guard spares those of a tree until ' +
        'it is measured).',
    ],
  };
};

if (isMain(import.meta.url)) await runStandalone('cgroup', cgroupBench);
