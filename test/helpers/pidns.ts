// PID namespaces for the tests that need a real PID 1: whether one can be made here, and which
// host processes live in one.
/* eslint-disable nursery/no-raw-child-process -- unshare(1) is probed directly */
import { spawnSync } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';

/** Why PID-namespace tests cannot run here, or false. */
export function pidnsSkip(): string | false {
  if (process.getuid?.() !== 0) return 'a new PID namespace needs root';
  const r = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { encoding: 'utf8' });
  if (r.error) return `unshare cannot run here (${r.error.message})`;
  if (r.status !== 0) return `unshare --pid --fork --mount-proc fails here (${r.stderr.trim()})`;
  return false;
}

/** Processes on the host that live in the PID namespace `ns` (e.g. 'pid:[4026532...]'). */
export function membersOfNamespace(ns: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readlinkSync(`/proc/${name}/ns/pid`) === ns) out.push(Number(name));
    } catch {
      // gone, or a kernel thread
    }
  }
  return out;
}

/** Host processes in the PID namespace of `pid` (itself included); [] once it is gone. */
export function namespaceMembers(pid: number): number[] {
  try {
    return membersOfNamespace(readlinkSync(`/proc/${pid}/ns/pid`));
  } catch {
    return [];
  }
}
