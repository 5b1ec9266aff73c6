// `nursery ps`'s SERVICES section: one line per supervised service (name, state, PID, restarts,
// how its last incarnation ended), above the children. Shown only when the nursery has services,
// so the output of a nursery without any is as it was.
import type { ServiceEntry } from '../observe/debug/services.js';

const COLUMNS = [
  { title: 'NAME', width: 16, right: false },
  { title: 'STATE', width: 8, right: false },
  { title: 'PID', width: 8, right: true },
  { title: 'RESTARTS', width: 8, right: true },
];

function cut(text: string, width: number): string {
  if (width <= 1) return '';
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

function row(cells: string[], last: string, width: number): string {
  const fixed = COLUMNS.map((c, i) => {
    const v = cut(cells[i] ?? '', c.width);
    return c.right ? v.padStart(c.width) : v.padEnd(c.width);
  }).join(' ');
  return `${fixed} ${cut(last, width - fixed.length - 1)}`.trimEnd();
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** "code 3, 4s ago", "SIGTERM (restart), 1m02s ago", "spawn failed: ...", with the backoff's wait. */
export function lastExitText(s: ServiceEntry, now: number): string {
  const e = s.lastExit;
  let text = '-';
  if (e !== null) {
    const how =
      e.reason === 'spawn-failed'
        ? `spawn failed${e.error === null ? '' : `: ${e.error}`}`
        : e.signal !== null
          ? e.signal
          : `code ${String(e.code)}`;
    const why = e.reason === 'exit' || e.reason === 'spawn-failed' ? '' : ` (${e.reason})`;
    text = `${how}${why}, ${ago(now - e.at)} ago`;
  }
  if (s.state === 'backoff' && s.nextStartAt !== null) text += `; next in ${ago(s.nextStartAt - now)}`;
  return text;
}

/** The section's lines (a title, the header, one line per service), or none without services. */
export function serviceLines(services: readonly ServiceEntry[], now: number, width: number): string[] {
  if (services.length === 0) return [];
  const out = [
    `services (${services.length})`,
    row(
      COLUMNS.map((c) => c.title),
      'LAST-EXIT',
      width,
    ),
  ];
  for (const s of services) {
    const cells = [s.name, s.state, s.pid === null ? '-' : String(s.pid), String(s.restarts)];
    out.push(row(cells, lastExitText(s, now), width));
  }
  out.push('');
  return out;
}
