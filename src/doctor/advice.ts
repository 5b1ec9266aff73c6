// What each finding means and what to do about it, in words an operator can act on.
import type { AdoptedGroup, Finding, Pid1Report, ZombieParent } from './types.js';

export interface Facts {
  pid1: Pid1Report;
  /** PID 1 is part of the scope (the whole host, or --pid 1). */
  pid1InScope: boolean;
  parents: ZombieParent[];
  adopted: AdoptedGroup[];
  maxZombies: number | null;
}

const INIT_ADVICE =
  'run the application under an init: `nursery init -- <command>` as the image ENTRYPOINT ' +
  '(or tini, `docker run --init`), which reaps every orphan and forwards signals';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : word.endsWith('s') ? 'es' : 's'}`;

/** "5m 3s", "2h 40m", "3d 4h": an age for a person. */
export function formatAge(seconds: number | null): string {
  if (seconds === null) return '?';
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

function pid1Name(pid1: Pid1Report): string {
  return pid1.init ?? pid1.comm ?? 'unknown';
}

function zombieFinding(p: ZombieParent, facts: Facts): Finding {
  const { pid1, maxZombies } = facts;
  const what = `${plural(p.count, 'zombie')}, the oldest started ${formatAge(p.oldestAgeSeconds)} ago`;
  const limit = p.overLimit ? ` (more than --max-zombies ${maxZombies})` : '';
  const base: Pick<Finding, 'code' | 'severity'> = p.overLimit
    ? { code: 'zombies-over-limit', severity: 'error' }
    : { code: 'zombies', severity: 'warning' };
  if (p.pid === 1 && pid1.kind !== 'init' && pid1.kind !== 'nursery-init') {
    return {
      ...base,
      pid: 1,
      message:
        `PID 1 (${pid1Name(pid1)}) holds ${what}${limit}: ` +
        'an application as PID 1 does not reap the orphans the kernel hands it',
      advice: INIT_ADVICE,
    };
  }
  if (p.pid === 1) {
    return {
      ...base,
      pid: 1,
      message: `PID 1 (${pid1Name(pid1)}) holds ${what}${limit}, although an init reaps at once`,
      advice: 'check whether PID 1 is stopped, traced or stuck (`grep State /proc/1/status`)',
    };
  }
  const stopped = p.state === 'T' || p.state === 't' ? `; it is stopped (state ${p.state}) and cannot wait` : '';
  const reaper =
    pid1.kind === 'init' || pid1.kind === 'nursery-init'
      ? `its nearest subreaper or PID 1 (${pid1Name(pid1)}), which reaps them`
      : `its nearest subreaper or PID 1 (${pid1Name(pid1)}, an application that may not reap them either)`;
  const node = p.comm === 'node' ? '; in a Node program, `new Nursery({ subreaper: true })` reaps what it adopts' : '';
  return {
    ...base,
    pid: p.pid,
    message: `parent ${p.pid} (${p.comm}) holds ${what}${limit}: it never waits for its children${stopped}`,
    advice:
      `make ${p.comm} wait for its children (waitpid, or SIGCHLD set to SIG_IGN)${node}; ` +
      `ending ${p.pid} hands its zombies to ${reaper}`,
  };
}

function pid1Finding(pid1: Pid1Report): Finding | null {
  if (pid1.kind === 'unknown') {
    return {
      code: 'pid1-unknown',
      severity: 'info',
      pid: 1,
      message: 'PID 1 could not be read (is /proc mounted with hidepid?)',
      advice: 'run nursery doctor where /proc/1 is readable to judge PID 1',
    };
  }
  // Zombies held by PID 1 are the proof that it does not reap; their finding says all this already.
  if (pid1.kind !== 'application' || pid1.zombies > 0) return null;
  // SIGCHLD's disposition proves little: a program may reap through signalfd, or by polling.
  const why =
    pid1.sigchld === 'ignored'
      ? 'it ignores SIGCHLD, so the kernel reaps its children, but it forwards no signal to them'
      : 'unless it was written to, it neither reaps the orphans the kernel hands it nor forwards signals';
  return {
    code: 'pid1-application',
    severity: 'info',
    pid: 1,
    message: `PID 1 is an application (${pid1.comm ?? '?'}), not a known init: ${why}`,
    advice: INIT_ADVICE,
  };
}

function adoptedFinding(facts: Facts): Finding | null {
  const { pid1, adopted } = facts;
  if (adopted.length === 0 || pid1.kind === 'init' || pid1.kind === 'nursery-init') return null;
  const total = adopted.reduce((n, g) => n + g.count, 0);
  const names = adopted
    .slice(0, 5)
    .map((g) => `${g.comm} ×${g.count}`)
    .join(', ');
  return {
    code: 'adopted',
    severity: 'info',
    pid: 1,
    message:
      `${plural(total, 'live process')} ${total === 1 ? 'is a child' : 'are children'} of PID 1 ` +
      `(${names}${adopted.length > 5 ? ', ...' : ''}): its own, or orphans it adopted`,
    advice:
      'when one that PID 1 did not start exits, only PID 1 can reap it: watch for zombies under PID 1 ' +
      '(`nursery doctor --max-zombies N` as a liveness probe), or run the application under `nursery init`',
  };
}

const RANK = { error: 0, warning: 1, info: 2 } as const;

/** Every finding, errors first. */
export function adviceFor(facts: Facts): Finding[] {
  const out: Finding[] = facts.parents.map((p) => zombieFinding(p, facts));
  if (facts.pid1InScope) {
    const p1 = pid1Finding(facts.pid1);
    if (p1) out.push(p1);
    const ad = adoptedFinding(facts);
    if (ad) out.push(ad);
  }
  return out.sort((a, b) => RANK[a.severity] - RANK[b.severity]);
}
