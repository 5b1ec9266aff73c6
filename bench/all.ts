// `npm run bench`: every benchmark in one process run, one markdown table on stdout, the same
// table (with the machine and the methods) in bench/results.md. Timings never fail the run;
// only a crash, or a process left behind, makes the exit code non-zero.
import { closeGuard, startGuard } from './lib/guard.js';
import { type Bench, context } from './lib/harness.js';
import { benchSource } from './lib/paths.js';
import { type Row, describeMachine, machine, renderTable, writeResults } from './lib/table.js';

// The guard first, before any benchmark module can start a process.
const guard = startGuard();

const { spawnWait } = await import('./spawn-wait.js');
const { stopTree } = await import('./stop-tree.js');
const { reapLatency } = await import('./reap-latency.js');
const { scanCost } = await import('./scan-cost.js');
const { idleCpu } = await import('./idle-cpu.js');
const { daemonStart } = await import('./daemon-start.js');
const { dieWithParent } = await import('./die-with-parent.js');
const { observe } = await import('./observe.js');
const { initCodes } = await import('./init-codes.js');
const { initStartup } = await import('./init-startup.js');
const { initForward } = await import('./init-forward.js');
const { initBurst } = await import('./init-burst.js');
const { initCompare } = await import('./init-compare.js');
const { cgroupBench } = await import('./cgroup.js');
const { restartBench } = await import('./restart.js');
const { restartSurvivors } = await import('./restart-survivors.js');

const benches: [string, Bench][] = [
  ['spawn-wait', spawnWait],
  ['stop-tree', stopTree],
  ['reap-latency', reapLatency],
  ['scan-cost', scanCost],
  ['daemon-start', daemonStart],
  ['idle-cpu', idleCpu],
  ['die-with-parent', dieWithParent],
  ['observe', observe],
  ['init-codes', initCodes],
  ['init-startup', initStartup],
  ['init-forward', initForward],
  ['init-burst', initBurst],
  ['init-compare', initCompare],
  ['cgroup', cgroupBench],
  ['restart', restartBench],
  ['restart-survivors', restartSurvivors],
];

const rows: Row[] = [];
const notes: string[] = [];
let crashed = false;
const started = Date.now();
for (const [name, bench] of benches) {
  const ctx = context(name);
  try {
    const result = await bench(ctx);
    rows.push(...result.rows);
    notes.push(...result.notes);
  } catch (error) {
    crashed = true;
    ctx.log(`crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    rows.push({
      benchmark: name,
      nursery: `crashed: ${error instanceof Error ? error.message : String(error)}`,
      peers: '',
      ratio: '',
      target: '',
      met: false,
    });
  }
}

const quick = context('all').quick;
const m = machine();
const { clean, verdict } = await closeGuard(guard);
notes.push(
  `Whole run: ${((Date.now() - started) / 1000).toFixed(0)} s. The benchmark process is a subreaper (nursery's ` +
    "guard, orphan policy: stop adopted orphans after 1 s) from its first line; every peer's survivors are killed " +
    `by PID after a start-time check; at the end: ${verdict}.`,
);
notes.push(
  'Other work on this machine (other test runs) shares its 2 CPUs, so figures are from one run, not a quiet ' +
    'lab; ratios come from interleaved samples of the same run.',
);
process.stdout.write(`${describeMachine(m, quick)}\n\n${renderTable(rows)}`);
writeResults(benchSource('results.md'), rows, m, quick, notes);
context('all').log(`${verdict}; table written to bench/results.md`);
process.exitCode = crashed || !clean ? 1 : 0;
