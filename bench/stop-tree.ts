// stop() of a 50-process tree: one process group of 45 (a shell and 44 sleeps) plus 5 sleeps
// that called setsid(). Time until every recorded process is gone (exited: vanished or a
// zombie), and how many survive, for nursery's handle.stop(), tree-kill, and a plain group kill
// of a `detached: true` child (what execa's `detached` users and the seeds do).
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import treeKill from 'tree-kill';
import { Nursery } from '../src/index.js';
import { spare, unspare } from './lib/guard.js';
import { type Bench, isMain, runStandalone } from './lib/harness.js';
import { pidsOf, readUntil } from './lib/lines.js';
import { shellFixture } from './lib/paths.js';
import { type Recorded, cleanup, record, running, stat, waitGone } from './lib/proc.js';
import { ms, ratio, summarize } from './lib/stats.js';
import type { Row } from './lib/table.js';

const TREE_SIZE = 50;
// How long after a peer's kill (or tree-kill's callback) survivors are counted. Below the
// guard's 1 s orphan grace, and the benchmark spares these PIDs from the guard anyway.
const SETTLE_MS = 500;

type Variant = 'plain' | 'escape';

interface Outcome {
  ms: number;
  survivors: number;
}

type Method = (nursery: Nursery, variant: Variant) => Promise<Outcome>;

// The fixture prints PIDs as it forks; a sleep counts once it has exec'd `sleep` (for the
// setsid'd ones that also means setsid() is done) and, when escaping, once it has been
// reparented. Killing earlier would measure the fixture's start-up instead of the stop.
async function started(pids: number[], variant: Variant): Promise<Recorded[]> {
  // Recorded at once (exec keeps the start time), so a fixture that never settles is killed.
  const recs = record(pids);
  spare(pids);
  const leader = pids[pids.length - 1];
  const sleeps = pids.slice(0, -1);
  const escapees = variant === 'escape' ? new Set(sleeps.slice(-5)) : new Set<number>();
  const deadline = performance.now() + 5000;
  for (;;) {
    const ready = sleeps.every((pid) => {
      const s = stat(pid);
      return s !== null && s.comm === 'sleep' && (!escapees.has(pid) || s.ppid !== leader);
    });
    if (ready && recs.length === TREE_SIZE) return recs;
    if (performance.now() > deadline) {
      await finish(recs, { ms: 0, survivors: 0 });
      throw new Error(
        `tree fixture did not settle within 5 s (${pids.length} PIDs reported, ${recs.length} alive, ` +
          `${TREE_SIZE} expected)`,
      );
    }
    await sleep(1);
  }
}

function args(variant: Variant): string[] {
  return variant === 'escape' ? [shellFixture('tree.sh'), 'escape'] : [shellFixture('tree.sh')];
}

const viaNursery: Method = async (nursery, variant) => {
  const h = nursery.spawn({ command: 'sh', args: args(variant), stdio: ['ignore', 'pipe', 'ignore'] });
  if (!h.stdout) throw new Error('no stdout');
  const recs = await started(pidsOf(await readUntil(h.stdout, 'ready')), variant);
  const t0 = performance.now();
  await h.stop();
  // The user-visible time is when stop() resolves; survivors are counted then, and again after
  // the settle time in case stop() returned early.
  const elapsed = performance.now() - t0;
  const late = await waitGone(running(recs), SETTLE_MS);
  return finish(recs, { ms: elapsed, survivors: late.left.length });
};

function rawTree(): Promise<{ pid: number; recs: Recorded[] }> {
  const cp = spawn('sh', args('plain'), { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = cp.pid;
  if (pid === undefined || !cp.stdout) throw new Error('tree fixture did not start');
  return readUntil(cp.stdout, 'ready').then(async (lines) => ({ pid, recs: await started(pidsOf(lines), 'plain') }));
}

const viaTreeKill: Method = async () => {
  const { pid, recs } = await rawTree();
  return measurePeer(recs, () => new Promise<void>((resolve) => treeKill(pid, 'SIGTERM', () => resolve())));
};

const viaGroupKill: Method = async () => {
  const { pid, recs } = await rawTree();
  return measurePeer(recs, async () => {
    process.kill(-pid, 'SIGTERM');
  });
};

// The peers do not wait for the tree themselves, so the benchmark polls /proc every ~1 ms
// from the kill until all recorded PIDs are gone or SETTLE_MS after the kill call returned.
async function measurePeer(recs: Recorded[], kill: () => Promise<void>): Promise<Outcome> {
  const t0 = performance.now();
  await kill();
  const waited = await waitGone(recs, performance.now() - t0 + SETTLE_MS, t0);
  return finish(recs, { ms: waited.ms, survivors: waited.left.length });
}

// Survivors are killed by PID, identity-checked, before the next tree starts.
async function finish(recs: Recorded[], outcome: Outcome): Promise<Outcome> {
  const left = await cleanup(recs);
  unspare(recs.map((r) => r.pid));
  if (left.length > 0) throw new Error(`could not kill ${left.length} survivors: ${left.map((r) => r.pid).join(' ')}`);
  return outcome;
}

async function rounds(
  nursery: Nursery,
  variant: Variant,
  n: number,
  methods: Record<string, Method>,
): Promise<Record<string, Outcome[]>> {
  const names = Object.keys(methods);
  const out: Record<string, Outcome[]> = Object.fromEntries(names.map((k) => [k, []]));
  for (let r = 0; r < n; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(r + k) % names.length] as string;
      out[name]?.push(await (methods[name] as Method)(nursery, variant));
    }
  }
  return out;
}

