// Issue 14's proof: crash cycles of a child that leaves a setsid'd, SIGTERM-ignoring grandchild
// each time (fixtures/crash.sh with NB_LEAVE=1). nursery (subreaper; and containment 'cgroup'
// where this host allows it) must spawn no incarnation beside anything of an earlier one; PM2 runs
// the same fixture, and its survivors are counted the same way, by a marker in /proc.
// BENCH_RESTART_CYCLES sets the count (default 200; the figure is 1000).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Nursery } from '../src/index.js';
import { cgroupSupport } from '../src/terminate/cgroup.js';
import { spare, unspare } from './lib/guard.js';
import { type Bench, isMain, runStandalone } from './lib/harness.js';
import { killMarked, marked } from './lib/marked.js';
import { shellFixture } from './lib/paths.js';
import { runPm2 } from './lib/pm2-peer.js';
import { allPids, readEnviron, stat } from './lib/proc.js';
import { ms } from './lib/stats.js';
import type { Row } from './lib/table.js';

const MARK = 'NURSERY_BENCH_SURVIVOR';
const GRACE_MS = 50;
let runs = 0;

interface Outcome {
  cycles: number;
  cycleMs: number;
  /** Distinct processes of an earlier incarnation seen alive when a later one was spawned. */
  earlier: number;
  /** Spawns made beside at least one of them. */
  beside: number;
  /** Marked processes alive whose incarnation could not be told (a fork not yet exec'd). */
  unclear: number;
  /** Marked processes alive once the service was stopped. */
  afterStop: number;
  /** Our zombies once it was stopped. */
  zombies: number;
  /** RSS and heap growth from the 10th cycle to the last, MB, each read after a full GC. */
  rssMb: number;
  heapMb: number;
}

// Who a marked process belongs to: the incarnation it is (its sh), or the one that left it
// (NB_PARENT, set by crash.sh on the grandchild), or the parent of a fork not yet exec'd.
function owner(pid: number): number | null {
  const m = /(?:^|\0)NB_PARENT=(\d+)\0/.exec(readEnviron(pid));
  if (m) return Number(m[1]);
  const s = stat(pid);
  return s && s.ppid !== process.pid ? s.ppid : null;
}

const zombiesOfOurs = (): number =>
  allPids().filter((p) => stat(p)?.state === 'Z' && stat(p)?.ppid === process.pid).length;
// A full GC before each reading, so the growth is what is kept, not garbage not yet collected
// (the flag set at run time gives `gc` to a new context; the benchmark runs without --expose-gc).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function memory(): { rss: number; heap: number } {
  gc();
  gc();
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'latin1'))?.[1] ?? NaN) / 1024;
  return { rss, heap: process.memoryUsage().heapUsed / 2 ** 20 };
}

async function viaNursery(containment: 'group' | 'cgroup', cycles: number): Promise<Outcome> {
  const entry = `${MARK}=${process.pid}.${++runs}`;
  const n = new Nursery({ subreaper: true, containment, log: false });
  const service = n.supervise({
    name: 'crash',
    command: '/bin/sh',
    args: [shellFixture('crash.sh')],
    stdio: 'ignore',
    env: { ...process.env, [MARK]: entry.slice(MARK.length + 1), NB_LEAVE: '1' },
    graceMs: GRACE_MS,
    backoff: { initialMs: 0, jitter: 0 },
    crashLoop: { deaths: 1e9 },
  });
  const o: Outcome = {
    cycles,
    cycleMs: NaN,
    earlier: 0,
    beside: 0,
    unclear: 0,
    afterStop: 0,
    zombies: 0,
    rssMb: NaN,
    heapMb: NaN,
  };
  const earlier = new Set<number>();
  try {
    let t0 = 0;
    let m0 = { rss: NaN, heap: NaN };
    await new Promise<void>((resolve, reject) => {
      service.on((e) => {
        if (e.type === 'fatal') reject(new Error(`the service went fatal: ${e.reason}`));
        // The rule: nothing of an incarnation may be alive once its exit is reported, and the
        // next is spawned only after that event's listeners ran. (At a 'spawn' the new
        // incarnation's own escapee, still in its exec, cannot yet be told apart.)
        if (e.type === 'exit' && e.exit.reason === 'exit') {
          const alive = marked(entry);
          for (const pid of alive) earlier.add(pid);
          if (alive.length > 0) o.beside++;
          for (const pid of alive) if (owner(pid) === null) o.unclear++;
        }
        if (e.type !== 'spawn') return;
        if (e.incarnation === 1) t0 = performance.now();
        if (e.incarnation === Math.min(10, cycles)) m0 = memory();
        if (e.incarnation === cycles + 1) {
          o.cycleMs = (performance.now() - t0) / cycles;
          const m1 = memory();
          o.rssMb = m1.rss - m0.rss;
          o.heapMb = m1.heap - m0.heap;
          resolve();
        }
      });
    });
  } finally {
    await service.stop();
    o.earlier = earlier.size;
    o.afterStop = marked(entry).length;
    o.zombies = zombiesOfOurs();
    await n.close();
  }
  return o;
}

