// The same scenarios through nursery.
import { Nursery } from '../../nursery.js';
import { readLines } from './lines.js';
import { untilSessionLeader } from './settle.js';
import { readStat } from '../../os/proc.js';
import {
  ESCAPE_SCRIPT,
  HELPER_SCRIPT,
  PID1_SCRIPT,
  UNWAITED_SCRIPT,
  holdUntilHelperStarted,
  type Scenario,
} from './plain.js';

export async function runGuarded(nursery: Nursery, scenario: Scenario): Promise<number[]> {
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
