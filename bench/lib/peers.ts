// The peer inits (tini, dumb-init, catatonit) and how each bench starts an init: installed with
// apt-get when missing (root only; the issue says install peers from the benchmark, never assume
// them), and run as PID 1 of a fresh PID namespace with unshare.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchContext } from './harness.js';

/** bin/nursery, the command as a user runs it (a sh wrapper that execs node). */
export const NURSERY_BIN = fileURLToPath(new URL('../../../bin/nursery', import.meta.url));

export function onPath(name: string): string | null {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return null;
}

const installTried = new Set<string>();

/**
 * The path of `name` (a Debian package of the same name), installed with apt-get when missing and
 * we are root; null when it cannot be had. One install attempt (then update + retry) per run.
 */
export function ensurePeer(name: string, ctx: BenchContext): string | null {
  const found = onPath(name);
  if (found || installTried.has(name)) return found;
  installTried.add(name);
  if (process.getuid?.() !== 0 || !onPath('apt-get')) {
    ctx.log(`${name} is not installed and cannot be (not root, or no apt-get)`);
    return null;
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['install', '-y', '-q', name],
    ['update', '-q'],
    ['install', '-y', '-q', name],
  ]) {
    ctx.log(`apt-get ${args.join(' ')}`);
    const r = spawnSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
    if (r.error) {
      ctx.log(`apt-get failed: ${r.error.message}`);
      return null;
    }
    if (args[0] === 'install' && r.status === 0) break;
  }
  return onPath(name);
}

/** Why a fresh PID namespace cannot be made here, or null. */
export function pidnsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'a PID namespace needs root';
  if (!onPath('unshare')) return 'no unshare';
  const r = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { stdio: 'ignore', timeout: 10_000 });
  return r.status === 0 ? null : 'unshare --pid --fork --mount-proc fails here';
}

export type InitName = 'nursery' | 'tini' | 'dumb-init' | 'catatonit';
export const INIT_NAMES: readonly InitName[] = ['nursery', 'tini', 'dumb-init', 'catatonit'];

export interface InitCommand {
  name: InitName;
  /** argv that runs `command` under this init, with `options` (the init's own) first. */
  argv(command: readonly string[], options?: readonly string[]): string[];
}

/** How to run a command under each init (null: not installable here). */
export function initCommand(name: InitName, ctx: BenchContext): InitCommand | null {
  if (name === 'nursery') return { name, argv: (cmd, o = []) => [NURSERY_BIN, 'init', ...o, '--', ...cmd] };
  const bin = ensurePeer(name, ctx);
  if (!bin) return null;
  // All three accept `--` before the command (dumb-init's usage does not show it, its getopt takes it).
  return { name, argv: (cmd, o = []) => [bin, ...o, '--', ...cmd] };
}

/** `unshare --pid --fork --mount-proc --kill-child` + argv: argv's first word is PID 1 there. */
export function asPid1(argv: readonly string[]): string[] {
  return ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child', ...argv];
}
