// The human output: a header, PID 1, a compact tree of the ancestry of every parent holding
// zombies (culprits marked), the processes adopted by PID 1, then each finding with its advice.
import { formatAge } from './advice.js';
import type { DoctorReport, Finding, ZombieParent } from './types.js';

/** Marks a parent holding more zombies than --max-zombies allows. */
export const OVER_LIMIT_MARK = '✗';
/** Marks a parent holding zombies. */
export const ZOMBIE_MARK = '!';

const SEVERITY_MARK: Record<Finding['severity'], string> = { error: '✗', warning: '!', info: '·' };

interface Node {
  pid: number;
  comm: string;
  culprit: ZombieParent | null;
  children: Map<number, Node>;
}

function names(p: ZombieParent): string {
  const shown = p.names.slice(0, 3).map((n) => `${n.comm} ×${n.count}`);
  return shown.join(', ') + (p.names.length > 3 ? ', ...' : '');
}

function culpritText(p: ZombieParent): string {
  const mark = p.overLimit ? OVER_LIMIT_MARK : ZOMBIE_MARK;
  const zombies = `${p.count} zombie${p.count === 1 ? '' : 's'}`;
  return `  ${mark} ${zombies} (${names(p)}), oldest started ${formatAge(p.oldestAgeSeconds)} ago`;
}

// One tree of every culprit's ancestry, merged where the chains share ancestors.
function buildForest(parents: ZombieParent[]): Map<number, Node> {
  const roots = new Map<number, Node>();
  for (const p of parents) {
    let level = roots;
    for (const ref of [...p.ancestors, { pid: p.pid, comm: p.comm }]) {
      let node = level.get(ref.pid);
      if (node === undefined) {
        node = { pid: ref.pid, comm: ref.comm, culprit: null, children: new Map() };
        level.set(ref.pid, node);
      }
      if (ref.pid === p.pid) node.culprit = p;
      level = node.children;
    }
  }
  return roots;
}

function drawTree(nodes: Map<number, Node>, prefix: string, lines: string[], top: boolean): void {
  const list = [...nodes.values()].sort((a, b) => a.pid - b.pid);
  list.forEach((node, i) => {
    const last = i === list.length - 1;
    const branch = top ? '' : last ? '└─ ' : '├─ ';
    lines.push(`${prefix}${branch}${node.pid} ${node.comm}${node.culprit ? culpritText(node.culprit) : ''}`);
    drawTree(node.children, top ? prefix : prefix + (last ? '   ' : '│  '), lines, false);
  });
}

function pid1Line(r: DoctorReport): string {
  const p = r.pid1;
  if (p.kind === 'unknown') return 'PID 1: unreadable';
  const kind = p.kind === 'application' ? 'application, not a known init' : `init: ${p.init ?? '?'}`;
  const sigchld = p.sigchld === null ? '' : `; SIGCHLD ${p.sigchld}`;
  return `PID 1: ${p.comm ?? '?'} (${kind}${sigchld})`;
}

/** The report as text for a terminal, ending in a newline. */
export function render(r: DoctorReport): string {
  const scope = r.scope === null ? 'whole host' : `subtree of ${r.scope.pid} (${r.scope.comm})`;
  const up = r.uptimeSeconds === null ? '' : `, uptime ${formatAge(r.uptimeSeconds)}`;
  const lines = [`nursery doctor: ${scope}, ${r.processes} processes${up}`, pid1Line(r), ''];
  if (r.zombieParents.length === 0) {
    lines.push('no zombies');
  } else {
    const n = r.zombieParents.length;
    lines.push(`${r.zombies} zombie${r.zombies === 1 ? '' : 's'} under ${n} parent${n === 1 ? '' : 's'}:`);
    drawTree(buildForest(r.zombieParents), '  ', lines, true);
  }
  const adopted = r.adopted.reduce((sum, g) => sum + g.count, 0);
  if (adopted > 0) {
    const groups = r.adopted.slice(0, 8).map((g) => `${g.comm} ×${g.count}`);
    const more = r.adopted.length > 8 ? `, and ${r.adopted.length - 8} more names` : '';
    lines.push(`live children of PID 1: ${adopted} (${groups.join(', ')}${more})`);
  }
  if (r.findings.length > 0) {
    lines.push('', 'findings:');
    for (const f of r.findings) lines.push(`  ${SEVERITY_MARK[f.severity]} ${f.message}`, `      → ${f.advice}`);
  }
  if (r.maxZombies !== null) {
    const verdict = r.healthy ? 'healthy: no parent holds' : 'unhealthy: a parent holds';
    lines.push('', `${verdict} more than ${r.maxZombies} zombie${r.maxZombies === 1 ? '' : 's'}`);
  }
  return `${lines.join('\n')}\n`;
}
