// cgroup containment (issue 13): what a cgroup per child costs at spawn, and what it buys at stop.
// 1. spawn + wait of `/bin/true`: nursery with containment 'cgroup' vs 'group' vs a bare
//    child_process.spawn(); interleaved rounds, order rotated.
// 2. A fork storm that ignores SIGTERM (two tight fork loops, one of them setsid'd and orphaned, a
//    double-forked setsid'd pair): survivors, and the time until the tree is empty, for nursery
//    'cgroup', nursery 'group' (the walk, in this subreaper process), and tree-kill (SIGKILL, since
//    SIGTERM is ignored). Every process of a storm carries a marker in its environment; "gone" is
//    judged by /proc.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import treeKill from 'tree-kill';
import { Nursery } from '../src/index.js';
import { type Bench, isMain, runStandalone } from './lib/harness.js';
import { stat } from './lib/proc.js';
import { ms, ratio, summarize } from './lib/stats.js';
import type { Row } from './lib/table.js';

const GRACE_MS = 200;
const SETTLE_MS = 500;
const MARK = 'NURSERY_BENCH_STORM';
const STORM = [
  "trap '' TERM",
  'sleep 1000 &',
  'setsid sleep 1000 &',
  "(setsid sh -c 'sleep 1000 & exec sleep 1000' &)",
  "(setsid sh -c 'while :; do sleep 1 & done' &)",
  "sh -c 'while :; do sleep 1 & done' &",
  'wait',
].join('\n');

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

/** Live (not zombie) processes carrying `entry` in their environment. */
function marked(entry: string): number[] {
  const needle = Buffer.from(`\0${entry}\0`);
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    try {
      if (!Buffer.concat([Buffer.from('\0'), readFileSync(`/proc/${name}/environ`)]).includes(needle)) continue;
    } catch {
      continue;
    }
    const s = stat(Number(name));
    if (s && s.state !== 'Z' && s.state !== 'X') out.push(Number(name));
  }
  return out;
}

// Survivors: SIGSTOP (no more forks) then SIGKILL, each PID right after its start time was read
// again, until none is left.
async function killMarked(entry: string): Promise<void> {
  const deadline = performance.now() + 20_000;
  for (let left = marked(entry); left.length > 0 && performance.now() < deadline; left = marked(entry)) {
    for (const pid of left) {
      const s = stat(pid);
      for (const sig of ['SIGSTOP', 'SIGKILL'] as const) {
        try {
          if (s && stat(pid)?.startTime === s.startTime) process.kill(pid, sig);
        } catch {
          // gone
        }
      }
    }
    await sleep(5);
  }
}

async function builtUp(entry: string): Promise<void> {
  const deadline = performance.now() + 30_000;
  while (marked(entry).length < 30) {
    if (performance.now() > deadline) throw new Error('the storm did not build up within 30 s');
    await sleep(5);
  }
}

interface StormOutcome {
  /** From the stop to an empty tree, minus the grace; NaN when something survived. */
  afterGraceMs: number;
  survivors: number;
  atStop: number;
}

let storms = 0;
async function stormRun(kind: 'cgroup' | 'group' | 'tree-kill'): Promise<StormOutcome> {
  const entry = `${MARK}=${process.pid}.${++storms}`;
  const env = { ...process.env, [MARK]: entry.slice(MARK.length + 1) };
  const nursery = kind === 'tree-kill' ? null : new Nursery({ containment: kind, log: false });
  try {
    let stop: () => Promise<unknown>;
    if (nursery) {
      const h = nursery.spawn({ command: 'sh', args: ['-c', STORM], stdio: 'ignore', env, graceMs: GRACE_MS });
      stop = () => h.stop();
    } else {
      const cp = spawn('sh', ['-c', STORM], { stdio: 'ignore', env, detached: true });
      const exited = new Promise((r) => cp.once('exit', r));
      stop = async () => {
        await new Promise<void>((r) => treeKill(cp.pid as number, 'SIGKILL', () => r()));
        await exited;
      };
    }
    await builtUp(entry);
    const atStop = marked(entry).length;
    const t0 = performance.now();
    await stop();
    // Survivors are counted SETTLE_MS after the stop returned (a live fork loop never settles).
    const returned = performance.now();
    let left = marked(entry);
    while (left.length > 0 && performance.now() - returned < SETTLE_MS) {
      await sleep(5);
      left = marked(entry);
    }
    const last = left.length === 0 ? performance.now() : NaN;
    const grace = kind === 'tree-kill' ? 0 : GRACE_MS;
    return {
      afterGraceMs: (left.length === 0 ? performance.now() : last) - t0 - grace,
      survivors: left.length,
      atStop,
    };
  } finally {
    await killMarked(entry);
    await nursery?.close({ signal: 'SIGKILL' });
  }
}