async function viaPm2(cycles: number): Promise<{ text: string; survivors: number; ms: number }> {
  const entry = `${MARK}=${process.pid}.${++runs}`;
  const peer = await runPm2(['cycles', String(cycles)], { [MARK]: entry.slice(MARK.length + 1), NB_LEAVE: '1' });
  try {
    const survivors = marked(entry).length;
    const pm2Left = peer.left().length - survivors;
    const took = Number(peer.result['ms']);
    const restarts = Number(peer.result['restarts']);
    return {
      text:
        `PM2: ${survivors} survivors after ${restarts} restarts, \`pm2.delete\` and \`killDaemon\` ` +
        `(${ms(took / restarts)} per restart); daemon ${peer.daemonGone ? 'gone' : 'NOT gone'}, ` +
        `${pm2Left} PM2 processes left`,
      survivors,
      ms: took,
    };
  } finally {
    await peer.remove();
  }
}

const mb = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(1)} MB`;
function describe(name: string, o: Outcome): string {
  const inExec = o.unclear > 0 ? `; ${o.unclear} of them still in their exec` : '';
  return (
    `${name}: ${o.earlier} processes of an incarnation alive at its exit event ` +
    `(so beside the next spawn; ${o.beside} of ${o.cycles} exits${inExec}), ${o.afterStop} left after ` +
    `stop(), ${o.zombies} zombies; RSS ${mb(o.rssMb)} (heap ${mb(o.heapMb)}) after GC; ${ms(o.cycleMs)} per cycle`
  );
}

export const restartSurvivors: Bench = async (ctx) => {
  const cycles = Number(process.env['BENCH_RESTART_CYCLES'] ?? (ctx.quick ? 50 : 200));
  const cg = cgroupSupport();
  // The guard stops adopted orphans after 1 s: the survivors must be left for us to count.
  const sparing = setInterval(() => spare(marked(`${MARK}=${process.pid}.`, true)), 200);
  const out: [string, Outcome][] = [];
  let pm2: Awaited<ReturnType<typeof viaPm2>>;
  try {
    ctx.log(`${cycles} crash cycles each, a grandchild left each time: nursery group + subreaper`);
    out.push(['group + subreaper', await viaNursery('group', cycles)]);
    if (typeof cg === 'string') ctx.log(`containment 'cgroup' is not possible here: ${cg}`);
    else {
      ctx.log(`nursery containment 'cgroup'`);
      out.push(["containment 'cgroup'", await viaNursery('cgroup', cycles)]);
    }
    ctx.log('PM2');
    pm2 = await viaPm2(cycles);
  } finally {
    clearInterval(sparing);
    await killMarked(`${MARK}=${process.pid}.`, true);
    unspare(marked(`${MARK}=${process.pid}.`, true));
  }
  const ok = out.every(([, o]) => o.earlier + o.unclear + o.afterStop + o.zombies === 0 && o.rssMb < 5);
  const row: Row = {
    benchmark:
      `${cycles} crash cycles of a child leaving a setsid'd, SIGTERM-ignoring grandchild each time (grace ` +
      `${GRACE_MS} ms, zero backoff): survivors of earlier incarnations, zombies, host RSS growth` +
      (cycles < 1000 ? ' (BENCH_RESTART_CYCLES=1000 for the issue’s count)' : ''),
    nursery:
      out.map(([name, o]) => describe(name, o)).join('; ') +
      (typeof cg === 'string' ? `; containment 'cgroup': n/a (${cg})` : ''),
    peers: pm2.text,
    ratio: '—',
    target: '0 survivors, 0 zombies, RSS growth < 5 MB',
    met: ok,
  };
  return {
    rows: [row],
    notes: [
      `restart survivors: fixtures/crash.sh with NB_LEAVE=1 (\`trap '' TERM\`, \`NB_PARENT=$$ setsid sleep 1000 &\`, ` +
        '`exit 1`) supervised with backoff { initialMs: 0, jitter: 0 }, crashLoop { deaths: 1e9 }, graceMs ' +
        `${GRACE_MS}; at every 'spawn' event /proc is scanned for the run's marker, and a process belongs to an ` +
        'earlier incarnation when it is not the new child and NB_PARENT (or its parent) is not the new child. ' +
        'RSS is VmRSS of the benchmark process from the 10th spawn to the last, each read after two full GCs. ' +
        'PM2 runs the same script (as lib/pm2-peer.ts does for the restart row) until its restart_time reaches ' +
        'the count; survivors ' +
        'are the marked processes alive after `pm2.delete` and `killDaemon`. All of them are SIGKILLed by marker ' +
        'at the end; the guard spares them until then, so nothing but the supervisor under test stops them.',
    ],
  };
};

if (isMain(import.meta.url)) await runStandalone('restart-survivors', restartSurvivors);
