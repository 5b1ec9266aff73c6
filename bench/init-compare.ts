// Conformance, side by side: the same behavioural checks run against nursery init, tini,
// dumb-init and catatonit, each as PID 1 of a fresh PID namespace (`unshare --pid --fork
// --mount-proc --kill-child`), the peers installed with apt-get when missing (root only).
// Standalone it prints a checks × inits table; in `npm run bench` each check is one row.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from './lib/cc.js';
import { closeGuard, startGuard } from './lib/guard.js';
import { type Bench, type BenchContext, context, isMain, runStandalone } from './lib/harness.js';
import { execChecks } from './lib/init-checks-exec.js';
import { signalChecks } from './lib/init-checks-signals.js';
import type { Cell, Check } from './lib/init-under.js';
import { INIT_NAMES, type InitName, initCommand, pidnsUnavailable } from './lib/peers.js';
import { tempDir } from './lib/run.js';
import type { Row } from './lib/table.js';

export const CHECKS: readonly Check[] = [...execChecks, ...signalChecks];

export interface Matrix {
  inits: InitName[];
  /** cells[check][init] */
  cells: Cell[][];
}

export async function compare(ctx: BenchContext): Promise<Matrix> {
  const why = pidnsUnavailable();
  const tmp = tempDir();
  try {
    const helper = (name: 'sigconf' | 'ignchld'): string | null => {
      const built = compile(name, tmp.path);
      return 'path' in built ? built.path : null;
    };
    const [sigconf, ignchld] = [helper('sigconf'), helper('ignchld')];
    const cells: Cell[][] = CHECKS.map(() => []);
    let k = 0;
    for (const name of INIT_NAMES) {
      const init = why ? null : initCommand(name, ctx);
      ctx.log(`${name}: ${init ? `${CHECKS.length} checks` : `n/a (${why ?? 'not installable here'})`}`);
      for (const [i, check] of CHECKS.entries()) {
        const row = cells[i] as Cell[];
        if (!init) {
          row.push({ pass: null, text: `n/a (${why ?? 'not installable'})` });
          continue;
        }
        const dir = join(tmp.path, `${k++}`);
        mkdirSync(dir);
        try {
          row.push(await check.run({ init, dir, sigconf, ignchld, ctx }));
        } catch (error) {
          row.push({ pass: false, text: `FAIL: crashed: ${error instanceof Error ? error.message : String(error)}` });
        }
      }
    }
    return { inits: [...INIT_NAMES], cells };
  } finally {
    tmp.remove();
  }
}

const cellText = (c: Cell | undefined): string => (c ? c.text.replace(/\|/g, '\\|') : '');

/** The checks × inits markdown table, with a passes-per-init line at the bottom. */
export function renderMatrix(m: Matrix): string {
  const lines = [`| check | ${m.inits.join(' | ')} |`, `|---|${m.inits.map(() => '---').join('|')}|`];
  for (const [i, check] of CHECKS.entries()) {
    const row = m.cells[i] ?? [];
    lines.push(`| ${check.name} | ${m.inits.map((_, j) => cellText(row[j])).join(' | ')} |`);
  }
  const passes = m.inits.map((_, j) => m.cells.filter((row) => row[j]?.pass === true).length);
  lines.push(`| **passed** | ${passes.map((p) => `**${p}/${CHECKS.length}**`).join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}

export const initCompare: Bench = async (ctx) => {
  const m = await compare(ctx);
  const rows: Row[] = CHECKS.map((check, i) => {
    const row = m.cells[i] ?? [];
    const peers = m.inits.slice(1).map((name, j) => `${name}: ${cellText(row[j + 1])}`);
    return {
      benchmark: `init conformance, as PID 1: ${check.name}`,
      nursery: cellText(row[0]),
      peers: peers.join('; '),
      ratio: '',
      target: 'pass',
      met: row[0]?.pass ?? null,
    };
  });
  return {
    rows,
    notes: [
      'init conformance (bench/init-compare.ts, `node dist/bench/init-compare.js` prints it as one checks × ' +
        'inits table): every check runs the same command under each init as PID 1 of `unshare --pid --fork ' +
        '--mount-proc --kill-child`; the command reports through files in a fresh directory per check, read ' +
        "while it runs. The checks follow tini's test/ (exit codes, signals, process group, reaping, sigconf) " +
        "and dumb-init's tests/ (exit status, signal proxying, setsid mode, cwd), plus issue 11's wait-for-all " +
        'shutdown. dumb-init runs in its default setsid mode.',
    ],
  };
};

// Standalone: the checks × inits table (`--rows` prints the benchmark rows instead, as all.ts does).
async function printMatrix(): Promise<void> {
  const guard = startGuard();
  const ctx = context('init-compare');
  let failed = false;
  try {
    process.stdout.write(renderMatrix(await compare(ctx)));
  } catch (error) {
    failed = true;
    ctx.log(`crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
  const { clean, verdict } = await closeGuard(guard);
  ctx.log(verdict);
  process.exitCode = failed || !clean ? 1 : 0;
}

if (isMain(import.meta.url)) {
  if (process.argv.includes('--rows')) await runStandalone('init-compare', initCompare);
  else await printMatrix();
}
