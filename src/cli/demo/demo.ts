// `nursery demo`: the seeds' leaks, first with plain child_process, then with nursery, each in
// a process of its own; a table of what each left behind. Exit code 0 only if nursery left
// nothing. Whatever the plain runs leave is cleaned up here: this process is a subreaper, so
// their orphans come back to it, and the ones they report are stopped by identity.
import { fileURLToPath } from 'node:url';
import { Nursery } from '../../nursery.js';
import { readStat } from '../../os/proc.js';
import { SIGKILL } from '../../os/signals.js';
import { closeRef, openRef, signalRef } from '../../terminate/identity.js';
import type { AppReport } from './app.js';
import type { Scenario } from './plain.js';

const APP = fileURLToPath(new URL('./app.js', import.meta.url));

interface Row {
  scenario: string;
  seeds: string;
  plain: AppReport | null;
  guarded: AppReport | null;
}

const SCENARIOS: { id: Scenario; title: string; seeds: string }[] = [
  { id: 'escape', title: 'wrapper killed, grandchild escapes with setsid', seeds: '000, 004' },
  { id: 'helper', title: 'timed-out tool leaves its helper running', seeds: '001' },
  { id: 'unwaited', title: 'grandchildren exit, nobody waits for them', seeds: '002, 003' },
  { id: 'pid1', title: 'app as PID 1 orphans 500 grandchildren', seeds: '000, 001' },
  { id: 'released', title: 'pod daemons released by a double fork end, zombies stay', seeds: '003' },
  { id: 'restart', title: 'app restarts, stops its released daemon, zombie stays', seeds: '003' },
];

async function canUnshare(guard: Nursery): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  try {
    return (await guard.run('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { timeoutMs: 10_000 })).code === 0;
  } catch {
    return false; // no unshare binary
  }
}

async function runApp(
  guard: Nursery,
  scenario: Scenario,
  mode: 'plain' | 'nursery',
  pidns: boolean,
): Promise<AppReport | null> {
  const args = [APP, scenario, mode];
  const r = pidns
    ? await guard.run('unshare', ['--pid', '--fork', '--mount-proc', process.execPath, ...args], { timeoutMs: 60_000 })
    : await guard.run(process.execPath, args, { timeoutMs: 60_000 });
  // Each app ends by itself once its scenario is over: a run that needed its timeout means
  // something held it open (an escaped process on its stdout, say). Said, so a test can see it.
  if (r.timedOut) process.stderr.write(`demo: ${scenario}/${mode} did not end by itself within 60 s\n`);
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) {
    process.stderr.write(`demo: ${scenario}/${mode} printed no report (code ${r.code}): ${r.stderr}\n`);
    return null;
  }
  const report = JSON.parse(line) as AppReport;
  // Leftovers of the plain run: stop each one, by identity.
  for (const { pid, startTime } of report.alive) {
    const s = readStat(pid);
    if (!s || s.startTime !== startTime) continue;
    const ref = openRef(s);
    if (ref) {
      signalRef(ref, SIGKILL);
      closeRef(ref);
    }
  }
  return report;
}

function cell(r: AppReport | null): string {
  if (r === null) return 'error';
  return `${r.alive.length} running, ${r.zombies} zombie${r.zombies === 1 ? '' : 's'}`;
}

export async function demo(out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const guard = new Nursery({ subreaper: true, orphans: 'kill', log: false, owner: 'demo' });
  const pidns = await canUnshare(guard);
  const rows: Row[] = [];
  try {
    for (const s of SCENARIOS) {
      const ns = s.id === 'pid1' && pidns;
      const title =
        s.id === 'pid1' && !pidns
          ? `${s.title} (as subreaper: no PID namespace here)`
          : ns
            ? `${s.title} (real PID namespace)`
            : s.title;
      out(`running: ${title} ...`);
      rows.push({
        scenario: title,
        seeds: s.seeds,
        plain: await runApp(guard, s.id, 'plain', ns),
        guarded: await runApp(guard, s.id, 'nursery', ns),
      });
    }
  } finally {
    await guard.close();
  }
  const head = ['scenario', 'seeds', 'left with child_process', 'left with nursery'];
  const body = rows.map((r) => [r.scenario, r.seeds, cell(r.plain), cell(r.guarded)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const fmt = (cols: string[]): string => `| ${cols.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  out('');
  out(fmt(head));
  out(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const b of body) out(fmt(b));
  const clean = rows.every((r) => r.guarded !== null && r.guarded.alive.length === 0 && r.guarded.zombies === 0);
  const s = guard.stats();
  out('');
  out(`demo's own reaper: ${s.reaped} zombies of the plain runs reaped, ${s.orphansKilled} orphans stopped.`);
  out(clean ? 'nursery left nothing behind.' : 'nursery LEFT SOMETHING BEHIND: this is a bug.');
  return clean ? 0 : 1;
}
