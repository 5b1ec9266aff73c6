// `nursery ps`'s table: a running nursery's children grouped by owner, each with its process tree,
// then the counters. Fits the terminal's width (80 columns when it is not a terminal): the command
// column takes what is left and is cut with "…".
import type { ChildEntry, DebugSnapshot, ProcessNode } from '../observe/debug/snapshot.js';
import { serviceLines } from './ps-services.js';

export function duration(seconds: number | null): string {
  if (seconds === null) return '-';
  const s = Math.floor(seconds);
  const [d, h, m] = [Math.floor(s / 86400), Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60)];
  if (d > 0) return `${d}d${h}h`;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

export function size(bytes: number | null): string {
  if (bytes === null) return '-';
  const units = ['B', 'K', 'M', 'G', 'T'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 && i > 0 ? v.toFixed(1) : Math.round(v)}${units[i]}`;
}

function cpu(seconds: number | null): string {
  if (seconds === null) return '-';
  return seconds < 60 ? `${seconds.toFixed(1)}s` : duration(seconds);
}

function cut(text: string, width: number): string {
  if (width <= 1) return '';
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

// PID column: the tree's indentation goes here, so deep trees shift only the PID.
const COLUMNS = [
  { title: 'PID', width: 12, right: false },
  { title: 'MODE', width: 6, right: false },
  { title: 'STATE', width: 8, right: false },
  { title: 'UPTIME', width: 7, right: true },
  { title: 'RSS', width: 6, right: true },
  { title: 'CPU', width: 6, right: true },
];

function row(cells: string[], command: string, width: number): string {
  const fixed = COLUMNS.map((c, i) => {
    const v = cut(cells[i] ?? '', c.width);
    return c.right ? v.padStart(c.width) : v.padEnd(c.width);
  }).join(' ');
  return `${fixed} ${cut(command, width - fixed.length - 1)}`.trimEnd();
}

function treeLines(nodes: readonly ProcessNode[], depth: number, width: number, out: string[]): void {
  nodes.forEach((n, i) => {
    const lead = `${'  '.repeat(depth)}${i === nodes.length - 1 ? '└' : '├'}${n.pid}`;
    const cmd = n.argv.length > 0 ? n.argv.join(' ') : `[${n.comm}]`;
    out.push(row([lead, '', n.procState ?? '', '', size(n.rssBytes), cpu(n.cpuSeconds)], cmd, width));
    treeLines(n.children, depth + 1, width, out);
  });
}

export function renderTable(s: DebugSnapshot, width = 80): string {
  const out: string[] = [];
  const st = s.stats;
  const up = duration(s.host.uptimeSeconds);
  out.push(
    cut(
      `nursery pid ${s.host.pid} · up ${up} · ${st.running} running · ${st.spawned} spawned · ${st.exited} exited`,
      width,
    ),
  );
  out.push(
    cut(
      `SIGKILL after grace ${st.killedAfterGrace} · zombies reaped ${st.reaped} · orphans stopped ` +
        `${st.orphansKilled} · daemons ${st.daemons}`,
      width,
    ),
  );
  out.push('');
  // Snapshots of an older nursery have no services.
  out.push(...serviceLines(s.services ?? [], s.generatedAt, width));
  out.push(
    row(
      COLUMNS.map((c) => c.title),
      'COMMAND',
      width,
    ),
  );
  const groups = new Map<string, ChildEntry[]>();
  for (const c of s.children) groups.set(c.owner, [...(groups.get(c.owner) ?? []), c]);
  if (groups.size === 0) out.push('(no live children)');
  for (const owner of [...groups.keys()].sort()) {
    const list = groups.get(owner) ?? [];
    out.push(cut(`${owner} (${list.length})`, width));
    for (const c of list) {
      const cells = [` ${c.pid}`, c.mode, c.state, duration(c.uptimeSeconds), size(c.rssBytes), cpu(c.cpuSeconds)];
      // A service's incarnation says which service it is, before its command.
      const command = [c.command, ...c.args].join(' ');
      out.push(row(cells, c.service ? `[${c.service}] ${command}` : command, width));
      treeLines(c.tree, 1, width, out);
    }
  }
  if (s.orphans.length > 0) {
    out.push(`adopted orphans (${s.orphans.length})`);
    treeLines(s.orphans, 0, width, out);
  }
  const recent = s.reaper?.recent ?? [];
  if (recent.length > 0) {
    out.push('');
    out.push(
      cut(
        `last reaped: ${recent
          .slice(0, 5)
          .map((r) => `${r.pid} ${r.comm}${r.leak ? ' (leak)' : ''}`)
          .join(', ')}`,
        width,
      ),
    );
  }
  if (s.truncated) out.push('(process trees cut short: too many processes)');
  return `${out.join('\n')}\n`;
}
