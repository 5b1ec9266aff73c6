// What each benchmark file shares: its context, and the standalone entry that wraps one
// benchmark in the guard and prints its rows as the same table all.ts prints.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { closeGuard, startGuard } from './guard.js';
import { type Row, describeMachine, machine, renderTable } from './table.js';

export interface BenchContext {
  /** BENCH_QUICK=1: fewer iterations, for development. */
  quick: boolean;
  /** Progress on stderr; stdout carries only the table. */
  log(message: string): void;
}

export interface BenchResult {
  rows: Row[];
  /** How the figures were measured, one sentence each, for results.md. */
  notes: string[];
}

export type Bench = (ctx: BenchContext) => Promise<BenchResult>;

export function context(name: string): BenchContext {
  const quick = process.env['BENCH_QUICK'] === '1';
  return { quick, log: (message) => process.stderr.write(`[${name}] ${message}\n`) };
}

/** True when `url` is the module node was started with. */
export function isMain(url: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(url));
  } catch {
    return false;
  }
}

export async function runStandalone(name: string, bench: Bench): Promise<void> {
  const guard = startGuard();
  const ctx = context(name);
  let failed = false;
  try {
    const { rows } = await bench(ctx);
    process.stdout.write(`${describeMachine(machine(), ctx.quick)}\n\n${renderTable(rows)}`);
  } catch (error) {
    failed = true;
    process.stderr.write(
      `[${name}] crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  const { clean, verdict } = await closeGuard(guard);
  ctx.log(verdict);
  process.exitCode = failed || !clean ? 1 : 0;
}