function describeStorm(o: StormOutcome[]): { text: string; survivors: number; p50: number } {
  const emptied = o.filter((x) => !Number.isNaN(x.afterGraceMs));
  const s = summarize(emptied.length > 0 ? emptied.map((x) => x.afterGraceMs) : [NaN]);
  const survivors = o.reduce((a, x) => a + x.survivors, 0);
  const size = summarize(o.map((x) => x.atStop)).p50;
  return {
    text:
      `${survivors} survivors over ${o.length} storms (~${size.toFixed(0)} processes at the stop); ` +
      (emptied.length > 0
        ? `${emptied.length} emptied, ${ms(s.p50)} after the grace (p90 ${ms(s.p90)})`
        : `never empty within ${SETTLE_MS} ms after the stop`),
    survivors,
    p50: s.p50,
  };
}

export const cgroupBench: Bench = async (ctx) => {
  const rows: Row[] = [];
  const cg = new Nursery({ containment: 'cgroup', log: false });
  const group = new Nursery({ log: false });
  const q = ctx.quick;
  try {
    const rounds = q ? 5 : 20;
    const per = q ? 20 : 50;
    ctx.log(`spawn + wait of /bin/true: ${rounds} rounds x ${per} per method`);
    const s = await spawnWait(rounds, per, { cgroup: viaNursery(cg), group: viaNursery(group), raw });
    const c = summarize(s['cgroup'] ?? []);
    const g = summarize(s['group'] ?? []);
    const r = summarize(s['raw'] ?? []);
    rows.push({
      benchmark: "spawn + wait of `/bin/true` (stdio ignore) with containment 'cgroup': median (p90)",
      nursery: `cgroup ${ms(c.p50)} (p90 ${ms(c.p90)}); group ${ms(g.p50)} (p90 ${ms(g.p90)})`,
      peers: `raw child_process ${ms(r.p50)} (p90 ${ms(r.p90)})`,
      ratio: `cgroup ÷ raw ${ratio(c.p50, r.p50)}; cgroup ÷ group ${ratio(c.p50, g.p50)}`,
      target: '≤ 1.3x raw',
      met: c.p50 / r.p50 <= 1.3,
    });
  } finally {
    await cg.close();
    await group.close();
  }
  const n = q ? 2 : 5;
  ctx.log(`fork storm ignoring SIGTERM: ${n} storms per method`);
  const out: Record<string, StormOutcome[]> = { cgroup: [], group: [], 'tree-kill': [] };
  const kinds = ['cgroup', 'group', 'tree-kill'] as const;
  for (let i = 0; i < n; i++)
    for (let k = 0; k < kinds.length; k++) {
      const kind = kinds[(i + k) % kinds.length] as (typeof kinds)[number];
      out[kind]?.push(await stormRun(kind));
    }
  const c = describeStorm(out['cgroup'] ?? []);
  const g = describeStorm(out['group'] ?? []);
  const t = describeStorm(out['tree-kill'] ?? []);
  rows.push({
    benchmark:
      "stop() of a fork storm that ignores SIGTERM (two tight fork loops, one setsid'd and orphaned, a double-forked " +
      `setsid'd pair), grace ${GRACE_MS} ms: survivors and time to empty after the grace`,
    nursery: `cgroup: ${c.text}; group + walk: ${g.text}`,
    peers: `tree-kill (SIGKILL): ${t.text}`,
    ratio: '—',
    target: "0 survivors for 'cgroup', empty < 50 ms after the grace",
    met: c.survivors === 0 && c.p50 < 50,
  });
  return {
    rows,
    notes: [
      "cgroup spawn + wait: `nursery.spawn({ command: '/bin/true', stdio: 'ignore' })` + `await exited` in a Nursery " +
        "with containment 'cgroup' (a cgroup made and removed per child, the child started through the `sh` " +
        "wrapper that moves itself in) vs the same with 'group' vs `child_process.spawn` + 'exit'; 3 warm-ups each, " +
        'rounds interleaved, order rotated.',
      `fork storm: \`sh -c\` of ${JSON.stringify(STORM)}; each process carries ${MARK}=<run> in its environment. ` +
        'Once >= 30 of them run, nursery: `handle.stop()` (SIGTERM, then SIGKILL after the grace); tree-kill: ' +
        "`treeKill(pid, 'SIGKILL')` on a `detached: true` child. Then /proc is scanned every 5 ms until none is " +
        `left or nothing changed for ${SETTLE_MS} ms; time to empty is counted from the stop call, minus the ` +
        'grace for nursery. Survivors are then SIGSTOPped and SIGKILLed by PID after a start-time check. The ' +
        'benchmark process is a subreaper, so orphans come back to it (the guard stops them after 1 s).',
    ],
  };
};

if (isMain(import.meta.url)) await runStandalone('cgroup', cgroupBench);
