// `nursery init`: a PID 1 for containers (or a subreaper anywhere else). It starts the command,
// passes signals on, reaps everything, and when the command exits it stops whatever is left,
// waiting for all of it (and no longer), before exiting with the command's code (docs/init.md).
// What only some runs need (the shutdown's walk, --kill-orphans) is loaded when needed: an init's
// start-up is part of every container's.
import { setChildSubreaper } from '../os/prctl.js';
import { type InitLibc, initLibc } from '../os/init-libc.js';
import { readStat } from '../os/proc.js';
import { INIT_USAGE, type InitOptions, InitUsageError, parseInitArgs } from './args.js';
import type { HeldSignals } from './early.js';
import { JOB_STOP, catchSignals, signalNumber } from './forward.js';
import { inheritedIgnored, launch } from './launch.js';
import { type InitLog, initLog } from './log.js';
import type { InitDebug } from './debug.js';
import type { OrphanKiller } from './orphans.js';
import { InitReaper } from './reap.js';
import type { Shutdown } from './shutdown.js';
import { type ChildStatus, describe, exitCodeOf } from './status.js';

const SAFETY_TICK_MS = 1000;

export async function init(argv: string[], held?: HeldSignals): Promise<number> {
  let opts: InitOptions | null;
  try {
    opts = parseInitArgs(argv);
  } catch (error) {
    if (!(error instanceof InitUsageError)) throw error;
    process.stderr.write(`nursery init: ${error.message}\n\n${INIT_USAGE}`);
    return 2;
  }
  if (opts === null) {
    process.stdout.write(INIT_USAGE);
    return 0;
  }
  const log = initLog(opts.log);
  let c: InitLibc;
  try {
    c = initLibc();
  } catch (error) {
    log.fatal(`cannot load libc through koffi (${(error as Error).message}); the init needs posix_spawn and waitpid`);
    return 1;
  }
  return run(c, opts, log, held);
}