function describe(o: Outcome[]): { text: string; p50: number; survivors: number } {
  const s = summarize(o.map((x) => x.ms));
  const survivors = o.reduce((a, x) => a + x.survivors, 0);
  const rounds = o.length;
  return {
    text: `${ms(s.p50)} (p90 ${ms(s.p90)}), ${survivors}/${rounds * TREE_SIZE} survived`,
    p50: s.p50,
    survivors,
  };
}

export const stopTree: Bench = async (ctx) => {
  const nursery = new Nursery({ log: false });
  const n = ctx.quick ? 2 : 10;
  const rows: Row[] = [];
  try {
    ctx.log(`50-process tree, setsid'd sleeps still children of the leader: ${n} rounds`);
    const plain = await rounds(nursery, 'plain', n, {
      nursery: viaNursery,
      'tree-kill': viaTreeKill,
      group: viaGroupKill,
    });
    const nu = describe(plain['nursery'] ?? []);
    const tk = describe(plain['tree-kill'] ?? []);
    const gk = describe(plain['group'] ?? []);
    rows.push({
      benchmark:
        "stop() of a 50-process tree (45 in one group + 5 setsid'd children of the leader), SIGTERM: median time " +
        `until all gone, survivors over ${n} rounds`,
      nursery: nu.text,
      peers: `tree-kill ${tk.text}; group kill \`process.kill(-pid)\` ${gk.text}`,
      ratio: `nursery ÷ tree-kill ${ratio(nu.p50, tk.p50)}`,
      target: '0 survivors, faster than tree-kill',
      met: nu.survivors === 0 && nu.p50 < tk.p50,
    });

    ctx.log(`same tree, setsid'd sleeps escaped (double fork) before the stop: ${n} rounds`);
    const escaped = await rounds(nursery, 'escape', n, { nursery: viaNursery });
    const ne = describe(escaped['nursery'] ?? []);
    rows.push({
      benchmark:
        "stop() of the same tree when the 5 setsid'd sleeps escaped by double fork before the stop (reparented to " +
        'the benchmark, our subreaper)',
      nursery: ne.text,
      peers: 'tree-kill and group kill cannot see them either (not descendants, not in the group)',
      ratio: '—',
      target: '0 survivors (docs/design.md, invariant 4: escapees adopted through the subreaper)',
      met: ne.survivors === 0,
    });
  } finally {
    await nursery.close();
  }
  return {
    rows,
    notes: [
      'stop of a 50-process tree: bench/fixtures/tree.sh starts 44 `sleep 1000` in its own group and 5 ' +
        "`setsid sleep 1000`, prints the 50 PIDs; each PID's start time (field 22) is recorded. nursery: " +
        `\`handle.stop()\` (SIGTERM), time until it resolves; survivors counted then and ${SETTLE_MS} ms later. ` +
        "tree-kill: `treeKill(pid, 'SIGTERM', cb)`, awaited, then /proc polled every ~1 ms; group kill: " +
        '`process.kill(-pid, \'SIGTERM\')` on a `detached: true` child, then polled. "Gone" = the PID no longer ' +
        "exists, is a zombie, or has another start time (/proc/PID/stat field 3 after the last ')'). Survivors " +
        `are counted ${SETTLE_MS} ms after the kill returned, then SIGKILLed by PID after a start-time check. ` +
        'Rounds interleaved, order rotated.',
      'stop of an escaped tree: the same fixture with `escape`: each setsid sleep is started from a subshell ' +
        'that exits at once, so before the stop it is already reparented to the benchmark process (a subreaper). ' +
        'Only nursery is run: the peers cannot find such a process by design.',
    ],
  };
};

if (isMain(import.meta.url)) await runStandalone('stop-tree', stopTree);
