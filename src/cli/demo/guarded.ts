// The same scenarios through nursery.
import { Nursery } from '../../nursery.js';
import { readLines, untilSessionLeader } from './lines.js';
import { readStat } from '../../os/proc.js';
import type { Scenario } from './plain.js';

export async function runGuarded(nursery: Nursery, scenario: Scenario): Promise<number[]> {
  if (scenario === 'escape') {
    const child = nursery.spawn({
      command: 'sh',
      args: ['-c', 'setsid sleep 1000 & echo $!; sleep 1000 & echo $!; wait'],
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const pids = await readLines(child.stdout, 2);
    await untilSessionLeader(pids[0] ?? 0, (pid) => readStat(pid)?.session);
    await child.stop({ signal: 'SIGKILL' });
    return pids;
  }
  if (scenario === 'helper') {
    const r = await nursery.run('sh', ['-c', 'sleep 1000 & echo $!; sleep 1000'], { timeoutMs: 200 });
    return r.stdout.split('\n').filter(Boolean).map(Number);
  }
  if (scenario === 'pid1') {
    const waits = [];
    for (let i = 0; i < 10; i++) {
      const script = 'for i in $(seq 50); do sleep 0.2 & done; exit 0';
      waits.push(nursery.spawn({ command: 'sh', args: ['-c', script], stdio: 'ignore', killLeftovers: false }).exited);
    }
    await Promise.all(waits);
    return [];
  }
  const pids: number[] = [];
  for (let i = 0; i < 20; i++) {
    // killLeftovers off: the grandchild exits by itself later, and only the reaper is left to reap it.
    const child = nursery.spawn({
      command: 'sh',
      args: ['-c', 'sleep 0.05 & echo $!'],
      stdio: ['ignore', 'pipe', 'ignore'],
      killLeftovers: false,
    });
    pids.push(...(await readLines(child.stdout, 1)));
    await child.exited;
  }
  return pids;
}