async function run(c: InitLibc, opts: InitOptions, log: InitLog, held?: HeldSignals): Promise<number> {
  const pid1 = process.pid === 1;
  if (!pid1) {
    const r = setChildSubreaper(true);
    if (r < 0) log.warn(`not PID 1 and cannot become a subreaper (errno ${-r}): orphans go to the real PID 1`);
  }
  const ignored = inheritedIgnored(process.env);
  let mainPid = 0;
  let mainStatus: ChildStatus | null = null;
  let terminal = false;
  let pgid = 0;
  let onMainExit: () => void = () => undefined;
  const mainExited = new Promise<void>((resolve) => (onMainExit = resolve));
  const reaper = new InitReaper(c, {
    main(status) {
      if (status.kind === 'stopped') return jobStopped();
      if (status.kind === 'continued') return;
      mainStatus = status;
      log.event(`${opts.command} (${mainPid}) ${describe(status)}`);
      onMainExit();
    },
    orphan(pid, status) {
      log.event(`reaped orphan ${pid}: ${describe(status)}`);
      debug?.reaped(pid, status);
    },
  });
  let debug: InitDebug | null = null;
  let shutdown: Shutdown | null = null;
  const pending: NodeJS.Signals[] = [];
  let shuttingDown = false;
  let hurried = false;

  // The command was stopped (Ctrl-Z on its terminal): an init under a shell stops too, so the
  // shell sees its job stopped and gives the prompt back; `fg` then continues both.
  function jobStopped(): void {
    if (!terminal || pid1 || readStat(mainPid)?.state !== 'T') return;
    log.event(`${opts.command} (${mainPid}) stopped: stopping the init too`);
    process.kill(process.pid, 'SIGSTOP');
  }

  function forward(name: NodeJS.Signals): void {
    if (mainPid === 0) return void pending.push(name);
    if (shuttingDown) {
      if (name === 'SIGTERM' || name === 'SIGINT') {
        log.warn(`${name} during shutdown: SIGKILL to everything left`);
        hurried = true;
        shutdown?.hurry();
      }
      return;
    }
    const n = signalNumber(name);
    if (name === 'SIGCONT' && terminal && c.foreground(0) === c.ownGroup()) c.setForeground(0, pgid);
    // A stop at the terminal stops the whole foreground group: so does a continue.
    const group = opts.group || (terminal && (name === 'SIGCONT' || JOB_STOP.has(name)));
    const r = c.kill(group ? -pgid : mainPid, n);
    log.event(`${name} → ${group ? `group ${pgid}` : `pid ${mainPid}`}${r < 0 ? ` failed (errno ${-r})` : ''}`);
    if (JOB_STOP.has(name) && !pid1 && terminal) jobStopped();
  }

  const onChild = (): void => reaper.drain();
  process.on('SIGCHLD', onChild);
  const uncatch = catchSignals(ignored, forward);
  for (const name of held?.release() ?? []) if (!ignored.has(signalNumber(name))) forward(name);
  // After the listeners: a parent already gone means the signal is due at once.
  if (opts.parentDeathSignal !== 0) {
    const parent = process.ppid;
    const r = c.parentDeathSignal(opts.parentDeathSignal);
    if (r < 0) log.warn(`cannot set the parent-death signal (errno ${-r})`);
    // The parent may have died before the request: then the signal is due now.
    else if (process.ppid !== parent) process.kill(process.pid, opts.parentDeathSignal);
  }
  const keepAlive = setInterval(onChild, SAFETY_TICK_MS);
  let orphans: OrphanKiller | null = null;
  try {
    const launched = launch(c, opts.command, opts.args, ignored);
    if ('errno' in launched) {
      log.fatal(`cannot run ${JSON.stringify(opts.command)}: ${launched.name}`);
      return launched.exitCode;
    }
    mainPid = pgid = launched.pid;
    terminal = launched.terminal;
    reaper.mainPid = mainPid;
    log.event(`started ${opts.command} as ${mainPid}${terminal ? ' (holding the terminal)' : ''}`);
    try {
      process.chdir('/');
    } catch {
      // no access to /: the init keeps its directory
    }
    for (const name of pending.splice(0)) forward(name);
    if (opts.debugSocket !== null)
      debug = await serveDebug(
        opts,
        log,
        () => mainPid,
        () => mainStatus === null,
        reaper,
      );
    if (opts.killOrphans) {
      const { OrphanKiller } = await import('./orphans.js');
      orphans = new OrphanKiller(() => mainPid, opts.graceMs, log);
      orphans.start();
    }
    reaper.drain();
    await mainExited;
    shuttingDown = true;
    orphans?.stop();
    // No child at all means no descendant either: nothing to stop, nothing to load for it.
    reaper.drain();
    if (reaper.noChildren) {
      log.event(`shutdown: nothing left, ${reaper.reaped} orphans reaped in all`);
      return exitCodeOf(mainStatus ?? { kind: 'exited', code: 1 }, opts.remap);
    }
    shutdown = new (await import('./shutdown.js')).Shutdown(c, reaper, pid1, log);
    if (hurried) shutdown.hurry();
    const report = await shutdown.run(opts.graceMs);
    if (report.killed > 0) log.warn(`${report.killed} process(es) still running after ${opts.graceMs} ms: SIGKILL`);
    if (report.stuck > 0) log.warn(`${report.stuck} process(es) did not die after SIGKILL: exiting anyway`);
    log.event(
      `shutdown: ${report.termed} got SIGTERM, ${report.killed} SIGKILL, ` +
        `${reaper.reaped} orphans reaped in all, ${report.ms.toFixed(1)} ms`,
    );
    return exitCodeOf(mainStatus ?? { kind: 'exited', code: 1 }, opts.remap);
  } finally {
    await debug?.close();
    orphans?.stop();
    clearInterval(keepAlive);
    uncatch();
    process.removeListener('SIGCHLD', onChild);
  }
}

// --debug-socket: the endpoint is a convenience, never a reason for the init not to run its command.
async function serveDebug(
  opts: InitOptions,
  log: InitLog,
  mainPid: () => number,
  mainRunning: () => boolean,
  reaper: InitReaper,
): Promise<InitDebug | null> {
  const { InitDebug } = await import('./debug.js');
  const view = { command: opts.command, args: opts.args, mainPid, mainRunning, startedAt: Date.now() };
  const debug = new InitDebug({ ...view, reaped: () => reaper.reaped });
  try {
    await debug.listen(opts.debugSocket as string);
    log.event(`debug endpoint on ${opts.debugSocket}`);
    return debug;
  } catch (error) {
    log.warn(`--debug-socket ${opts.debugSocket}: ${(error as Error).message}; running without it`);
    return null;
  }
}
