// One instance of the app in the restart scenario, in a process of its own, as an app restarted
// (an upgrade, a crash) is a new process: the `start` instance starts its pod's daemon and exits;
// the `stop` instance, started afresh, stops that daemon when the pod is destroyed. Nothing passes
// from one to the other but what the first left in `dir`. Prints the daemon's PID.
// Each half loads only its own code: the child_process instance does not load nursery.
//   node runner.js <plain|nursery> <start|stop> <dir>
const [mode, step, dir] = process.argv.slice(2);
if ((mode !== 'plain' && mode !== 'nursery') || (step !== 'start' && step !== 'stop') || !dir) {
  process.stderr.write('usage: runner.js <plain|nursery> <start|stop> <dir>\n');
  process.exit(2);
}
const pids =
  mode === 'plain'
    ? [(await import('./plain.js')).plainInstance(step, dir)]
    : await (await import('./guarded.js')).guardedInstance(step, dir);
process.stdout.write(pids.map((pid) => `${pid}\n`).join(''));
