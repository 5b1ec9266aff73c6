// One scenario in a process of its own, standing in for an application that is PID 1 of its
// container (a real one in a PID namespace, or a subreaper). Once the scenario is over it prints
// what was left, as one JSON line, and exits.
//   node app.js <escape|helper|unwaited|pid1> <plain|nursery>
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
const nursery = mode === 'nursery' ? new Nursery({ subreaper: true, log: false }) : null;
if (nursery === null && process.pid !== 1) setChildSubreaper(true);

const pids = nursery ? await runGuarded(nursery, scenario) : await runPlain(scenario);

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
const zombies = (): number => childrenOf('self').filter((pid) => readStat(pid)?.state === 'Z').length;

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
