// One scenario in a process of its own, standing in for an application that is PID 1 of its
// container (a real one in a PID namespace, or a subreaper). It prints what was left 300 ms
// (1 s for pid1) after the scenario, as one JSON line, and exits.
//   node app.js <escape|helper|unwaited|pid1> <plain|nursery>
import { Nursery } from '../../nursery.js';
import { setChildSubreaper } from '../../os/prctl.js';
import { childrenOf, isDead, readStat } from '../../os/proc.js';
import { runPlain, type Scenario } from './plain.js';
import { runGuarded } from './guarded.js';

export interface AppReport {
  alive: { pid: number; startTime: number }[];
  zombies: number;
}

const [scenario, mode] = process.argv.slice(2) as [Scenario, 'plain' | 'nursery'];
const nursery = mode === 'nursery' ? new Nursery({ subreaper: true, log: false }) : null;
if (nursery === null && process.pid !== 1) setChildSubreaper(true);

const pids = nursery ? await runGuarded(nursery, scenario) : await runPlain(scenario);
await new Promise((r) => setTimeout(r, scenario === 'pid1' ? 1000 : 300));

const alive: AppReport['alive'] = [];
for (const pid of pids) {
  const s = readStat(pid);
  if (s && !isDead(s)) alive.push({ pid, startTime: s.startTime });
}
const zombies = childrenOf('self').filter((pid) => readStat(pid)?.state === 'Z').length;
const report: AppReport = { alive, zombies };
process.stdout.write(`${JSON.stringify(report)}\n`);
await nursery?.close();
