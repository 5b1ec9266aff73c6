// Hostile trees and the peers that stop them, for bench/cgroup.ts. Both trees ignore SIGTERM (an
// inherited SIG_IGN), so only SIGKILL ends them and "time to empty after the grace" means the
// same thing for every peer. Every process carries a marker in its environment (marked.ts).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import treeKill from 'tree-kill';
import { Nursery } from '../../src/index.js';
import { spare, unspare } from './guard.js';
import { killMarked, marked, untilEmpty } from './marked.js';

export const MARK = 'NURSERY_BENCH_TREE';

export interface TreeShape {
  name: string;
  /** Its shape, for the table. */
  what: string;
  script: string;
  /** Extra environment (the scripts of the inner shells). */
  env: Record<string, string>;
  /** Marked processes that make it "built up", ready to be stopped. */
  size: number;
}

/** Two tight fork loops (one setsid'd and orphaned) and a double-forked setsid'd pair. */
export const STORM: TreeShape = {
  name: 'fork storm',
  what: "two tight fork loops, one setsid'd and orphaned, a double-forked setsid'd pair",
  script: [
    "trap '' TERM",
    'sleep 1000 &',
    'setsid sleep 1000 &',
    "(setsid sh -c 'sleep 1000 & exec sleep 1000' &)",
    "(setsid sh -c 'while :; do sleep 1 & done' &)",
    "sh -c 'while :; do sleep 1 & done' &",
    'wait',
  ].join('\n'),
  env: {},
  size: 30,
};

// 1 leader, 8 branches, 4 shells under each, 5 sleeps under each shell: 201 processes. The odd
// branches are setsid'd and orphaned at once (double fork: out of the group, out of the session,
// and no longer descendants of the leader); one shell of each branch is setsid'd too.
export const TREE200: TreeShape = {
  name: '200-process tree',
  what: "8 branches of 25 processes, 4 of them setsid'd and orphaned at once, one setsid'd shell in each",
  script: [
    "trap '' TERM",
    'for b in 1 2 3 4 5 6 7 8; do',
    '  if [ $((b % 2)) = 1 ]; then (setsid sh -c "$NB_BRANCH" &); else sh -c "$NB_BRANCH" & fi',
    'done',
    'wait',
  ].join('\n'),
  env: {
    NB_BRANCH: 'setsid sh -c "$NB_LEAF" & sh -c "$NB_LEAF" & sh -c "$NB_LEAF" & sh -c "$NB_LEAF" & wait',
    NB_LEAF: 'for i in 1 2 3 4 5; do sleep 1000 & done; wait',
  },
  size: 201,
};

export const PEERS = ['nursery cgroup', 'nursery group + walk', 'tree-kill', 'pm2 TreeKill'] as const;
export type Peer = (typeof PEERS)[number];

// PM2's own tree kill (lib/TreeKill.js of the pm2 package, a devDependency of the benchmarks only):
// (pid, signal, callback), walking the tree with `ps --ppid` (pgrep on macOS).
type PidKill = (pid: number, signal: string, callback: (error?: unknown) => void) => void;
const pm2TreeKill = createRequire(import.meta.url)('pm2/lib/TreeKill') as PidKill;

export interface Outcome {
  /** Marked processes when the stop began. */
  atStop: number;
  /** From the stop call until it returned (nursery: stop() resolved; peers: their callback). */
  returnedMs: number;
  /** From the stop call until /proc shows none (NaN: never within the settle time). */
  emptyMs: number;
  survivors: number;
  scanMs: number;
}

let runs = 0;

/** One tree, built up, then stopped by `peer`: SIGTERM + grace + SIGKILL for nursery, SIGKILL for the others. */
export async function stopOnce(shape: TreeShape, peer: Peer, graceMs: number, settleMs: number): Promise<Outcome> {
  const entry = `${MARK}=${process.pid}.${++runs}`;
  const env = { ...process.env, ...shape.env, [MARK]: entry.slice(MARK.length + 1) };
  const containment = peer === 'nursery cgroup' ? 'cgroup' : 'group';
  const nursery = peer.startsWith('nursery') ? new Nursery({ containment, log: false }) : null;
  const spared: number[] = [];
  try {
    let stop: () => Promise<unknown>;
    const args = ['-c', shape.script];
    if (nursery) {
      const h = nursery.spawn({ command: 'sh', args, stdio: 'ignore', env, graceMs });
      stop = () => h.stop();
    } else {
      const cp = spawn('sh', args, { stdio: 'ignore', env, detached: true });
      const exited = new Promise((r) => cp.once('exit', r));
      const kill = peer === 'tree-kill' ? (treeKill as PidKill) : pm2TreeKill;
      stop = async () => {
        await new Promise<void>((r) => kill(cp.pid as number, 'SIGKILL', () => r()));
        await exited;
      };
    }
    // The guard stops adopted orphans after 1 s: the escapees must live until a peer has had its go.
    const deadline = performance.now() + 60_000;
    for (let now = marked(entry); now.length < shape.size; now = marked(entry)) {
      spare(now);
      spared.push(...now);
      if (performance.now() > deadline) throw new Error(`the ${shape.name} did not build up within 60 s`);
      await sleep(5);
    }
    const atStop = marked(entry);
    spare(atStop);
    spared.push(...atStop);
    const t0 = performance.now();
    await stop();
    const returned = performance.now();
    const e = await untilEmpty(entry, settleMs);
    return {
      atStop: atStop.length,
      returnedMs: returned - t0,
      emptyMs: e.at - t0,
      survivors: e.survivors,
      scanMs: e.scanMs,
    };
  } finally {
    await killMarked(entry);
    await nursery?.close({ signal: 'SIGKILL' });
    unspare(spared);
  }
}

/** The end of a benchmark: nothing of any of its trees is left, whatever happened. */
export const killAllTrees = (): Promise<number> => killMarked(`${MARK}=${process.pid}.`, true);
