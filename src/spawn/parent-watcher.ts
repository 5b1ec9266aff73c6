// The watcher behind `dieWithParent` (docs/design.md, "Dying with the host"): a tiny `sh` child
// that outlives a host killed by SIGKILL just long enough to kill the groups the host listed. It
// is spawned here, through the one spawn site, so libuv waits for it like for any child and the
// reaper (which sees it on diagnostics_channel) never takes its exit status.
import { spawnChild } from './child.js';
import type { SpawnedChild } from './types.js';

// The protocol, one line each on stdin: `+PGID` lists a group to kill when the host's process
// dies, `t+PGID` one to kill when the host *thread* that started the watcher ends (a worker's
// trees: its Nursery cannot act on worker.terminate()); `-PGID` and `t-PGID` take one listing
// away (a multiset: a PGID listed twice stays until removed twice); `q` ends the watcher quietly.
// Malformed lines are ignored; so are 0 and 1, since `kill -- -0` would hit the watcher's own
// group and `kill -- -1` every process it may signal.
//
// EOF without `q` means the pipe's last write end is closed: the host's process is exiting (the
// kernel closes its files whatever killed it, SIGKILL included), or only the host thread that
// started the watcher ended (a worker: libuv closes that thread's pipes). The host's main thread
// tells them apart: the kernel closes a process's files only after every thread of it has entered
// exit, so an exiting host shows PF_EXITING (0x4) in the flags of /proc/PID/stat (field 9), or is
// a zombie or gone. Thread-bound groups are killed either way. A host that is not exiting keeps
// the others: nobody could remove their groups any more, and a listing that outlives its group
// may one day name a stranger's.
// `read`, `case`, `set`, `[`, `$(( ))` and `kill` are builtins: the watcher never forks.
const SCRIPT = `trap '' HUP INT TERM
g=' '
t=' '
while IFS= read -r l; do
  case $l in
  q) exit 0 ;;
  [+-] | [+-]0* | [+-]1 | [+-]*[!0-9]*) ;;
  t[+-] | t[+-]0* | t[+-]1 | t[+-]*[!0-9]*) ;;
  +*) g="$g\${l#+} " ;;
  t+*) t="$t\${l#t+} " ;;
  -*)
    l=" \${l#-} "
    case $g in *"$l"*) g="\${g%%"$l"*} \${g#*"$l"}" ;; esac
    ;;
  t-*)
    l=" \${l#t-} "
    case $t in *"$l"*) t="\${t%%"$l"*} \${t#*"$l"}" ;; esac
    ;;
  esac
done
for p in $t; do kill -s KILL -- "-$p"; done
if read -r s <"/proc/$1/stat"; then
  set -- \${s##*") "}
  case $1 in
  Z | X | x) ;;
  *) [ $((\${7:-4} & 4)) -eq 0 ] && exit 0 ;;
  esac
fi
for p in $g; do kill -s KILL -- "-$p"; done
exit 0
`;

/** The name the watcher's shell gives itself ($0), so `ps` says what it is. */
const PARENT_WATCHER_NAME = 'nursery-parent-watch';
// The script travels in the environment, so `ps` shows one short line rather than all of it.
const SCRIPT_VAR = 'NURSERY_PARENT_WATCH';

/**
 * Starts a watcher for this host: its own session (libuv's `detached`), so a signal to the host's
 * group or a terminal hang-up does not reach it; it also ignores SIGHUP, SIGINT and SIGTERM. It
 * holds nothing of the host's but its stdin pipe: stdout and stderr are /dev/null, its cwd is `/`
 * (it pins no directory or mount), its environment is a clean one (no BASH_ENV or the like for a
 * shell to act on). Neither it nor its pipe keeps the host's event loop alive.
 * @throws NurseryError as spawnChild() does (no /bin/sh, no process slots).
 */
export function spawnParentWatcher(): SpawnedChild {
  const env: NodeJS.ProcessEnv = { PATH: '/usr/bin:/bin', LC_ALL: 'C', [SCRIPT_VAR]: SCRIPT };
  // A nursery above this host tags its tree; the watcher is part of that tree too.
  const tag = process.env.NURSERY_TREE;
  if (tag !== undefined) env.NURSERY_TREE = tag;
  const child = spawnChild({
    command: '/bin/sh',
    args: ['-c', `eval "$${SCRIPT_VAR}"`, PARENT_WATCHER_NAME, String(process.pid)],
    cwd: '/',
    env,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.unref();
  return child;
}
