// Keeps the machine clean. PID 1 here reaps orphans only now and then, so the benchmark process
// makes itself a subreaper first: every orphan and escaped setsid() survivor of a run comes back
// to it, and is reaped, or stopped by the 'kill' orphan policy. Every process a run starts
// inherits a tag in its environment, so leftovers can be told from other people's processes.
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Nursery } from '../../src/index.js';
import { allPids, readEnviron, stat } from './proc.js';

export const TAG_VAR = 'NURSERY_BENCH_RUN';

// Orphans a benchmark is measuring (a peer's setsid() survivors, say) must not be stopped by the
// guard under its feet; the benchmark kills them itself once measured. Everything else adopted
// is stopped 1 s after adoption, as `orphans: 'kill'` does.
const spared = new Set<number>();

export function spare(pids: Iterable<number>): void {
  for (const pid of pids) spared.add(pid);
}

export function unspare(pids: Iterable<number>): void {
  for (const pid of pids) spared.delete(pid);
}

export function startGuard(): Nursery {
  process.env[TAG_VAR] = `${process.pid}-${Date.now()}`;
  return new Nursery({
    subreaper: true,
    orphans: { kill: (info) => !info.addonsLoaded && !spared.has(info.pid) },
    log: false,
  });
}

// Ours: tagged in its environment (a zombie's environment is empty), or a zombie whose parent
// is us or tagged.
function leftovers(): { ours: number[]; hostZombies: number } {
  const tag = `${TAG_VAR}=${process.env[TAG_VAR] ?? ''}\0`;
  const tagged = new Set<number>();
  const stats = [];
  for (const pid of allPids()) {
    if (pid === process.pid) continue;
    const s = stat(pid);
    if (!s) continue;
    stats.push(s);
    if (readEnviron(pid).includes(tag)) tagged.add(pid);
  }
  const ours: number[] = [];
  let hostZombies = 0;
  for (const s of stats) {
    const zombie = s.state === 'Z';
    if (zombie) hostZombies++;
    if (tagged.has(s.pid) || (zombie && (s.ppid === process.pid || tagged.has(s.ppid)))) ours.push(s.pid);
  }
  return { ours, hostZombies };
}

function ps(): string {
  try {
    return execFileSync('ps', ['-eo', 'pid,ppid,stat,args'], { encoding: 'utf8' });
  } catch {
    return '';
  }
}

/**
 * Closes the guard once nothing of ours is left (bounded wait), then checks with ps. Returns a
 * one-line verdict; lists every leftover of this run on stderr.
 */
export async function closeGuard(guard: Nursery): Promise<{ clean: boolean; verdict: string }> {
  // Give the reaper and the orphan policy (1 s grace) time to finish with the last orphans.
  let found = leftovers();
  for (let i = 0; i < 100 && found.ours.length > 0; i++) {
    await sleep(50);
    found = leftovers();
  }
  await guard.close();
  found = leftovers();
  const pids = new Set(found.ours);
  const lines = ps()
    .split('\n')
    .filter((line) => {
      const [pid, , st] = line.trim().split(/\s+/);
      return pids.has(Number(pid)) || (st ?? '').startsWith('Z');
    });
  if (lines.length > 0)
    process.stderr.write(
      `ps -eo pid,ppid,stat,args (leftovers of this run, and every zombie on the host):\n${lines.join('\n')}\n`,
    );
  const clean = found.ours.length === 0;
  const verdict =
    `${clean ? 'clean' : 'NOT CLEAN'}: ${found.ours.length} process(es) of this run left, ${found.hostZombies} ` +
    'zombie(s) on the host';
  return { clean, verdict };
}
