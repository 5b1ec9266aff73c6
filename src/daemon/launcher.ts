// The launcher: how a daemon is started so that it outlives us without ever being our child:
// the classic double fork. We spawn a short-lived /bin/sh (no second Node process: a daemon
// start must stay cheap) in a new session of its own, as every nursery child is (setsid). It
// forks the daemon in the background, so the daemon belongs to that new session and group
// without leading it: like any double-forked daemon, it can never acquire a controlling
// terminal, and no signal to our own group or session reaches it. The launcher reads the
// daemon's /proc stat while it is still its unreaped child (so the PID cannot have been reused),
// prints PID and stat on a pipe, and waits for our word to exit. We hold the daemon by pidfd and
// start time, record and claim it, let the launcher exit, and libuv reaps it: no zombie. Only
// then is the daemon handed over: from then on it is no descendant of ours (unless we are a
// subreaper, which adopts it again), so no stop of our tree, nor of the tree of whoever
// supervises us, reaches it. Its parent is init, or the nearest subreaper. Its session and
// group ID stay the dead launcher's PID, which the kernel does not hand out again while the
// daemon (a member) lives.
import { closeSync, existsSync, openSync } from 'node:fs';
import { NurseryError } from '../errors.js';
import { parseStat, readStat, scanAll, environHas } from '../os/proc.js';
import { SIGKILL } from '../os/signals.js';
import type { ResolvedDaemonSpec } from '../options/daemon.js';
import { TREE_TAG_NAME } from '../options/spawn.js';
import { findSpawnProblem } from '../spawn/diagnose.js';
import { probeSync } from '../spawn/probe.js';
import { spawnChild } from '../spawn/child.js';
import type { SpawnedChild } from '../spawn/types.js';
import { type ProcRef, closeRef, openRef, signalRef } from '../terminate/identity.js';
import { stopTree } from '../terminate/stop-tree.js';
import { readReport } from './report.js';

// $1 stdout file, $2 stderr file, then the command (behind env(1)'s signal reset where it has
// one: a shell starts every background job with SIGINT and SIGQUIT ignored, and exec keeps that).
// After the report the shell becomes cat(1), which waits for our word (EOF on its stdin, or our
// death) and, unlike a shell, never reaps a child: a daemon that dies meanwhile stays a zombie
// until the launcher exits, and then comes to us (as its subreaper) with its exit status.
const SCRIPT =
  'o=$1 e=$2; shift 2; "$@" </dev/null >>"$o" 2>>"$e" & p=$!; l=; ' +
  'read -r l </proc/$p/stat; printf "%s\\n%s\\n" "$p" "$l"; exec cat >/dev/null';
const DEV_NULL = '/dev/null';
let launches = 0;

function failed(message: string, cause?: unknown): NurseryError {
  return new NurseryError('ERR_NURSERY_LAUNCH_FAILED', message, { cause });
}

// coreutils' env (8.31+) can start a program with default dispositions; busybox's cannot, and
// there a daemon starts with SIGINT and SIGQUIT ignored (as after any `cmd &` of a shell).
function signalReset(): string[] {
  const env = ['/usr/bin/env', '/bin/env'].find((path) => existsSync(path));
  if (env === undefined) return [];
  const reset = [env, '--default-signal=INT,QUIT'];
  return probeSync(env, [reset[1] as string, 'true']) ? reset : [];
}

// Appending to a log must not fail later in the shell: create it now, 0600, and report at once.
function touchLog(path: string | null, which: string): string {
  if (path === null) return DEV_NULL;
  try {
    closeSync(openSync(path, 'a', 0o600));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw failed(`The daemon's ${which} file ${JSON.stringify(path)} cannot be opened for appending (${code})`, error);
  }
  return path;
}

/**
 * Starts the daemon. `onIdentified` gets it, held by pidfd (or start time), while it is still the
 * launcher's child; the call resolves once the launcher has exited. If it rejects after
 * `onIdentified`, the daemon was killed with the launch.
 * @throws NurseryError ENOENT, EACCES, ERR_NURSERY_BAD_CWD, ERR_NURSERY_LAUNCH_FAILED, ERR_NURSERY_LAUNCH_TIMEOUT
 */
export async function launch(
  spec: ResolvedDaemonSpec,
  tracked: () => ReadonlySet<number>,
  onIdentified: (ref: ProcRef) => void,
  claimDead: (pid: number, startTime: number) => void,
): Promise<void> {
  if (process.platform !== 'linux') {
    throw failed(`Daemon mode needs Linux: the launch and the daemon's identity are read from /proc`);
  }
  const problem = findSpawnProblem(spec);
  if (problem !== null) throw problem;
  const out = touchLog(spec.stdout, 'stdout');
  const err = touchLog(spec.stderr, 'stderr');
  // The launch tag lets a failed launch find what it started, even after the launcher died.
  const tag = `${TREE_TAG_NAME}=launch.${process.pid}.${++launches}`;
  const env = { ...spec.env, [TREE_TAG_NAME]: tag.slice(TREE_TAG_NAME.length + 1) };
  const child = spawnChild({
    command: '/bin/sh',
    args: ['-c', SCRIPT, 'nursery-launcher', out, err, ...signalReset(), spec.command, ...spec.args],
    cwd: spec.cwd,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let ref: ProcRef | null = null;
  try {
    const report = await readReport(child, spec.launchTimeoutMs);
    const stat = parseStat(report.stat);
    if (stat === null || stat.pid !== report.pid) {
      throw failed(
        `${spec.command}: the daemon exited at once (see its stderr${err === DEV_NULL ? '' : ` in ${err}`})`,
      );
    }
    ref = openRef(stat);
    if (ref === null) {
      // Dead already: its zombie comes to our reaper with the launcher's exit; no leak to report.
      claimDead(stat.pid, stat.startTime);
      throw failed(
        `${spec.command}: the daemon exited at once (see its stderr${err === DEV_NULL ? '' : ` in ${err}`})`,
      );
    }
    // Still the launcher's child: recorded and claimed before it can be re-parented. From here the
    // ref belongs to the caller.
    onIdentified(ref);
    ref = null;
    child.stdin?.end();
    await report.exited;
  } catch (error) {
    if (ref) closeRef(ref);
    await killLaunch(child, tag, tracked);
    throw error;
  } finally {
    child.stdout?.destroy();
    child.stderr?.destroy();
  }
}

// A failed launch leaves nothing: the launcher's tree (walked while it lives, its session after),
// and anything carrying the launch tag that escaped both (a daemon re-parented to init).
async function killLaunch(child: SpawnedChild, tag: string, tracked: () => ReadonlySet<number>): Promise<void> {
  const root = { pid: child.pid, isReaped: () => child.isReaped(), reaped: child.exit, tag, tracked };
  await stopTree(root, { signal: SIGKILL, graceMs: 0 }).done;
  for (const s of scanAll()) {
    if (s.pid === process.pid || !environHas(s.pid, tag)) continue;
    const r = openRef(readStat(s.pid) ?? s);
    if (r) {
      signalRef(r, SIGKILL);
      closeRef(r);
    }
  }
}
