// The same scenarios through nursery.
import { join } from 'node:path';
import { Nursery } from '../../nursery.js';
import { readLines } from './lines.js';
import { untilSessionLeader } from './settle.js';
import { readStat } from '../../os/proc.js';
import {
  DAEMON,
  ESCAPE_SCRIPT,
  HELPER_SCRIPT,
  PID1_SCRIPT,
  PODS,
  RUNNER,
  UNWAITED_SCRIPT,
  holdUntilHelperStarted,
  type Scenario,
} from './plain.js';

const [DAEMON_COMMAND, ...DAEMON_ARGS] = DAEMON;
const POD = 'pod-1';

export async function runGuarded(nursery: Nursery, scenario: Scenario, dir: string): Promise<number[]> {
  if (scenario === 'escape') {
    const child = nursery.spawn({ command: 'sh', args: ['-c', ESCAPE_SCRIPT], stdio: ['ignore', 'pipe', 'ignore'] });
    const pids = await readLines(child.stdout, 2);
    await untilSessionLeader(pids[0] ?? 0, (pid) => readStat(pid)?.session);
    await child.stop({ signal: 'SIGKILL' });
    return pids;
  }
  if (scenario === 'helper') {
    const result = nursery.run('sh', ['-c', HELPER_SCRIPT], { timeoutMs: 200 });
    // run() has spawned its child before returning: the one running child of this Nursery.
    const helper = holdUntilHelperStarted(nursery.list()[0]?.pid ?? 0);
    await result;
    return [helper];
  }
  if (scenario === 'pid1') {
    const waits = [];
    for (let i = 0; i < 10; i++) {
      const child = nursery.spawn({ command: 'sh', args: ['-c', PID1_SCRIPT], stdio: 'ignore', killLeftovers: false });
      waits.push(child.exited);
    }
    await Promise.all(waits);
    return [];
  }
  if (scenario === 'released') {
    // Daemon mode: the same double fork (a launcher that exits), the daemon adopted by this
    // process; its end is reaped by the handle's claim on our reaper.
    const pids: number[] = [];
    for (let i = 0; i < PODS; i++) {
      const d = await nursery.spawn({ mode: 'daemon', command: DAEMON_COMMAND, args: DAEMON_ARGS, owner: `pod-${i}` });
      pids.push(d.pid);
      await d.stop(); // the pod is destroyed
    }
    return pids;
  }
  if (scenario === 'restart') {
    // The second instance finds the daemon in the registry the first wrote, attaches and stops it;
    // its end comes to this process (PID 1), whose reaper reaps it.
    const pids = await runInstance(nursery, 'start', dir);
    await runInstance(nursery, 'stop', dir);
    return pids;
  }
  const pids: number[] = [];
  for (let i = 0; i < 20; i++) {
    // killLeftovers off: the grandchild exits by itself later, and only the reaper is left to reap it.
    const child = nursery.spawn({
      command: 'sh',
      args: ['-c', UNWAITED_SCRIPT],
      stdio: ['ignore', 'pipe', 'ignore'],
      killLeftovers: false,
    });
    pids.push(...(await readLines(child.stdout, 1)));
    await child.exited;
  }
  return pids;
}

// One instance of the app that restarts, in a process of its own; returns the PIDs it printed.
// killLeftovers off: what an instance leaves running is its own business, as with child_process.
async function runInstance(nursery: Nursery, step: 'start' | 'stop', dir: string): Promise<number[]> {
  const r = await nursery.run(process.execPath, [RUNNER, 'nursery', step, dir], {
    killLeftovers: false,
    timeoutMs: 30_000,
  });
  if (r.code !== 0) throw new Error(`demo: the app's ${step} instance failed (code ${r.code}): ${r.stderr}`);
  return r.stdout
    .split('\n')
    .map(Number)
    .filter((n) => n > 0);
}

/**
 * The restart scenario's app instance with nursery: the daemon is started in daemon mode and
 * recorded in the registry under `dir`; the next instance, a new process, finds it there by its
 * owner, attaches and stops it.
 */
export async function guardedInstance(step: 'start' | 'stop', dir: string): Promise<number[]> {
  const nursery = new Nursery({ log: false, registryDir: join(dir, 'daemons') });
  const pids: number[] = [];
  try {
    if (step === 'start') {
      const d = await nursery.spawn({ mode: 'daemon', command: DAEMON_COMMAND, args: DAEMON_ARGS, owner: POD });
      pids.push(d.pid);
    } else {
      for (const info of nursery.daemons().filter((d) => d.owner === POD)) {
        await nursery.attach(info.id).stop();
        pids.push(info.pid);
      }
    }
  } finally {
    await nursery.close(); // leaves the daemon running: daemons outlive the Nursery that started them
  }
  return pids;
}
