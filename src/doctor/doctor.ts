// `nursery doctor [--json] [--max-zombies N] [--pid N]`: reads /proc, judges, prints, and returns
// the exit code (0 healthy, 1 a parent over --max-zombies, 2 usage error). It never exits the
// process itself: the CLI sets process.exitCode from what this returns.
import { existsSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { NurseryOptionError } from '../errors.js';
import { DOCTOR_USAGE, parseDoctorArgs } from './args.js';
import type { DoctorArgs } from './args.js';
import { judge } from './findings.js';
import { render } from './render.js';
import { confirmZombies, scan } from './scan.js';

/** The pause between the two looks at the zombies: long enough for a parent that reaps to do so. */
export const CONFIRM_MS = 200;

export const EXIT_HEALTHY = 0;
export const EXIT_OVER_LIMIT = 1;
export const EXIT_USAGE = 2;

function usageError(message: string): number {
  process.stderr.write(`nursery doctor: ${message}\n\n${DOCTOR_USAGE}`);
  return EXIT_USAGE;
}

/** Runs `nursery doctor` with the arguments after the subcommand; resolves to the exit code. */
export async function doctor(argv: readonly string[]): Promise<number> {
  let args: DoctorArgs;
  try {
    args = parseDoctorArgs(argv);
  } catch (err) {
    if (err instanceof NurseryOptionError) return usageError(err.message);
    throw err;
  }
  if (args.help) {
    process.stdout.write(DOCTOR_USAGE);
    return EXIT_HEALTHY;
  }
  if (!existsSync('/proc/self/stat')) {
    process.stderr.write('nursery doctor: /proc is not available (doctor runs on Linux)\n');
    return EXIT_USAGE;
  }
  let snap = scan(args.pid);
  if (snap === null) return usageError(`--pid ${args.pid}: no such process`);
  if (snap.processes.some((s) => s.state === 'Z')) {
    await delay(CONFIRM_MS);
    snap = confirmZombies(snap);
  }
  const report = judge(snap, args.maxZombies);
  process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : render(report));
  return report.healthy ? EXIT_HEALTHY : EXIT_OVER_LIMIT;
}
