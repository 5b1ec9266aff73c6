// dieWithParent, on the host's side (docs/design.md, "Dying with the host"). A host killed by
// SIGKILL runs no code at all, so the kill must come from outside: one watcher process per host
// thread (module state is per thread), shared by every Nursery of that thread, started by the
// first child that asks for it. The host tells it which process groups to kill should the host
// die; the kernel tells it that the host died, by closing the pipe's write end. The watcher's
// script, and why it is one, are in src/spawn/parent-watcher.ts.
import type { Writable } from 'node:stream';
import { killPid } from '../os/kill.js';
import { SIGKILL } from '../os/signals.js';
import { spawnParentWatcher } from '../spawn/parent-watcher.js';
import type { SpawnedChild } from '../spawn/types.js';
import { warnOnce } from '../warnings.js';

interface Watcher {
  readonly child: SpawnedChild;
  readonly stdin: Writable;
  /** False once it has exited or its pipe failed: the next dieWithParent spawn starts another. */
  alive: boolean;
}

/** How long close() waits for a watcher told to quit before it SIGKILLs it (a stopped watcher). */
const QUIT_WAIT_MS = 1000;

let current: Watcher | null = null;
/** Listing line ("+PGID", "t+PGID") → how many live children listed it: what a new watcher must be told. */
const listed = new Map<string, number>();

/**
 * 'process': kill the group if the host's process dies (dieWithParent). 'thread': also if only the
 * thread that listed it ends (a worker's trees, whose Nursery runs no code on worker.terminate()).
 */
export type WatchScope = 'process' | 'thread';
let users = 0;

export interface ParentWatch {
  /** Makes sure a watcher runs. Called before the child is spawned, so its `+` line can follow at once. */
  prepare(): void;
  /**
   * Lists the child's group; returns the removal. Call it only once the child's whole tree is gone:
   * the kernel never hands out a PGID that a live or zombie member still uses, so while the group
   * has members, `kill -- -PGID` can only reach our tree. A group removed only once it is empty
   * can therefore never be a stranger's when the watcher acts: the one window left is between the
   * group emptying and the `-` line, and a reuse within it would need the PID space to wrap.
   */
  add(pgid: number, scope?: WatchScope): () => void;
  /** Once the last user of this thread has released it, the watcher is told to quit and awaited. */
  release(): Promise<void>;
}

function send(w: Watcher, line: string): void {
  if (w.alive && !w.stdin.destroyed) w.stdin.write(line);
}

function start(): Watcher | null {
  if (current?.alive) return current;
  const lost = 'children spawned with dieWithParent will not die with this process if it is killed';
  if (process.platform === 'win32') {
    warnOnce('NURSERY_NO_PARENT_WATCH', `nursery: dieWithParent needs process groups and /bin/sh; ${lost}.`);
    return null;
  }
  let child: SpawnedChild;
  try {
    child = spawnParentWatcher();
  } catch (error) {
    warnOnce(
      'NURSERY_NO_PARENT_WATCH',
      `nursery: the dieWithParent watcher did not start (${String(error)}); ${lost}.`,
    );
    return null;
  }
  const w: Watcher = { child, stdin: child.stdin as Writable, alive: true }; // stdin is 'pipe'
  // EPIPE: the watcher is gone and its exit will follow. A watcher we cannot write to is as good
  // as gone whatever the error, and a library must not crash its host over it.
  w.stdin.on('error', () => (w.alive = false));
  void child.exit.then(() => {
    w.alive = false;
    if (current === w) current = null;
  });
  current = w;
  // A watcher that replaces one that died must hear of every group still listed.
  let lines = '';
  for (const [line, n] of listed) lines += `${line}\n`.repeat(n);
  if (lines !== '') send(w, lines);
  return w;
}

// Told to quit, the watcher exits at once; one that does not (stopped by someone) is SIGKILLed.
// It is our child and libuv has not reaped it, so its PID cannot name anyone else.
async function quit(w: Watcher): Promise<void> {
  if (w.alive) w.stdin.end('q\n');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), QUIT_WAIT_MS)));
  const outcome = await Promise.race([w.child.exit, late]);
  clearTimeout(timer);
  if (outcome !== 'late') return;
  if (!w.child.isReaped()) killPid(w.child.pid, SIGKILL);
  await w.child.exit;
}

/** One user (a Nursery) of this thread's watcher; the watcher starts on the first prepare(). */
export function acquireParentWatch(): ParentWatch {
  users++;
  let released = false;
  return {
    prepare(): void {
      start();
    },
    add(pgid: number, scope: WatchScope = 'process'): () => void {
      // 0 and 1 never name one of our children's groups, and the watcher would refuse them.
      if (!Number.isSafeInteger(pgid) || pgid <= 1) return () => undefined;
      const prefix = scope === 'thread' ? 't' : '';
      const line = `${prefix}+${pgid}`;
      const w = start(); // first: a new watcher is sent what was listed before this group
      listed.set(line, (listed.get(line) ?? 0) + 1);
      if (w) send(w, `${line}\n`);
      let removed = false;
      return () => {
        if (removed) return;
        removed = true;
        const n = listed.get(line) ?? 0;
        if (n > 1) listed.set(line, n - 1);
        else listed.delete(line);
        if (current) send(current, `${prefix}-${pgid}\n`);
      };
    },
    async release(): Promise<void> {
      if (released) return;
      released = true;
      users--;
      if (users > 0) return;
      // The last user has stopped its children, so nothing is listed any more.
      listed.clear();
      const w = current;
      current = null;
      if (w) await quit(w);
    },
  };
}
