// The one results table: every benchmark returns rows, all.ts prints them together and writes
// bench/results.md with the machine they were measured on.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { execFileSync } from 'node:child_process';

export interface Row {
  benchmark: string;
  nursery: string;
  peers: string;
  ratio: string;
  target: string;
  /** null: informational row, no target. */
  met: boolean | null;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, '<br>');
}

export function renderTable(rows: readonly Row[]): string {
  const lines = ['| benchmark | nursery | peer(s) | ratio | target | met? |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    const met = r.met === null ? '—' : r.met ? 'yes' : 'NO';
    lines.push(`| ${[r.benchmark, r.nursery, r.peers, r.ratio, r.target, met].map(cell).join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

export interface Machine {
  date: string;
  /** The commit measured, and whether src/ or bench/ had uncommitted changes (a shared checkout). */
  source: string;
  kernel: string;
  cpu: string;
  cpus: number;
  node: string;
}

export function machine(): Machine {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'latin1')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) cpu = line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // not Linux: keep os.cpus()'s name
  }
  // os.release() is uname(2)'s release, what `uname -r` prints.
  return {
    date: new Date().toISOString(),
    source: source(),
    kernel: release(),
    cpu,
    cpus: cpus().length,
    node: process.version,
  };
}

function source(): string {
  try {
    const git = (...args: string[]): string =>
      execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const commit = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain', '--', 'src', 'bench').length > 0
      ? `${commit} + uncommitted changes in src/ or bench/`
      : commit;
  } catch {
    return 'not a git checkout';
  }
}

export function describeMachine(m: Machine, quick: boolean): string {
  return (
    `${m.date} · commit ${m.source} · Linux ${m.kernel} · ${m.cpu} × ${m.cpus} · Node ` +
    `${m.node}${quick ? ' · BENCH_QUICK=1 (fewer iterations, 5 s idle window)' : ''}`
  );
}

export function writeResults(
  path: string,
  rows: readonly Row[],
  m: Machine,
  quick: boolean,
  notes: readonly string[],
): void {
  const text = [
    '# nursery benchmarks',
    '',
    `Measured ${describeMachine(m, quick)}. Produced by \`npm run bench\` (bench/all.ts); do not edit by hand.`,
    '',
    renderTable(rows),
    '## How each figure was measured',
    '',
    ...notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
  writeFileSync(path, text);
}
