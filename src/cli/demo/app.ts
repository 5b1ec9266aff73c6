// One scenario in a process of its own, standing in for an application that is PID 1 of its
// container (a real one in a PID namespace, or a subreaper). Once the scenario is over it prints
// what was left, as one JSON line, and exits.
// In the restart scenario the app that restarts is runner.ts, which this process (PID 1) starts twice.
//   node app.js <escape|helper|unwaited|pid1|released|restart> <plain|nursery>
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nursery } from '../../nursery.js';
import { setChildSubreaper } from '../../os/prctl.js';
import { childrenOf, descendantsOf, isDead, readStat } from '../../os/proc.js';
import { runPlain, type Scenario } from './plain.js';
import { runGuarded } from './guarded.js';
import { pollUntil } from './settle.js';

export interface AppReport {
  alive: { pid: number; startTime: number }[];
  zombies: number;
}

const [scenario, mode] = process.argv.slice(2) as [Scenario, 'plain' | 'nursery'];
// A scratch directory: the daemon registry (nursery) or PID file (child_process) of the scenarios
// with daemons. Private (mkdtemp makes it 0700), as the registry requires.
const dir = mkdtempSync(join(tmpdir(), 'nursery-demo-'));
const registryDir = join(dir, 'daemons');
const nursery = mode === 'nursery' ? new Nursery({ subreaper: true, log: false, registryDir }) : null;
if (nursery === null && process.pid !== 1) setChildSubreaper(true);

let pids: number[];
try {
  pids = nursery ? await runGuarded(nursery, scenario, dir) : await runPlain(scenario, dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// Every orphan of the scenario comes back to this process (PID 1 or subreaper), so what was left
// is: the running processes under us (and the ones the scenario named, should one be elsewhere),
// and the zombies among our children.
function running(): AppReport['alive'] {
  const alive = new Map<number, number>();
  for (const s of descendantsOf(process.pid)) if (!isDead(s)) alive.set(s.pid, s.startTime);
  for (const pid of pids) {
    const s = readStat(pid);
    if (s && !isDead(s)) alive.set(pid, s.startTime);
  }
  return [...alive].map(([pid, startTime]) => ({ pid, startTime }));
}
const zombiesOnce = (): number => childrenOf('self').filter((pid) => readStat(pid)?.state === 'Z').length;
// The kernel's children lists can miss an entry while they change under a busy machine (proc(5):
// reliable only when the children are stopped): of three reads, the largest count is the true one.
const zombies = (): number => Math.max(zombiesOnce(), zombiesOnce(), zombiesOnce());

// Counted once the scenario is over, however slow the machine, instead of after a fixed pause.
// With child_process: every process it started has ended (exited by itself or killed) but the
// ones it leaves running by design, which the escape and helper scenarios name first; the zombies
// are then final, since nobody here waits for adopted children. With nursery: nothing runs and no
// zombie is left. Past the deadline, what is there is reported as it is.
const survivors = nursery === null && (scenario === 'escape' || scenario === 'helper') ? pids.slice(0, 1) : [];
const over = (): boolean => running().every((p) => survivors.includes(p.pid)) && (nursery === null || zombies() === 0);
await pollUntil(over, 30_000);

const report: AppReport = { alive: running(), zombies: zombies() };
process.stdout.write(`${JSON.stringify(report)}\n`);
await nursery?.close();
